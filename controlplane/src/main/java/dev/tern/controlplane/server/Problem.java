package dev.tern.controlplane.server;

import io.micronaut.serde.annotation.Serdeable;
import java.util.Objects;

/**
 * An error response body as RFC 9457 defines it ({@code application/problem+json}).
 *
 * @param type {@code about:blank}: the status and title say all a client needs to branch on
 * @param title the HTTP reason phrase
 * @param status the HTTP status code
 * @param detail what went wrong for this request and what to do next; never a stack trace
 */
@Serdeable
public record Problem(String type, String title, int status, String detail) {

  public Problem {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(detail, "detail");
  }
}
