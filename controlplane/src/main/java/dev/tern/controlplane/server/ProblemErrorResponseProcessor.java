package dev.tern.controlplane.server;

import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.stream.Collectors;

/**
 * Turns every error Micronaut answers by itself (no route, wrong method, bad JSON, failed
 * validation, body too large, unhandled exception) into problem+json. A 5xx never carries the
 * exception's message: the server logs it, the client learns only that it happened.
 */
@Singleton
final class ProblemErrorResponseProcessor implements ErrorResponseProcessor<byte[]> {

  static final String SERVER_ERROR_DETAIL =
      "The server could not complete the request; the cause is in the server's log.";

  private final Problems problems;

  ProblemErrorResponseProcessor(Problems problems) {
    this.problems = problems;
  }

  @Override
  @SuppressWarnings("unchecked")
  public MutableHttpResponse<byte[]> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
    if (context.getRequest().getMethod() == HttpMethod.HEAD) {
      return (MutableHttpResponse<byte[]>) response;
    }
    return problems.fill(response, detail(context, response.code()));
  }

  private static String detail(ErrorContext context, int status) {
    if (status >= 500) {
      return SERVER_ERROR_DETAIL;
    }
    if (!context.hasErrors()) {
      return HttpStatus.valueOf(status).getReason();
    }
    return context.getErrors().stream()
        .map(ProblemErrorResponseProcessor::describe)
        .collect(Collectors.joining("; "));
  }

  private static String describe(Error error) {
    return error.getPath().map(path -> path + ": ").orElse("") + error.getMessage();
  }
}
