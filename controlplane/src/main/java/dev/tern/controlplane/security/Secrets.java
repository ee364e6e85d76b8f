package dev.tern.controlplane.security;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The few operations on secrets that must be done one way only: generate, hash, compare, redact. */
public final class Secrets {

  private static final SecureRandom RANDOM = new SecureRandom();
  /** What stands where a secret was taken out of a text. */
  public static final String REDACTED = "[redacted]";
  /**
   * A credential after its scheme or header name, as a server that repeats a request would show
   * it: {@code Bearer eyJ...}, {@code GenieKey ...}, {@code Basic ...}, or the value of an
   * {@code X-Amz-Security-Token} header.
   */
  private static final Pattern CREDENTIAL = Pattern.compile(
      "(?i)(\\b(?:bearer|geniekey|basic)\\s+|x-amz-security-token[\"'\\s:=\\[]+)([A-Za-z0-9._~+/=-]{8,})");

  private Secrets() {}

  /** 256 random bits, URL-safe Base64 without padding (43 characters). */
  public static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** SHA-256 of the UTF-8 text, in lower-case hex: how API tokens are stored at rest. */
  public static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text));
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * {@code text} with every one of {@code known} (as given, and URL-encoded) and every credential
   * after an authorization scheme replaced by {@link #REDACTED}. For text that comes from outside,
   * such as a receiver's or a cloud's error answer, before it is logged, stored or shown: a server
   * that repeats the request it got would otherwise put the credentials sent to it into Tern's
   * logs, incidents and pages.
   */
  public static String redact(String text, Collection<String> known) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String secret : known) {
      if (secret != null && !secret.isEmpty()) {
        out = out.replace(secret, REDACTED);
        String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        if (!encoded.equals(secret)) {
          out = out.replace(encoded, REDACTED);
        }
      }
    }
    return CREDENTIAL.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED));
  }

  /** Compares in time that depends only on the lengths, never on where the texts differ. */
  static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
