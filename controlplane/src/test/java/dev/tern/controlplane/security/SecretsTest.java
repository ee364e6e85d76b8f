package dev.tern.controlplane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretsTest {

  @Test
  void a_known_secret_is_redacted_as_given_and_url_encoded() {
    String secret = "s3cret/with+symbols";
    assertEquals("HTTP 400 bad key [redacted] at /hook?k=[redacted]",
        Secrets.redact("HTTP 400 bad key s3cret/with+symbols at /hook?k=s3cret%2Fwith%2Bsymbols", List.of(secret)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Authorization=[Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig] | Authorization=[Bearer [redacted]]",
      "authorization: bearer abcdefgh12345678              | authorization: bearer [redacted]",
      "Authorization: GenieKey 0f1e2d3c-4b5a-6978          | Authorization: GenieKey [redacted]",
      "Authorization: Basic YWRhOnNlY3JldA==               | Authorization: Basic [redacted]",
      "X-Amz-Security-Token=[FwoGZXIvYXdzEBYaDH]           | X-Amz-Security-Token=[[redacted]]",
      "x-amz-security-token: FwoGZXIvYXdzEBYaDH            | x-amz-security-token: [redacted]"})
  void a_credential_after_its_scheme_is_redacted_whatever_it_is(String text, String redacted) {
    assertEquals(redacted, Secrets.redact(text, List.of()));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "WWW-Authenticate: Bearer realm=\"tern\"",
      "HTTP 500 Internal Server Error",
      "the token is not known; send it as Authorization: Bearer <token>"})
  void ordinary_text_is_left_alone(String text) {
    assertEquals(text, Secrets.redact(text, List.of("")));
  }

  @Test
  void no_text_stays_no_text() {
    assertNull(Secrets.redact(null, List.of("x")));
  }
}
