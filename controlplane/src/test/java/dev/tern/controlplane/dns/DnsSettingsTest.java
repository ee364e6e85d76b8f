package dev.tern.controlplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ClientZone;
import io.micronaut.context.env.PropertySource;
import io.micronaut.context.env.PropertySourcePropertyResolver;
import io.micronaut.context.env.yaml.YamlPropertySourceLoader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tern.dns.*} as read from YAML: CIDR map keys survive, defaults apply, mistakes are named. */
class DnsSettingsTest {

  static DnsSettings read(String yaml) throws Exception {
    Map<String, Object> values = new YamlPropertySourceLoader()
        .read("test.yml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    return DnsSettings.from(new PropertySourcePropertyResolver(PropertySource.of("test.yml", values)));
  }

  @Test
  void cidr_keys_zones_and_nested_knobs_are_read() throws Exception {
    DnsSettings s = read("""
        tern:
          dns:
            port: 0
            zones: [GSLB.Example.com.]
            ns: [ns1.example.net]
            soa:
              minimum: 30
            client-subnets:
              198.51.100.0/24: EU
              "2001:db8:e000::/40": DE
              10.0.0.0/8: north-america
            axfr-allow: [127.0.0.0/8]
            rate-limit:
              responses-per-second: 50
              slip: 3
            tcp:
              idle-timeout: 2s
        """);
    assertEquals(List.of("gslb.example.com"), s.zones());
    assertEquals(List.of("ns1.example.net"), s.ns());
    assertEquals(30, s.soa().minimum());
    assertEquals(3600, s.soa().refresh(), "unset knobs keep their defaults");
    assertEquals(Map.of("198.51.100.0/24", "EU", "2001:db8:e000:0:0:0:0:0/40", "DE", "10.0.0.0/8", "north-america"),
        s.clientSubnets().stream().collect(java.util.stream.Collectors.toMap(
            e -> e.cidr().toString(), e -> e.zone().key())));
    assertEquals(new ClientZone.Country("DE"), s.clientSubnets().get(1).zone());
    assertEquals(1, s.axfrAllow().size());
    assertEquals(new DnsSettings.RateLimit(50, 3, 65536), s.rateLimit());
    assertEquals(Duration.ofSeconds(2), s.tcp().idleTimeout());
    assertEquals(1232, s.ednsUdpSize());
    assertTrue(s.enabled());
    assertEquals("127.0.0.1", s.host());
  }

  @Test
  void mistakes_name_the_key_and_what_to_write() {
    IllegalArgumentException zone = assertThrows(IllegalArgumentException.class, () -> read("""
        tern:
          dns:
            client-subnets:
              198.51.100.0/24: Europa
        """));
    assertTrue(zone.getMessage().contains("tern.dns.client-subnets.198.51.100.0/24")
        && zone.getMessage().contains("not a client zone"), zone.getMessage());
    IllegalArgumentException cidr = assertThrows(IllegalArgumentException.class, () -> read("""
        tern:
          dns:
            axfr-allow: [localhost]
        """));
    assertTrue(cidr.getMessage().contains("tern.dns.axfr-allow"), cidr.getMessage());
    IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> read("""
        tern:
          dns:
            port: 70000
        """));
    assertTrue(port.getMessage().contains("tern.dns.port"), port.getMessage());
  }
}
