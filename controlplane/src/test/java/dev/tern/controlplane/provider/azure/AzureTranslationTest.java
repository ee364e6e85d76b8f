package dev.tern.controlplane.provider.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Countries;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Plans into Traffic Manager profiles, zones into Azure's geography, and the changes between them: tables, no SDK. */
class AzureTranslationTest {

  static final Instant T = Instant.parse("2026-11-24T10:00:00Z");
  static final String IP_ID =
      "/subscriptions/sub-1/resourceGroups/net/providers/Microsoft.Network/publicIPAddresses/ams";
  static final AzureTranslation.Scope SCOPE = new AzureTranslation.Scope("sub-1", "rg-tern", "tern-prod", "tern-shop",
      Map.of("ams", IP_ID));

  static ZoneAnswer zone(String key, WeightedAnswer... answers) {
    return new ZoneAnswer(ClientZone.parse(key).orElseThrow(), ZoneAnswer.Mode.NORMAL, List.of(answers),
        List.of("test"));
  }

  static ZoneAnswer nothing(String key) {
    return new ZoneAnswer(ClientZone.parse(key).orElseThrow(), ZoneAnswer.Mode.NO_ANSWER, List.of(),
        List.of("residency"));
  }

  static WeightedAnswer answer(String backend, String address, int weight) {
    return new WeightedAnswer(backend, address, weight, WeightedAnswer.Standing.HEALTHY);
  }

  static RoutingPlan plan(long version, ZoneAnswer... zones) {
    return new RoutingPlan("shop", "shop.example.com", version, 1, 30, T, List.of(), List.of(zones));
  }

  static AzureTmProfile find(List<AzureTmProfile> profiles, String name) {
    return profiles.stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no profile " + name + " in " + profiles));
  }

  @Test
  void a_geographic_parent_nests_one_weighted_child_per_zone() {
    List<AzureTmProfile> profiles = AzureTranslation.profiles(plan(1,
        zone("EU", answer("fra", "192.0.2.10", 700), answer("ams", "192.0.2.20", 300)),
        zone("north-america", answer("iad", "198.51.100.10", 1000)),
        zone("default", answer("iad", "198.51.100.10", 1000))), SCOPE);

    assertEquals(List.of("tern-shop-eu", "tern-shop-north-america", "tern-shop-default", "tern-shop"),
        profiles.stream().map(AzureTmProfile::name).toList(), "children first (most specific first), parent last");
    AzureTmProfile parent = profiles.getLast();
    assertEquals("Geographic", parent.routingMethod());
    assertEquals("tern-shop", parent.relativeName());
    assertEquals(30, parent.ttl());
    assertEquals(Map.of("tern-owner", "tern-prod", "tern-service", "shop"), parent.tags());
    AzureTmEndpoint eu = parent.endpoint("zone-eu").orElseThrow();
    assertEquals(AzureTmEndpoint.Kind.NESTED, eu.kind());
    assertEquals(SCOPE.profileId("tern-shop-eu").toLowerCase(), eu.target());
    assertEquals(new TreeSet<>(Countries.EU_EEA), new TreeSet<>(eu.geoMapping()), "the 30 EU/EEA countries");
    assertEquals(List.of("GEO-NA"), parent.endpoint("zone-north-america").orElseThrow().geoMapping());
    assertEquals(List.of("WORLD"), parent.endpoint("zone-default").orElseThrow().geoMapping());
    assertTrue(parent.endpoints().stream().allMatch(e -> e.alwaysServe() && e.enabled()));

    AzureTmProfile child = find(profiles, "tern-shop-eu");
    assertEquals("Weighted", child.routingMethod());
    assertEquals("tern-shop-eu", child.relativeName());
    assertEquals(Map.of("tern-owner", "tern-prod", "tern-service", "shop", "tern-zone", "EU"), child.tags());
    AzureTmEndpoint fra = child.endpoint("fra").orElseThrow();
    assertEquals(new AzureTmEndpoint("fra", AzureTmEndpoint.Kind.EXTERNAL, "192.0.2.10", 700, List.of(), true, true),
        fra);
    AzureTmEndpoint ams = child.endpoint("ams").orElseThrow();
    assertEquals(AzureTmEndpoint.Kind.AZURE, ams.kind(), "a backend mapped to a public IP is an Azure endpoint");
    assertEquals(IP_ID.toLowerCase(), ams.target());
    assertEquals(300, ams.weight());
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(delimiter = '|', value = {
      "default       | WORLD",
      "europe        | GEO-EU",
      "asia          | GEO-AS GEO-ME",
      "north-america | GEO-NA",
      "antarctica    | GEO-AN BV GS HM TF",
      "DE            | DE",
      "US            | US"})
  void zones_map_to_azure_regions_where_they_coincide_and_to_countries_where_not(String zone, String codes) {
    assertEquals(List.of(codes.split(" ")), AzureGeography.codesFor(ClientZone.parse(zone).orElseThrow()));
  }

  @ParameterizedTest(name = "{0} lists its countries, not {1}")
  @CsvSource({"africa,GEO-AF,ZA,BV", "oceania,GEO-AP,AU,HM", "south-america,GEO-SA,BR,GS"})
  void a_continent_azure_draws_differently_is_written_country_by_country(String zone, String region, String member,
      String antarctic) {
    List<String> codes = AzureGeography.codesFor(ClientZone.parse(zone).orElseThrow());
    assertFalse(codes.contains(region), region + " holds " + antarctic + ", which Tern counts as antarctica");
    assertTrue(codes.contains(member));
    assertFalse(codes.contains(antarctic));
  }

  @Test
  void every_country_tern_knows_is_covered_once_by_the_continents_except_those_azure_does_not_list() {
    Set<String> covered = new HashSet<>();
    for (String continent : List.of("africa", "antarctica", "asia", "europe", "north-america", "oceania",
        "south-america")) {
      for (String code : AzureGeography.codesFor(ClientZone.parse(continent).orElseThrow())) {
        Set<String> countries = AzureGeography.REGIONS.getOrDefault(code, Set.of(code));
        for (String c : countries) {
          if (Countries.isKnown(c)) {
            assertTrue(covered.add(c), c + " mapped twice");
          }
        }
      }
    }
    Set<String> missing = new TreeSet<>(Countries.codes());
    missing.removeAll(covered);
    assertEquals(Set.of("EH"), missing, "Western Sahara is not in Azure's hierarchy");
    assertEquals(List.of("EH"), AzureGeography.unnamed(ClientZone.parse("africa").orElseThrow()));
    assertEquals(List.of(), AzureGeography.unnamed(ClientZone.EU));
  }

  @Test
  void a_country_zone_takes_its_code_out_of_the_eu_list_so_no_code_is_mapped_twice() {
    AzureTmProfile parent = AzureTranslation.profiles(plan(1,
        zone("DE", answer("fra", "192.0.2.10", 1000)),
        zone("EU", answer("ams", "192.0.2.20", 1000)),
        zone("europe", answer("lon", "192.0.2.30", 1000)),
        zone("default", answer("iad", "198.51.100.10", 1000))), SCOPE).getLast();
    assertEquals(List.of("DE"), parent.endpoint("zone-de").orElseThrow().geoMapping());
    List<String> eu = parent.endpoint("zone-eu").orElseThrow().geoMapping();
    assertEquals(29, eu.size());
    assertFalse(eu.contains("DE"));
    assertEquals(List.of("GEO-EU"), parent.endpoint("zone-europe").orElseThrow().geoMapping(),
        "a region and its countries may be on different endpoints: the most specific wins");
    Set<String> all = new HashSet<>();
    parent.endpoints().forEach(e -> e.geoMapping().forEach(c -> assertTrue(all.add(c), c + " twice")));
  }

  @Test
  void a_zone_answering_nothing_keeps_its_endpoint_and_its_child_is_disabled_so_azure_answers_nodata() {
    List<AzureTmProfile> profiles = AzureTranslation.profiles(plan(1, nothing("EU"),
        zone("default", answer("iad", "198.51.100.10", 1000))), SCOPE);
    AzureTmProfile eu = find(profiles, "tern-shop-eu");
    assertFalse(eu.enabled(), "a disabled child: NODATA, no fallback to WORLD's backends");
    assertEquals(List.of(), eu.endpoints());
    assertTrue(profiles.getLast().endpoint("zone-eu").orElseThrow().enabled(),
        "a disabled nested endpoint would be skipped and its clients answered from WORLD");
  }

  @Test
  void an_answer_of_weight_zero_is_disabled_unless_every_answer_is_zero() {
    AzureTmProfile one = AzureTranslation.profiles(plan(1, zone("default", answer("iad", "198.51.100.10", 1000),
        answer("sfo", "198.51.100.20", 0))), SCOPE).getFirst();
    assertFalse(one.endpoint("sfo").orElseThrow().enabled());
    assertEquals(1, one.endpoint("sfo").orElseThrow().weight());
    AzureTmProfile all = AzureTranslation.profiles(plan(1, zone("default", answer("iad", "198.51.100.10", 0),
        answer("sfo", "198.51.100.20", 0))), SCOPE).getFirst();
    assertTrue(all.endpoints().stream().allMatch(e -> e.enabled() && e.weight() == 1));
  }

  @ParameterizedTest(name = "plan weight {0} is Azure weight {1}")
  @CsvSource({"0,1", "1,1", "333,333", "999,999", "1000,1000"})
  void weights_keep_their_value_within_azures_range(int plan, long azure) {
    assertEquals(azure, AzureTranslation.scale(plan));
  }

  @Test
  void a_failover_changes_only_the_endpoints_that_moved_and_the_same_plan_changes_nothing() {
    List<AzureTmProfile> before = AzureTranslation.profiles(plan(1,
        zone("EU", answer("fra", "192.0.2.10", 1000)), zone("default", answer("iad", "198.51.100.10", 1000))), SCOPE);
    List<AzureTmProfile> after = AzureTranslation.profiles(plan(2,
        zone("EU", answer("ams", "192.0.2.20", 1000)), zone("default", answer("iad", "198.51.100.10", 1000))), SCOPE);
    List<AzureDiff.Change> changes = AzureDiff.between(before, after, AzureDiff.Policy.SYNC);
    assertEquals(List.of(
        "delete endpoint tern-shop-eu/externalEndpoints fra -> 192.0.2.10 weight 1000",
        "create endpoint tern-shop-eu/azureEndpoints ams -> " + IP_ID.toLowerCase() + " weight 1000"),
        changes.stream().map(AzureDiff.Change::toString).toList());
    assertEquals(List.of(), AzureDiff.between(after, after, AzureDiff.Policy.SYNC));
    assertEquals(List.of(AzureDiff.Action.PUT_ENDPOINT), AzureDiff.between(before, after, AzureDiff.Policy.UPSERT_ONLY)
        .stream().map(AzureDiff.Change::action).toList(), "upsert-only never deletes");
  }

  @Test
  void codes_move_between_endpoints_only_after_their_old_endpoint_let_go_and_profiles_go_last() {
    List<AzureTmProfile> one = AzureTranslation.profiles(plan(1,
        zone("DE", answer("fra", "192.0.2.10", 1000)), zone("EU", answer("ams", "192.0.2.20", 1000))), SCOPE);
    List<AzureTmProfile> other = AzureTranslation.profiles(plan(2,
        zone("EU", answer("ams", "192.0.2.20", 1000)), zone("FR", answer("par", "192.0.2.40", 1000))), SCOPE);
    List<String> changes = AzureDiff.between(one, other, AzureDiff.Policy.SYNC).stream()
        .map(c -> c.verb() + " " + c.action() + " " + c.profile().name() + c.after().or(c::before)
            .map(e -> "/" + e.name()).orElse("")).toList();
    assertEquals(List.of(
        "create CREATE_PROFILE tern-shop-fr",
        "delete DELETE_ENDPOINT tern-shop/zone-de",
        "update PUT_ENDPOINT tern-shop/zone-eu",
        "create PUT_ENDPOINT tern-shop/zone-fr",
        "delete DELETE_PROFILE tern-shop-de"), changes);
  }

  @Test
  void upsert_only_keeps_an_old_zone_and_leaves_its_codes_with_it() {
    List<AzureTmProfile> one = AzureTranslation.profiles(plan(1,
        zone("DE", answer("fra", "192.0.2.10", 1000)), zone("EU", answer("ams", "192.0.2.20", 1000))), SCOPE);
    List<AzureTmProfile> other =
        AzureTranslation.profiles(plan(2, zone("EU", answer("ams", "192.0.2.20", 1000))), SCOPE);
    assertEquals(List.of(), AzureDiff.between(one, other, AzureDiff.Policy.UPSERT_ONLY),
        "DE stays with the kept zone-de, so zone-eu need not change");
  }

  @Test
  void tags_others_add_are_never_a_difference_and_are_kept_on_update() {
    AzureTmProfile want = AzureTranslation.profiles(plan(1, zone("default", answer("iad", "198.51.100.10", 1000))),
        SCOPE).getLast();
    java.util.Map<String, String> tags = new java.util.HashMap<>(want.tags());
    tags.put("cost-centre", "42");
    AzureTmProfile have = new AzureTmProfile(want.name(), want.routingMethod(), want.relativeName(), want.ttl(),
        want.enabled(), tags, want.endpoints(), java.util.Optional.of("tern-shop.trafficmanager.net"));
    assertEquals(List.of(), AzureDiff.between(List.of(have), List.of(want), AzureDiff.Policy.SYNC)
        .stream().filter(c -> c.profile().name().equals("tern-shop")).toList());
    AzureTmProfile longer = new AzureTmProfile(want.name(), want.routingMethod(), want.relativeName(), 300,
        want.enabled(), want.tags(), want.endpoints(), java.util.Optional.empty());
    AzureDiff.Change update = AzureDiff.between(List.of(have), List.of(longer), AzureDiff.Policy.SYNC).stream()
        .filter(c -> c.action() == AzureDiff.Action.UPDATE_PROFILE).findFirst().orElseThrow();
    assertEquals("42", update.profile().tags().get("cost-centre"));
    assertEquals(300, update.profile().ttl());
  }
}
