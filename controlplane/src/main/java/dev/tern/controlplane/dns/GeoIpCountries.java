package dev.tern.controlplane.dns;

import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CountryResponse;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Countries;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MaxMind GeoIP2 or GeoLite2 Country database, consulted for client addresses that no CIDR
 * entry covers. It yields the client's country as a client zone ({@code DE}, which lies in
 * {@code EU}, then {@code europe}) and the database network's prefix length as the ECS scope.
 * Tern never downloads a database: the operator provides the file.
 */
final class GeoIpCountries implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GeoIpCountries.class);

  private final DatabaseReader reader;
  private final AtomicLong failures = new AtomicLong();

  private GeoIpCountries(DatabaseReader reader) {
    this.reader = reader;
  }

  /**
   * Opens {@code file}.
   *
   * @throws IllegalArgumentException when the file is missing or not a Country database; the
   *     message says which key to fix
   */
  static GeoIpCountries open(Path file) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("tern.dns.maxmind-db: cannot read " + file
          + "; give the path of a GeoIP2 or GeoLite2 Country .mmdb file, or remove the key");
    }
    DatabaseReader reader;
    try {
      reader = new DatabaseReader.Builder(file.toFile()).build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("tern.dns.maxmind-db: " + file + " is not a MaxMind database ("
          + e.getMessage() + ")", e);
    }
    String type = reader.getMetadata().getDatabaseType();
    if (!type.contains("Country")) {
      closeQuietly(reader);
      throw new IllegalArgumentException("tern.dns.maxmind-db: " + file + " is a " + type
          + " database; give a GeoIP2 or GeoLite2 Country database");
    }
    return new GeoIpCountries(reader);
  }

  /**
   * Looks up the first {@code bits} bits of {@code address}; on a known country sets {@code out}
   * (zone and scope) and returns true. A lookup that fails is logged and counts as not found.
   */
  boolean lookup(byte[] address, int bits, ClientSubnets.Match out) {
    try {
      byte[] masked = address.clone();
      for (int i = 0; i < masked.length; i++) {
        int keep = Math.max(0, Math.min(8, bits - i * 8));
        masked[i] = (byte) (masked[i] & (0xFF << (8 - keep)));
      }
      Optional<CountryResponse> response = reader.tryCountry(InetAddress.getByAddress(masked));
      if (response.isEmpty()) {
        return false;
      }
      String iso = response.get().getCountry().getIsoCode();
      if (iso == null || !Countries.isKnown(iso)) {
        return false;
      }
      out.zone = new ClientZone.Country(iso);
      out.scope = response.get().getTraits().getNetwork() == null
          ? bits : response.get().getTraits().getNetwork().getPrefixLength();
      return true;
    } catch (IOException | GeoIp2Exception | RuntimeException e) {
      long n = failures.incrementAndGet();
      if (n == 1 || n % 10_000 == 0) {
        LOG.warn("GeoIP lookup failed ({} so far); the client is in default: {}", n, e.toString());
      }
      return false;
    }
  }

  @Override
  public void close() {
    closeQuietly(reader);
  }

  private static void closeQuietly(DatabaseReader reader) {
    try {
      reader.close();
    } catch (IOException e) {
      LOG.debug("closing the GeoIP database failed", e);
    }
  }
}
