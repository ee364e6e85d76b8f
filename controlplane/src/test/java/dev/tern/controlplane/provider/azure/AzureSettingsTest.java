package dev.tern.controlplane.provider.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Reading {@code tern.providers.azure-traffic-manager[]} entries: defaults, credentials, errors naming the key. */
class AzureSettingsTest {

  static final String AT = "tern.providers.azure-traffic-manager[0]";

  static Map<String, Object> entry(Object... more) {
    Map<String, Object> e = new HashMap<>(Map.of("name", "azure-prod", "subscription-id", "sub-1", "resource-group",
        "rg-tern", "services", List.of("shop")));
    for (int i = 0; i < more.length; i += 2) {
      if (more[i + 1] == null) {
        e.remove((String) more[i]);
      } else {
        e.put((String) more[i], more[i + 1]);
      }
    }
    return e;
  }

  @Test
  void a_minimal_entry_gets_the_defaults() {
    AzureSettings.Account a = AzureSettings.parse(AT, entry());
    assertEquals("azure-traffic-manager", a.kind());
    assertEquals(URI.create("https://management.azure.com"), a.endpoint());
    assertEquals("tern", a.owner());
    assertEquals(AzureDiff.Policy.SYNC, a.policy());
    assertEquals("tern-shop", a.relativeName("shop"));
    assertEquals(10.0, a.requestsPerSecond());
    assertInstanceOf(AzureSettings.Credentials.DefaultChain.class, a.credentials());
  }

  @Test
  void relative_names_azure_endpoints_and_a_service_principal_are_read() throws IOException {
    Path secret = Files.createTempFile("tern-azure", ".secret");
    Files.writeString(secret, "s3cret-value\n");
    AzureSettings.Account a = AzureSettings.parse(AT, entry("relative-names", Map.of("shop", "shop-prod"),
        "dns-prefix", "acme", "azure-endpoints", Map.of("azure-amsterdam",
            "/subscriptions/sub-1/resourceGroups/net/providers/Microsoft.Network/publicIPAddresses/ams"),
        "tenant-id", "tenant-1", "client-id", "app-1", "client-secret-file", secret.toString(),
        "policy", "upsert-only"));
    assertEquals("shop-prod", a.relativeName("shop"));
    assertEquals("acme-cart", a.relativeName("cart"));
    assertEquals(AzureDiff.Policy.UPSERT_ONLY, a.policy());
    assertEquals(1, a.azureEndpoints().size());
    AzureSettings.Credentials.ClientSecret c = assertInstanceOf(AzureSettings.Credentials.ClientSecret.class,
        a.credentials());
    assertEquals("s3cret-value", c.secret());
    assertFalse(a.toString().contains("s3cret"), "secrets never in toString: " + a);
    assertEquals(Optional.of("tenant-1"), c.tenantId());
  }

  @Test
  void an_access_token_is_for_test_doubles_and_never_shown() {
    AzureSettings.Account a = AzureSettings.parse(AT, entry("access-token", "eyJ-token", "endpoint",
        "http://127.0.0.1:8443"));
    assertInstanceOf(AzureSettings.Credentials.FixedToken.class, a.credentials());
    assertFalse(a.toString().contains("eyJ-token"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "name missing                 | name            | <none>         | .name is required",
      "subscription missing         | subscription-id | <none>         | .subscription-id is required",
      "subscription as a path       | subscription-id | /subscriptions/x | .subscription-id is the subscription's id",
      "resource group missing       | resource-group  | <none>         | .resource-group is required",
      "resource group with a slash  | resource-group  | a/b            | .resource-group 'a/b'",
      "services missing             | services        | <none>         | .services is required",
      "unknown policy               | policy          | create-only    | .policy is sync or upsert-only",
      "plain http off loopback      | endpoint        | http://arm.example.com | .endpoint must be https",
      "not a URL                    | endpoint        | ftp://x        | .endpoint",
      "prefix not a label           | dns-prefix      | Tern_Prod      | .dns-prefix 'Tern_Prod'",
      "rate not a number            | requests-per-second | fast       | .requests-per-second must be a positive",
      "secret without principal     | client-secret   | s3cret         | client-secret needs tenant-id and client-id"})
  void a_bad_entry_is_refused_naming_the_key(String why, String key, String value, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AzureSettings.parse(AT, entry(key, value.equals("<none>") ? null : value)));
    assertTrue(e.getMessage().startsWith(AT) && e.getMessage().contains(message), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), "no secret in a message");
  }

  @Test
  void maps_are_checked_entry_by_entry() {
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> AzureSettings.parse(AT, entry("relative-names", Map.of("shop", "Shop Prod"))));
    assertTrue(label.getMessage().contains(AT + ".relative-names.shop"), label.getMessage());
    IllegalArgumentException id = assertThrows(IllegalArgumentException.class,
        () -> AzureSettings.parse(AT, entry("azure-endpoints", Map.of("ams", "10.0.0.1"))));
    assertTrue(id.getMessage().contains(AT + ".azure-endpoints.ams"), id.getMessage());
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> AzureSettings.parse(AT, entry("access-token", "t", "client-id", "app")));
    assertTrue(both.getMessage().contains("access-token"), both.getMessage());
  }
}
