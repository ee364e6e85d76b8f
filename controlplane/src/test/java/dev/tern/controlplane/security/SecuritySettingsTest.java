package dev.tern.controlplane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecuritySettingsTest {

  private static final String HASH = "b8cdaf76760f39be05d3c96ceda40c06de9e0a33151250465c98d0cdf17cb2f5";
  private static final String BCRYPT = "$2a$04$ROXdoFf6JRvoMN/TvSDehugwvVLaUEuHBp1rw3kTk0xF7LSgZXYqy";

  private static String refusal(List<Map<String, Object>> tokens, List<Map<String, Object>> users) {
    return assertThrows(IllegalArgumentException.class,
        () -> new SecuritySettings(tokens, users, Duration.ofHours(1))).getMessage();
  }

  @Test
  void tokens_and_users_are_read_with_their_roles() {
    SecuritySettings settings = new SecuritySettings(
        List.of(Map.of("name", "prober", "role", "viewer", "sha256", HASH.toUpperCase())),
        List.of(Map.of("username", "ada", "role", "Admin", "bcrypt", BCRYPT)),
        Duration.ofHours(1));
    assertEquals(List.of(new SecuritySettings.ApiToken("prober", Role.VIEWER, HASH)), settings.tokens());
    assertEquals(List.of(new SecuritySettings.ConsoleUser("ada", Role.ADMIN, BCRYPT)), settings.users());
  }

  @Test
  void a_plaintext_token_where_the_hash_belongs_is_refused_with_the_command_that_makes_one() {
    String message = refusal(List.of(Map.of("name", "prober", "role", "viewer", "sha256", "my-secret-token")), List.of());
    assertTrue(message.startsWith("tern.security.tokens[0].sha256 "), message);
    assertTrue(message.contains("tern security hash-token"), message);
  }

  @Test
  void an_unknown_role_is_refused_naming_the_key() {
    String message = refusal(List.of(Map.of("name", "prober", "role", "root", "sha256", HASH)), List.of());
    assertTrue(message.startsWith("tern.security.tokens[0].role: unknown role 'root'"), message);
  }

  @Test
  void a_missing_field_is_refused_naming_the_key() {
    String message = refusal(List.of(), List.of(Map.of("username", "ada", "role", "admin")));
    assertEquals("tern.security.users[0].bcrypt is missing", message);
  }

  @Test
  void a_password_where_the_bcrypt_hash_belongs_is_refused() {
    String message = refusal(List.of(), List.of(Map.of("username", "ada", "role", "admin", "bcrypt", "hunter2")));
    assertTrue(message.contains("tern security hash-password"), message);
  }

  @Test
  void two_tokens_with_one_name_are_refused() {
    String other = HASH.replace('b', 'c');
    String message = refusal(List.of(
        Map.of("name", "prober", "role", "viewer", "sha256", HASH),
        Map.of("name", "prober", "role", "viewer", "sha256", other)), List.of());
    assertTrue(message.startsWith("tern.security.tokens[1].name"), message);
  }

  @Test
  void a_probe_token_is_read_but_a_console_user_with_the_probe_role_is_refused() {
    SecuritySettings settings = new SecuritySettings(
        List.of(Map.of("name", "probe-eu", "role", "probe", "sha256", HASH)), List.of(), Duration.ofHours(1));
    assertEquals(Role.PROBE, settings.tokens().getFirst().role());
    String message = refusal(List.of(), List.of(Map.of("username", "pat", "role", "probe", "bcrypt", BCRYPT)));
    assertTrue(message.startsWith("tern.security.users[0].role: probe is for probe agents' API tokens"), message);
  }
}
