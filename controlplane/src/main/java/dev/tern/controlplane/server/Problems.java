package dev.tern.controlplane.server;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Writes {@link Problem} bodies into responses, for the error processor and for filters. */
@Singleton
public final class Problems {

  public static final String MEDIA_TYPE = "application/problem+json";

  private final JsonMapper json;

  public Problems(JsonMapper json) {
    this.json = json;
  }

  /** A new response with this status and a problem body. */
  public MutableHttpResponse<byte[]> response(HttpStatus status, String detail) {
    return fill(HttpResponse.status(status), detail);
  }

  /** Gives {@code response} a problem body that matches its status. */
  public MutableHttpResponse<byte[]> fill(MutableHttpResponse<?> response, String detail) {
    int status = response.code();
    String title = HttpStatus.valueOf(status).getReason();
    try {
      byte[] body = json.writeValueAsBytes(new Problem("about:blank", title, status, detail));
      return response.body(body).contentType(MEDIA_TYPE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a problem body", e);
    }
  }
}
