package dev.tern.controlplane.provider.clouddns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code tern.providers.cloud-dns[]} entries: defaults, and a clear error naming the key for each mistake. */
class CloudDnsSettingsTest {

  static final String AT = "tern.providers.cloud-dns[0]";

  static Map<String, Object> entry(String... pairs) {
    Map<String, Object> e = new HashMap<>(Map.of("name", "gcp", "project", "shop-prod", "managed-zone",
        "gslb-example-com", "services", List.of("shop")));
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] == null) {
        e.remove(pairs[i]);
      } else {
        e.put(pairs[i], pairs[i + 1]);
      }
    }
    return e;
  }

  @Test
  void defaults() {
    CloudDnsSettings.Account a = CloudDnsSettings.parse(AT, entry("services", "shop, api"));
    assertEquals("cloud-dns", a.kind());
    assertEquals(List.of("shop", "api"), a.services());
    assertEquals("tern", a.owner());
    assertEquals(CloudDnsDiff.Policy.SYNC, a.policy());
    assertEquals(URI.create("https://dns.googleapis.com/"), a.endpoint());
    assertEquals(5.0, a.requestsPerSecond());
    assertEquals(Optional.empty(), a.credentials(), "Application Default Credentials");
    assertEquals(URI.create("http://127.0.0.1:9/"),
        CloudDnsSettings.parse(AT, entry("endpoint", "http://127.0.0.1:9")).endpoint(), "a root URL ends in a slash");
    assertEquals(CloudDnsDiff.Policy.UPSERT_ONLY, CloudDnsSettings.parse(AT, entry("policy", "upsert-only")).policy());
  }

  @ParameterizedTest(name = "{0}={1}: {2}")
  @CsvSource(nullValues = "null", value = {
      "name, null, tern.providers.cloud-dns[0].name is required",
      "project, null, tern.providers.cloud-dns[0].project is required",
      "project, Shop Prod, tern.providers.cloud-dns[0].project 'Shop Prod' is not a Google Cloud project id",
      "managed-zone, null, tern.providers.cloud-dns[0].managed-zone is required",
      "managed-zone, gslb.example.com., tern.providers.cloud-dns[0].managed-zone 'gslb.example.com.' is not a managed zone name",
      "services, null, tern.providers.cloud-dns[0].services is required",
      "policy, create-only, tern.providers.cloud-dns[0].policy is sync or upsert-only",
      "endpoint, ftp://x, tern.providers.cloud-dns[0].endpoint is not an http(s) URL",
      "endpoint, http://dns.example.com/, tern.providers.cloud-dns[0].endpoint must be an https URL: a credential is sent to it",
      "requests-per-second, 0, tern.providers.cloud-dns[0].requests-per-second must be a positive number",
      "requests-per-second, fast, tern.providers.cloud-dns[0].requests-per-second must be a positive number"})
  void a_wrong_entry_names_the_key(String key, String value, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CloudDnsSettings.parse(AT, entry(key, value)));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void secrets_are_never_in_messages_or_strings(@TempDir Path dir) throws Exception {
    CloudDnsSettings.Account token = CloudDnsSettings.parse(AT, entry("access-token", "ya29.very-secret"));
    assertFalse(token.toString().contains("very-secret"), token.toString());

    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> CloudDnsSettings.parse(AT, entry("access-token", "ya29.very-secret", "credentials", "{\"x\":1}")));
    assertTrue(both.getMessage().contains("not both"), both.getMessage());
    assertFalse(both.getMessage().contains("very-secret"));

    Path key = dir.resolve("key.json");
    Files.writeString(key, "{\"type\":\"service_account\",\"private_key\":\"not-a-key-secret\"}");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> CloudDnsSettings.parse(AT, entry("credentials-file", key.toString())));
    assertTrue(bad.getMessage().startsWith(AT + ".credentials: the service-account key cannot be read"), bad.getMessage());
    assertFalse(bad.getMessage().contains("not-a-key-secret"));

    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> CloudDnsSettings.parse(AT, entry("credentials-file", dir.resolve("absent.json").toString())));
    assertTrue(missing.getMessage().contains("credentials-file") && missing.getMessage().contains("cannot be read"),
        missing.getMessage());
  }
}
