package dev.tern.controlplane.provider.route53;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Plans into Route 53 record sets, and the changes between two sets of them: tables, no SDK. */
class Route53TranslationTest {

  static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

  static ZoneAnswer zone(String key, WeightedAnswer... answers) {
    return new ZoneAnswer(ClientZone.parse(key).orElseThrow(), ZoneAnswer.Mode.NORMAL, List.of(answers), List.of("test"));
  }

  static WeightedAnswer answer(String backend, String address, int weight) {
    return new WeightedAnswer(backend, address, weight, WeightedAnswer.Standing.HEALTHY);
  }

  static RoutingPlan plan(long version, ZoneAnswer... zones) {
    return new RoutingPlan("shop", "Shop.GSLB.example.com", version, 1, 30, T, List.of(), List.of(zones));
  }

  @Test
  void each_zone_gets_weighted_records_under_its_own_name_and_geolocation_aliases_at_the_hostname() {
    List<Route53Record> records = Route53Translation.records(plan(1,
        zone("EU", answer("fra", "192.0.2.10", 700), answer("ams", "192.0.2.20", 300)),
        zone("north-america", answer("iad", "198.51.100.10", 1000)),
        zone("default", answer("iad", "198.51.100.10", 1000))), "tern-prod");

    Route53Record fra = find(records, "z-eu.shop.gslb.example.com.", "A", "eu-fra");
    assertEquals(OptionalLong.of(179), fra.weight(), "700 of 1000 is 179 of 255");
    assertEquals(OptionalLong.of(30), fra.ttl());
    assertEquals(List.of("192.0.2.10"), fra.values());
    assertEquals(OptionalLong.of(77), find(records, "z-eu.shop.gslb.example.com.", "A", "eu-ams").weight());

    Route53Record na = find(records, "shop.gslb.example.com.", "A", "geo-north-america");
    assertEquals(Optional.of(Route53Record.Geo.continent("NA")), na.geo());
    assertEquals(Optional.of("z-north-america.shop.gslb.example.com."), na.aliasTarget());
    assertEquals(OptionalLong.empty(), na.ttl(), "an alias takes its target's TTL");
    assertEquals(Optional.of(Route53Record.Geo.country("*")),
        find(records, "shop.gslb.example.com.", "A", "geo-default").geo());

    long euCountries = records.stream().filter(r -> r.setIdentifier().orElse("").startsWith("geo-eu-")).count();
    assertEquals(30, euCountries, "one record per EU/EEA country (27 EU, Iceland, Liechtenstein, Norway)");
    assertEquals(Optional.of("z-eu.shop.gslb.example.com."), find(records, "shop.gslb.example.com.", "A", "geo-eu-de").aliasTarget());

    Route53Record owner = records.getLast();
    assertEquals("tern-owner.shop.gslb.example.com.", owner.name());
    assertEquals(List.of("\"heritage=tern,tern/owner=tern-prod,tern/service=shop\""), owner.values());
  }

  @Test
  void a_country_zone_of_its_own_takes_that_country_out_of_the_eu_records() {
    List<Route53Record> records = Route53Translation.records(plan(1,
        zone("DE", answer("fra", "192.0.2.10", 1000)),
        zone("EU", answer("ams", "192.0.2.20", 1000))), "o");
    assertTrue(records.stream().noneMatch(r -> r.setIdentifier().equals(Optional.of("geo-eu-de"))));
    assertEquals(Optional.of("z-de.shop.gslb.example.com."), find(records, "shop.gslb.example.com.", "A", "geo-de").aliasTarget());
    assertEquals(29, records.stream().filter(r -> r.setIdentifier().orElse("").startsWith("geo-eu-")).count());
  }

  @Test
  void ipv6_answers_are_aaaa_and_an_empty_zone_gets_no_record() {
    List<Route53Record> records = Route53Translation.records(plan(1,
        new ZoneAnswer(ClientZone.parse("asia").orElseThrow(), ZoneAnswer.Mode.NO_ANSWER, List.of(), List.of("residency")),
        zone("default", answer("iad", "2001:db8::10", 1000))), "o");
    assertEquals("AAAA", find(records, "z-default.shop.gslb.example.com.", "AAAA", "default-iad").type());
    assertEquals("AAAA", find(records, "shop.gslb.example.com.", "AAAA", "geo-default").type());
    assertTrue(records.stream().noneMatch(r -> r.name().startsWith("z-asia")));
  }

  @ParameterizedTest(name = "plan weight {0} is Route 53 weight {1}")
  @CsvSource({"0,0", "1,1", "3,1", "500,128", "999,255", "1000,255"})
  void weights_scale_to_route_53s_range_and_a_live_answer_never_drops_to_zero(int plan, long route53) {
    assertEquals(route53, Route53Translation.scale(plan));
  }

  @Test
  void a_failover_changes_only_the_records_that_moved_and_upsert_only_never_deletes() {
    List<Route53Record> before = Route53Translation.records(plan(1,
        zone("EU", answer("fra", "192.0.2.10", 1000)), zone("default", answer("iad", "198.51.100.10", 1000))), "o");
    List<Route53Record> after = Route53Translation.records(plan(2,
        zone("EU", answer("ams", "192.0.2.20", 1000)), zone("default", answer("iad", "198.51.100.10", 1000))), "o");
    List<Route53Diff.Change> changes = Route53Diff.between(before, after, Route53Diff.Policy.SYNC);
    assertEquals(List.of(
        "DELETE z-eu.shop.gslb.example.com. A [eu-fra]",
        "UPSERT z-eu.shop.gslb.example.com. A [eu-ams] weight 255 192.0.2.20 ttl 30"),
        changes.stream().map(Route53Diff.Change::toString).toList());
    assertEquals(List.of(), Route53Diff.between(after, after, Route53Diff.Policy.SYNC), "the same plan changes nothing");
    assertEquals(List.of("UPSERT z-eu.shop.gslb.example.com. A [eu-ams] weight 255 192.0.2.20 ttl 30"),
        Route53Diff.between(before, after, Route53Diff.Policy.UPSERT_ONLY).stream().map(Route53Diff.Change::toString).toList());
  }

  @Test
  void aliases_are_deleted_before_their_targets_and_upserted_after_them() {
    List<Route53Record> one = Route53Translation.records(plan(1, zone("asia", answer("sin", "203.0.113.10", 1000))), "o");
    List<Route53Record> other = Route53Translation.records(plan(2, zone("europe", answer("fra", "192.0.2.10", 1000))), "o");
    List<String> changes = Route53Diff.between(one, other, Route53Diff.Policy.SYNC).stream()
        .map(c -> c.action() + " " + c.record().name() + " " + c.record().setIdentifier().orElse("")).toList();
    assertEquals(List.of(
        "DELETE shop.gslb.example.com. geo-asia",
        "DELETE z-asia.shop.gslb.example.com. asia-sin",
        "UPSERT z-europe.shop.gslb.example.com. europe-fra",
        "UPSERT shop.gslb.example.com. geo-europe"), changes);
  }

  @Test
  void only_the_hostname_its_zone_names_and_the_ownership_record_are_tern_s() {
    String host = "shop.gslb.example.com.";
    for (String mine : List.of(host, "z-eu." + host, "tern-owner." + host)) {
      assertTrue(Route53Translation.managedName(mine, host), mine);
    }
    for (String theirs : Set.of("www.gslb.example.com.", "a.z-eu." + host, "z-eu.other.gslb.example.com.", "mail." + host)) {
      assertTrue(!Route53Translation.managedName(theirs, host), theirs);
    }
  }

  static Route53Record find(List<Route53Record> records, String name, String type, String setIdentifier) {
    return records.stream().filter(r -> r.name().equals(name) && r.type().equals(type)
        && r.setIdentifier().equals(Optional.of(setIdentifier))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " " + type + " [" + setIdentifier + "] in " + records));
  }
}
