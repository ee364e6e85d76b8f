package dev.tern.controlplane.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.tern.controlplane.security.SecuritySettings.ConsoleUser;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Checks console users' passwords against their bcrypt hashes. */
@Singleton
public final class ConsoleUsers {

  /** Cost of new hashes from {@code tern security hash-password}: about 0.2 s on a server core. */
  public static final int DEFAULT_COST = 12;

  /** bcrypt reads at most 72 bytes of a password; {@link #hash} refuses a longer one. */
  public static final int MAX_PASSWORD_BYTES = 72;

  /** Checked in place of a password too long to be anyone's, so that it takes the usual time. */
  private static final char[] TOO_LONG_STAND_IN = "a password longer than bcrypt reads".toCharArray();

  private final Map<String, ConsoleUser> byName;
  private final String decoy;

  public ConsoleUsers(SecuritySettings settings) {
    this.byName = settings.users().stream()
        .collect(Collectors.toUnmodifiableMap(ConsoleUser::username, Function.identity()));
    int cost = settings.users().stream()
        .map(u -> Integer.parseInt(u.bcrypt().substring(4, 6)))
        .findFirst().orElse(DEFAULT_COST);
    this.decoy = BCrypt.withDefaults().hashToString(cost, Secrets.randomToken().toCharArray());
  }

  /**
   * The caller when the password is right; an unknown name, and a password longer than any
   * configured one can be, cost the same time as a wrong password.
   */
  public Optional<Caller> authenticate(String username, String password) {
    ConsoleUser user = byName.get(username);
    String hash = user == null ? decoy : user.bcrypt();
    boolean tooLong = isTooLong(password);
    boolean verified = BCrypt.verifyer()
        .verify(tooLong ? TOO_LONG_STAND_IN : password.toCharArray(), hash.toCharArray()).verified;
    if (user == null || tooLong || !verified) {
      return Optional.empty();
    }
    return Optional.of(new Caller(user.username(), user.role(), Caller.AuthMethod.SESSION));
  }

  /** Whether bcrypt cannot hold all of {@code password}: more than {@link #MAX_PASSWORD_BYTES} in UTF-8. */
  public static boolean isTooLong(String password) {
    return password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES;
  }

  /**
   * A bcrypt hash of {@code password} for the {@code tern.security.users} configuration.
   *
   * @throws IllegalArgumentException when the password {@linkplain #isTooLong is too long}
   */
  public static String hash(String password, int cost) {
    return BCrypt.withDefaults().hashToString(cost, password.toCharArray());
  }
}
