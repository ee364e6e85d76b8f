package dev.tern.controlplane.provider.globalaccelerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code tern.providers.global-accelerator[]} entries: defaults, every key, and errors that name the key. */
class GlobalAcceleratorSettingsTest {

  static final String AT = "tern.providers.global-accelerator[0]";
  static final String ACCELERATOR =
      "arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdef01";
  static final String LISTENER = ACCELERATOR + "/listener/0123abcd";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  static Map<String, Object> entry() {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("name", "ga-prod");
    e.put("accelerator-arn", ACCELERATOR);
    e.put("listener-arn", LISTENER);
    e.put("services", List.of("shop"));
    e.put("endpoints", Map.of("fra", GaFixtures.FRA_ALB, "iad", GaFixtures.IAD_EC2));
    return e;
  }

  static Map<String, Object> entry(Consumer<Map<String, Object>> edit) {
    Map<String, Object> e = entry();
    edit.accept(e);
    return e;
  }

  @Test
  void a_minimal_entry_takes_the_defaults() {
    GlobalAcceleratorSettings.Account a = GlobalAcceleratorSettings.parse(AT, entry());
    assertEquals("ga-prod", a.name());
    assertEquals("global-accelerator", a.kind());
    assertEquals(List.of("shop"), a.services());
    assertEquals(Map.of("fra", GaFixtures.FRA_ALB, "iad", GaFixtures.IAD_EC2), a.endpoints());
    assertEquals("tern", a.owner());
    assertEquals(GlobalAcceleratorDiff.Policy.SYNC, a.policy());
    assertEquals("us-west-2", a.region(), "Global Accelerator's API region");
    assertEquals(Optional.empty(), a.endpoint());
    assertEquals(Optional.empty(), a.credentials(), "the SDK's default chain");
  }

  @Test
  void every_key_is_read_and_secrets_may_come_from_files(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, SECRET + "\n");
    Map<String, Object> e = entry(m -> {
      m.remove("endpoints");
      m.put("endpoints.fra", GaFixtures.FRA_ALB);
      m.put("owner", "tern-prod");
      m.put("policy", "upsert-only");
      m.put("region", "us-west-2");
      m.put("endpoint", "https://globalaccelerator.example.internal");
      m.put("access-key-id", "AKIDEXAMPLE");
      m.put("secret-access-key-file", secret.toString());
      m.put("session-token", "token");
    });
    GlobalAcceleratorSettings.Account a = GlobalAcceleratorSettings.parse(AT, e);
    assertEquals(Map.of("fra", GaFixtures.FRA_ALB), a.endpoints(), "endpoints.<backend> keys, as properties give them");
    assertEquals("tern-prod", a.owner());
    assertEquals(GlobalAcceleratorDiff.Policy.UPSERT_ONLY, a.policy());
    assertEquals(Optional.of(URI.create("https://globalaccelerator.example.internal")), a.endpoint());
    assertEquals(SECRET, a.credentials().orElseThrow().secretAccessKey());
    assertEquals(Optional.of("token"), a.credentials().orElseThrow().sessionToken());
    assertFalse(a.toString().contains(SECRET), "the secret is never printed: " + a);
    assertFalse(a.toString().contains("token"), "nor the session token: " + a);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(entry(m -> m.remove("name")), AT + ".name is required"),
        Arguments.of(entry(m -> m.remove("accelerator-arn")), AT + ".accelerator-arn is required"),
        Arguments.of(entry(m -> m.put("accelerator-arn", "arn:aws:elasticloadbalancing:us-east-1:1:lb")),
            AT + ".accelerator-arn is not an accelerator's ARN"),
        Arguments.of(entry(m -> m.remove("listener-arn")), AT + ".listener-arn is required"),
        Arguments.of(entry(m -> m.put("listener-arn",
            "arn:aws:globalaccelerator::123456789012:accelerator/other/listener/1")),
            AT + ".listener-arn is not a listener of accelerator-arn"),
        Arguments.of(entry(m -> m.put("listener-arn", LISTENER + "/endpoint-group/1")),
            AT + ".listener-arn is not a listener of accelerator-arn"),
        Arguments.of(entry(m -> m.remove("services")), AT + ".services is required"),
        Arguments.of(entry(m -> m.put("services", List.of("shop", "api"))), "a listener serves one service"),
        Arguments.of(entry(m -> m.remove("endpoints")), AT + ".endpoints is required"),
        Arguments.of(entry(m -> m.put("endpoints", "fra")), AT + ".endpoints is a map of backend name to endpoint id"),
        Arguments.of(entry(m -> m.put("endpoints", Map.of("fra", " "))), AT + ".endpoints.fra is empty"),
        Arguments.of(entry(m -> m.put("endpoints", Map.of("fra", "i-01", "iad", "i-01"))),
            AT + ".endpoints.fra and " + AT + ".endpoints.iad name the same endpoint i-01"),
        Arguments.of(entry(m -> m.put("policy", "create-only")), AT + ".policy is sync or upsert-only"),
        Arguments.of(entry(m -> m.put("endpoint", "ftp://x")), AT + ".endpoint"),
        Arguments.of(entry(m -> m.put("access-key-id", "AKIDEXAMPLE")),
            "give both access-key-id and secret-access-key"),
        Arguments.of(entry(m -> m.put("secret-access-key", SECRET)), "give both access-key-id and secret-access-key"),
        Arguments.of(entry(m -> {
          m.put("access-key-id", "AKIDEXAMPLE");
          m.put("secret-access-key", SECRET);
          m.put("secret-access-key-file", "/nonexistent");
        }), "give one of secret-access-key and secret-access-key-file, not both"),
        Arguments.of(entry(m -> m.put("session-token", "t")), "session-token goes with access-key-id"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("errors")
  void a_wrong_entry_is_refused_naming_the_key_and_never_the_secret(Map<String, Object> e, String message) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
        () -> GlobalAcceleratorSettings.parse(AT, e));
    assertTrue(x.getMessage().contains(message), x.getMessage());
    assertFalse(x.getMessage().contains(SECRET), x.getMessage());
  }
}
