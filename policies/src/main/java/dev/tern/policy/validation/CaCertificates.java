package dev.tern.policy.validation;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;

/**
 * Checks that a health check's pinned certificates parse. Any certificate may be pinned: a CA
 * that signs the backend's certificate, or the backend's own self-signed one.
 */
final class CaCertificates {

  private CaCertificates() {}

  /** Why {@code pem} cannot serve as the trusted CAs of a check; empty when it can. */
  static Optional<String> problem(String pem) {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      return Optional.of("no BEGIN CERTIFICATE block");
    }
    try {
      var certificates = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      if (certificates.isEmpty()) {
        return Optional.of("no certificate in it");
      }
      return Optional.empty();
    } catch (CertificateException e) {
      return Optional.of("it does not parse: " + e.getMessage());
    }
  }
}
