package dev.tern.controlplane.security;

import dev.tern.controlplane.security.SecuritySettings.ApiToken;
import jakarta.inject.Singleton;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Recognises API tokens by their SHA-256, comparing against every configured hash each time. */
@Singleton
public final class ApiTokens {

  private record Known(ApiToken token, byte[] sha256) {}

  private final List<Known> known;

  public ApiTokens(SecuritySettings settings) {
    this.known = settings.tokens().stream()
        .map(t -> new Known(t, HexFormat.of().parseHex(t.sha256Hex())))
        .toList();
  }

  /** The caller a presented token belongs to, if any. */
  public Optional<Caller> authenticate(String presented) {
    byte[] digest = Secrets.sha256(presented);
    Known match = null;
    // No early exit: the time taken must not say which token, or how much of one, matched.
    for (Known k : known) {
      if (MessageDigest.isEqual(digest, k.sha256()) && match == null) {
        match = k;
      }
    }
    return Optional.ofNullable(match)
        .map(k -> new Caller(k.token().name(), k.token().role(), Caller.AuthMethod.TOKEN));
  }
}
