package dev.tern.controlplane.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** Checks that a response is an RFC 9457 problem with the expected status. */
public final class ProblemAssertions {

  private ProblemAssertions() {}

  /** Asserts the shape and returns the parsed body. */
  public static Map<String, Object> assertProblem(int status, HttpResponse<String> response) {
    String what = response.request().method() + " " + response.uri() + " -> " + response.body();
    assertEquals(status, response.statusCode(), what);
    assertEquals("application/problem+json",
        response.headers().firstValue("Content-Type").orElse("").split(";")[0].strip(), what);
    Map<String, Object> body = new Yaml().load(response.body());
    assertEquals("about:blank", body.get("type"), what);
    assertEquals(status, body.get("status"), what);
    assertTrue(body.get("title") instanceof String title && !title.isBlank(), what);
    assertTrue(body.get("detail") instanceof String detail && !detail.isBlank(), what);
    assertFalse(response.body().contains("\tat "), "no stack trace: " + what);
    return body;
  }
}
