package dev.tern.controlplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ZoneTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** A GeoIP country database behind the CIDR tables: countries become client zones, its networks the scope. */
class DnsGeoIpTest {

  @Test
  void addresses_no_cidr_entry_covers_are_placed_by_the_country_database(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("countries.mmdb");
    CountryDatabase.write(db, Map.of("100.64.0.0/16", "DE", "100.65.0.0/16", "US", "10.1.0.0/16", "US"));
    DnsSettings settings = DnsAnswersTest.settings();
    try (GeoIpCountries geo = GeoIpCountries.open(db)) {
      AnswerTable table = AnswerTable.build(settings, 1, DnsAnswersTest.plans("198.51.100.10"), ZoneTable.EMPTY,
          Optional.of(geo));
      try (DnsServer server = DnsRateLimitTest.start(settings, table, new DnsMetrics(new SimpleMeterRegistry()));
          DnsClient client = new DnsClient(server.port())) {
        Message de = client.udp(DnsClient.query("shop.tern.test", Type.A, 1232, DnsClient.ecs("100.64.9.0", 24)));
        assertEquals(Set.of("192.0.2.10", "192.0.2.20"), Set.copyOf(DnsAnswersTest.addresses(de)), "DE is in EU");
        assertEquals(16, DnsAnswersTest.echoedEcs(de).getScopePrefixLength());
        Message us = client.udp(DnsClient.query("shop.tern.test", Type.A, 1232, DnsClient.ecs("100.65.1.0", 24)));
        assertEquals(List.of("198.51.100.10"), DnsAnswersTest.addresses(us));
        // The configured CIDR table comes first: 10.1.0.0/16 is EU there, whatever the database says.
        Message eu = client.udp(DnsClient.query("shop.tern.test", Type.A, 1232, DnsClient.ecs("10.1.9.0", 24)));
        assertEquals(Set.of("192.0.2.10", "192.0.2.20"), Set.copyOf(DnsAnswersTest.addresses(eu)));
        Message nowhere = client.udp(DnsClient.query("shop.tern.test", Type.A, 1232, DnsClient.ecs("100.66.0.0", 24)));
        assertEquals(Set.of("198.51.100.10", "192.0.2.10"), Set.copyOf(DnsAnswersTest.addresses(nowhere)));
        Message debug = client.udp(DnsClient.query("_tern.shop.tern.test", Type.TXT, 1232,
            DnsClient.ecs("100.64.9.0", 24)));
        assertEquals("client-zone=DE",
            ((TXTRecord) debug.getSection(Section.ANSWER).getFirst()).getStrings().getFirst());
      }
    }
  }

  @Test
  void a_missing_or_foreign_file_stops_startup_with_the_key_to_fix(@TempDir Path dir) throws Exception {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> GeoIpCountries.open(dir.resolve("absent.mmdb")));
    assertTrue(missing.getMessage().contains("tern.dns.maxmind-db"), missing.getMessage());
    Path junk = dir.resolve("junk.mmdb");
    Files.writeString(junk, "not a database");
    IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> GeoIpCountries.open(junk));
    assertTrue(foreign.getMessage().contains("not a MaxMind database"), foreign.getMessage());
  }
}
