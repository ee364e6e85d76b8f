package dev.tern.controlplane.provider.clouddns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.RegionCatalog;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import dev.tern.policy.yaml.PolicyParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Plans into Cloud DNS record sets, the changes between two sets of them, and what Cloud DNS cannot express: tables, no SDK. */
class CloudDnsTranslationTest {

  static final Instant T = Instant.parse("2026-11-24T10:00:00Z");
  static final String HOST = "shop.gslb.example.com.";

  static ZoneAnswer zone(String key, WeightedAnswer... answers) {
    return new ZoneAnswer(ClientZone.parse(key).orElseThrow(), ZoneAnswer.Mode.NORMAL, List.of(answers), List.of("test"));
  }

  static WeightedAnswer answer(String backend, String address, int weight) {
    return new WeightedAnswer(backend, address, weight, WeightedAnswer.Standing.HEALTHY);
  }

  static RoutingPlan plan(long version, ZoneAnswer... zones) {
    return new RoutingPlan("shop", "Shop.GSLB.example.com", version, 1, 30, T, List.of(), List.of(zones));
  }

  /** The demo's shop policy, with {@code edits} applied as (text, replacement) pairs. */
  static Service service(String... edits) {
    try (InputStream in = CloudDnsTranslationTest.class.getResourceAsStream("/demo/shop.yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("BACKEND_PORT", "8080");
      for (int i = 0; i < edits.length; i += 2) {
        assertTrue(yaml.contains(edits[i]), edits[i]);
        yaml = yaml.replace(edits[i], edits[i + 1]);
      }
      var parsed = new PolicyParser().parse(yaml);
      return parsed.policy().orElseThrow(() -> new AssertionError(parsed.toString())).services().getFirst();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static CloudDnsRecord find(List<CloudDnsRecord> records, String name, String type) {
    return records.stream().filter(r -> r.name().equals(name) && r.type().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " " + type + " in " + records));
  }

  static Map<String, String> geoTargets(List<CloudDnsRecord> records) {
    CloudDnsRecord.Geo geo = (CloudDnsRecord.Geo) find(records, HOST, "CNAME").routingPolicy().orElseThrow();
    return geo.items().stream().collect(Collectors.toMap(CloudDnsRecord.GeoItem::location, i -> i.rrdatas().getFirst()));
  }

  @Test
  void the_hostname_is_a_geo_cname_per_google_region_to_its_zone_s_name_and_each_zone_holds_weighted_answers() {
    List<CloudDnsRecord> records = CloudDnsTranslation.records(plan(1,
        zone("EU", answer("fra", "192.0.2.10", 700), answer("ams", "192.0.2.20", 300)),
        zone("north-america", answer("iad", "198.51.100.10", 1000)),
        zone("default", answer("sin", "203.0.113.10", 1000))), false, "tern-prod");

    CloudDnsRecord host = find(records, HOST, "CNAME");
    assertEquals(30, host.ttl());
    CloudDnsRecord.Geo geo = (CloudDnsRecord.Geo) host.routingPolicy().orElseThrow();
    assertFalse(geo.fencing(), "no residency rules, no fencing");
    assertEquals(RegionCatalog.names(Cloud.GCP).size(), geo.items().size(), "one item per Google Cloud region");

    CloudDnsRecord eu = find(records, "z-eu." + HOST, "A");
    assertEquals(Optional.of(new CloudDnsRecord.Wrr(List.of(new CloudDnsRecord.WrrItem(700, List.of("192.0.2.10")),
        new CloudDnsRecord.WrrItem(300, List.of("192.0.2.20"))))), eu.routingPolicy(), "weights are the plan's, of 1000");
    assertEquals(List.of(), eu.rrdatas());
    CloudDnsRecord na = find(records, "z-north-america." + HOST, "A");
    assertEquals(List.of("198.51.100.10"), na.rrdatas(), "one answer is a plain record set");
    assertEquals(Optional.empty(), na.routingPolicy());

    CloudDnsRecord owner = records.getLast();
    assertEquals("tern-owner." + HOST, owner.name());
    assertEquals(List.of("\"heritage=tern,tern/owner=tern-prod,tern/service=shop\""), owner.rrdatas());
    assertEquals(5, records.size(), "hostname, three zone names, ownership");
  }

  @ParameterizedTest(name = "{0} ({1}) answers from {2}")
  @CsvSource({
      "europe-west3, DE, z-eu", "europe-west1, BE, z-eu", "europe-north1, FI, z-eu",
      "europe-west2, GB, z-default", "europe-west6, CH, z-default",
      "us-east1, US, z-north-america", "northamerica-northeast1, CA, z-north-america",
      "southamerica-east1, BR, z-default", "asia-southeast1, SG, z-default", "africa-south1, ZA, z-default"})
  void each_region_answers_from_the_most_specific_plan_zone_its_country_lies_in(String region, String country,
      String zone) {
    Map<String, String> targets = geoTargets(CloudDnsTranslation.records(plan(1,
        zone("EU", answer("fra", "192.0.2.10", 1000)), zone("north-america", answer("iad", "198.51.100.10", 1000)),
        zone("default", answer("sin", "203.0.113.10", 1000))), false, "o"));
    assertEquals(country, RegionCatalog.find(Cloud.GCP, region).orElseThrow().country());
    assertEquals(zone + "." + HOST, targets.get(region));
  }

  @ParameterizedTest(name = "with residency, {0} answers from {1}")
  @CsvSource({"europe-west2, z-eu", "europe-west6, z-eu", "me-west1, z-eu", "europe-west3, z-eu",
      "me-central1, z-default", "us-east1, z-north-america"})
  void with_residency_the_regions_nearest_eu_countries_answer_as_the_eu_zone(String region, String zone) {
    // Irish clients are matched to London, Liechtenstein's to Zurich, Cyprus's to Tel Aviv: all must get EU answers.
    Map<String, String> targets = geoTargets(CloudDnsTranslation.records(plan(1,
        zone("EU", answer("fra", "192.0.2.10", 1000)), zone("north-america", answer("iad", "198.51.100.10", 1000)),
        zone("default", answer("sin", "203.0.113.10", 1000))), true, "o"));
    assertEquals(zone + "." + HOST, targets.get(region));
  }

  @Test
  void a_country_zone_of_its_own_takes_its_regions_and_a_zone_without_a_region_gets_no_record() {
    List<CloudDnsRecord> records = CloudDnsTranslation.records(plan(1,
        zone("DE", answer("fra", "192.0.2.10", 1000)), zone("AT", answer("vie", "192.0.2.30", 1000)),
        zone("EU", answer("ams", "192.0.2.20", 1000)), zone("default", answer("iad", "198.51.100.10", 1000))), true, "o");
    Map<String, String> targets = geoTargets(records);
    assertEquals("z-de." + HOST, targets.get("europe-west3"));
    assertEquals("z-de." + HOST, targets.get("europe-west10"));
    assertEquals("z-eu." + HOST, targets.get("europe-west4"));
    assertTrue(records.stream().noneMatch(r -> r.name().startsWith("z-at.")), "no Google Cloud region is in Austria");
    assertTrue(((CloudDnsRecord.Geo) find(records, HOST, "CNAME").routingPolicy().orElseThrow()).fencing());
  }

  @Test
  void a_zone_answering_nothing_keeps_its_name_with_a_txt_record_so_clients_get_no_data_rather_than_no_name() {
    List<CloudDnsRecord> records = CloudDnsTranslation.records(plan(1,
        new ZoneAnswer(ClientZone.EU, ZoneAnswer.Mode.NO_ANSWER, List.of(), List.of("residency")),
        zone("default", answer("iad", "198.51.100.10", 1000))), true, "o");
    assertEquals(List.of("\"tern: no answer\""), find(records, "z-eu." + HOST, "TXT").rrdatas());
    assertTrue(records.stream().noneMatch(r -> r.name().equals("z-eu." + HOST) && !r.type().equals("TXT")));
    assertEquals("z-eu." + HOST, geoTargets(records).get("europe-west3"));
  }

  @Test
  void ipv6_answers_are_aaaa_beside_the_a_answers_and_hostnames_are_cnames() {
    List<CloudDnsRecord> records = CloudDnsTranslation.records(plan(1,
        zone("EU", answer("fra", "192.0.2.10", 500), answer("fra6", "2001:db8::10", 500)),
        zone("default", answer("lb", "LB.example.net", 1000))), false, "o");
    assertEquals(List.of("192.0.2.10"), find(records, "z-eu." + HOST, "A").rrdatas());
    assertEquals(List.of("2001:db8::10"), find(records, "z-eu." + HOST, "AAAA").rrdatas());
    assertEquals(List.of("lb.example.net."), find(records, "z-default." + HOST, "CNAME").rrdatas());
  }

  @Test
  void a_failover_changes_only_the_record_set_that_moved_and_upsert_only_never_deletes() {
    List<CloudDnsRecord> before = CloudDnsTranslation.records(plan(1,
        zone("EU", answer("fra", "192.0.2.10", 1000)), zone("asia", answer("sin", "203.0.113.10", 1000)),
        zone("default", answer("iad", "198.51.100.10", 1000))), false, "o");
    List<CloudDnsRecord> after = CloudDnsTranslation.records(plan(2,
        zone("EU", answer("ams", "192.0.2.20", 1000)), zone("default", answer("iad", "198.51.100.10", 1000))), false,
        "o");
    assertEquals(List.of(
        "update shop.gslb.example.com. CNAME",
        "delete z-asia.shop.gslb.example.com. A",
        "update z-eu.shop.gslb.example.com. A"),
        CloudDnsDiff.between(before, after, CloudDnsDiff.Policy.SYNC).stream().map(c -> c.action() + " " + c.key())
            .toList(), "asia's regions now answer from default; EU moved; asia's name goes");
    assertEquals(List.of(), CloudDnsDiff.between(after, after, CloudDnsDiff.Policy.SYNC), "the same plan changes nothing");
    assertTrue(CloudDnsDiff.between(before, after, CloudDnsDiff.Policy.UPSERT_ONLY).stream()
        .noneMatch(c -> c.action().equals("delete")));
  }

  @Test
  void item_order_means_nothing_to_cloud_dns_nor_to_the_diff() {
    CloudDnsRecord one = CloudDnsRecord.routed("a.example.com.", "A", 30, new CloudDnsRecord.Wrr(List.of(
        new CloudDnsRecord.WrrItem(1, List.of("192.0.2.1")), new CloudDnsRecord.WrrItem(2, List.of("192.0.2.2")))));
    CloudDnsRecord other = CloudDnsRecord.routed("a.example.com.", "A", 30, new CloudDnsRecord.Wrr(List.of(
        new CloudDnsRecord.WrrItem(2, List.of("192.0.2.2")), new CloudDnsRecord.WrrItem(1, List.of("192.0.2.1")))));
    assertEquals(one, other);
    assertEquals(List.of(), CloudDnsDiff.between(List.of(one), List.of(other), CloudDnsDiff.Policy.SYNC));
  }

  static Stream<Arguments> expressible() {
    return Stream.of(
        Arguments.of("the demo shop: EU residency, every zone has Google Cloud regions", service(), List.of()),
        Arguments.of("a country zone without a region, not residency-bound",
            service("clientZones: [EU, north-america, asia]", "clientZones: [north-america, asia, NZ]",
                "  - zone: EU\n", "  - zone: DE\n"), List.of()),
        Arguments.of("a residency-bound zone without a region",
            service("clientZones: [EU, north-america, asia]", "clientZones: [EU, north-america, asia, AT]"),
            List.of("client zone AT is bound by residency (zone EU)")),
        Arguments.of("a hostname backend beside addresses",
            service("address: 127.0.1.6", "address: sin.shop.example.net"),
            List.of("backend gcp-singapore has a hostname (sin.shop.example.net) and backend aws-frankfurt an address")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressible")
  void cannot_express_says_why_in_words(String what, Service service, List<String> starts) {
    List<String> reasons = CloudDnsTranslation.cannotExpress(service);
    assertEquals(starts.size(), reasons.size(), reasons.toString());
    for (int i = 0; i < starts.size(); i++) {
      assertTrue(reasons.get(i).startsWith(starts.get(i)), reasons.get(i));
    }
  }

  @Test
  void only_the_hostname_its_zone_names_and_the_ownership_record_are_tern_s() {
    for (String mine : List.of(HOST, "z-eu." + HOST, "tern-owner." + HOST)) {
      assertTrue(CloudDnsTranslation.managedName(mine, HOST), mine);
    }
    for (String theirs : List.of("www.gslb.example.com.", "a.z-eu." + HOST, "z-eu.other.gslb.example.com.", "mail." + HOST)) {
      assertFalse(CloudDnsTranslation.managedName(theirs, HOST), theirs);
    }
  }
}
