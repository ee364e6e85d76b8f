package dev.tern.controlplane.testing;

import dev.tern.controlplane.security.Role;
import java.util.Map;

/** The plaintext secrets behind the hashes in application-test.yml. */
public final class TestCredentials {

  /** One API token per role. */
  public static final Map<Role, String> TOKENS = Map.of(
      Role.PROBE, "probe-test-token-q4w6",
      Role.VIEWER, "viewer-test-token-7fq2",
      Role.OPERATOR, "operator-test-token-k9x1",
      Role.ADMIN, "admin-test-token-m3p8");

  public static final String ADMIN_USER = "ada";
  public static final String ADMIN_PASSWORD = "correct horse battery staple";
  public static final String VIEWER_USER = "vic";
  public static final String VIEWER_PASSWORD = "viewer password";

  private TestCredentials() {}

  public static String bearer(Role role) {
    return "Bearer " + TOKENS.get(role);
  }
}
