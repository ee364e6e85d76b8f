package dev.tern.controlplane.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.tern.controlplane.security.SecuritySettings.ConsoleUser;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Checks console users' passwords against their bcrypt hashes. */
@Singleton
public final class ConsoleUsers {

  /** Cost of new hashes from {@code tern security hash-password}: about 0.2 s on a server core. */
  public static final int DEFAULT_COST = 12;

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

  /** The caller when the password is right; an unknown name costs the same time as a known one. */
  public Optional<Caller> authenticate(String username, String password) {
    ConsoleUser user = byName.get(username);
    String hash = user == null ? decoy : user.bcrypt();
    boolean verified = BCrypt.verifyer().verify(password.toCharArray(), hash.toCharArray()).verified;
    if (user == null || !verified) {
      return Optional.empty();
    }
    return Optional.of(new Caller(user.username(), user.role(), Caller.AuthMethod.SESSION));
  }

  /** A bcrypt hash of {@code password} for the {@code tern.security.users} configuration. */
  public static String hash(String password, int cost) {
    return BCrypt.withDefaults().hashToString(cost, password.toCharArray());
  }
}
