package dev.tern.controlplane.provider.route53;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.testing.MotoServer;
import dev.tern.policy.routing.RoutingPlan;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * The Route 53 provider through the real AWS SDK against moto_server on loopback (started here;
 * a machine without it fails this test, saying so): a plan applied and read back, a failover
 * changing exactly what moved, a restart changing nothing, a hand edit found as drift and
 * corrected, and records Tern did not create left alone.
 */
class Route53ProviderMotoTest {

  static MotoServer moto;
  static Route53Client client;
  static String zoneId;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    client = moto.route53();
    zoneId = moto.createZone("gslb.example.com.");
  }

  @AfterAll
  static void stop() {
    if (moto != null) {
      moto.close();
    }
  }

  static Route53Provider provider() {
    return new Route53Provider("route53-test", zoneId, "tern-test", Route53Diff.Policy.SYNC, new SdkRoute53Api(client),
        Duration.ofMillis(10));
  }

  static RoutingPlan plan(long version, String euBackend, String euAddress) {
    return Route53TranslationTest.plan(version,
        Route53TranslationTest.zone("EU", Route53TranslationTest.answer(euBackend, euAddress, 1000)),
        Route53TranslationTest.zone("north-america", Route53TranslationTest.answer("iad", "198.51.100.10", 700),
            Route53TranslationTest.answer("eus", "198.51.100.20", 300)),
        Route53TranslationTest.zone("default", Route53TranslationTest.answer("iad", "198.51.100.10", 1000)));
  }

  static List<Route53Record> owned() {
    return new SdkRoute53Api(client).list(zoneId).stream()
        .filter(r -> Route53Translation.managedName(r.name(), "shop.gslb.example.com.")).toList();
  }

  @Test
  void a_plan_is_applied_read_back_failed_over_with_exactly_the_changes_and_kept_after_a_restart_and_a_hand_edit() {
    Route53Provider provider = provider();
    Route53Provider.Outcome first = provider.reconcile(plan(1, "fra", "192.0.2.10"), false);
    assertTrue(first.applied());
    List<Route53Record> desired = Route53Translation.records(plan(1, "fra", "192.0.2.10"), "tern-test");
    assertEquals(new HashSet<>(desired), new HashSet<>(owned()), "what Route 53 holds is what the plan says");
    assertEquals(Optional.of(Route53Record.Geo.country("DE")), Route53TranslationTest.find(owned(),
        "shop.gslb.example.com.", "A", "geo-eu-de").geo());

    Route53Provider.Outcome dry = provider.reconcile(plan(2, "ams", "192.0.2.20"), true);
    assertFalse(dry.applied());
    assertEquals(new HashSet<>(desired), new HashSet<>(owned()), "a dry run changes nothing");
    Route53Provider.Outcome failover = provider.reconcile(plan(2, "ams", "192.0.2.20"), false);
    assertEquals(List.of("DELETE z-eu.shop.gslb.example.com. A [eu-fra]",
        "UPSERT z-eu.shop.gslb.example.com. A [eu-ams] weight 255 192.0.2.20 ttl 30"),
        failover.changes().stream().map(Route53Diff.Change::toString).toList());
    assertEquals(dry.changes(), failover.changes(), "the dry run said what the run then did");

    Route53Provider restarted = provider();
    assertEquals(List.of(), restarted.reconcile(plan(2, "ams", "192.0.2.20"), false).changes(), "idempotent");

    // Someone edits a weight by hand in the console.
    client.changeResourceRecordSets(b -> b.hostedZoneId(zoneId).changeBatch(c -> c.changes(ch -> ch.action(ChangeAction.UPSERT)
        .resourceRecordSet(r -> r.name("z-north-america.shop.gslb.example.com.").type(RRType.A).setIdentifier("north-america-eus")
            .weight(200L).ttl(30L).resourceRecords(v -> v.value("198.51.100.20"))))));
    Route53Provider.Outcome drift = provider.reconcile(plan(2, "ams", "192.0.2.20"), false);
    assertTrue(drift.drift(), "a change for a plan version already applied is drift");
    assertEquals(List.of("UPSERT z-north-america.shop.gslb.example.com. A [north-america-eus] weight 77 198.51.100.20 ttl 30"),
        drift.changes().stream().map(Route53Diff.Change::toString).toList());
    assertEquals(List.of(), provider.reconcile(plan(2, "ams", "192.0.2.20"), false).changes(), "corrected");

    // iad leaves north-america but still answers default: only north-america's record of it goes.
    RoutingPlan moved = Route53TranslationTest.plan(3,
        Route53TranslationTest.zone("EU", Route53TranslationTest.answer("ams", "192.0.2.20", 1000)),
        Route53TranslationTest.zone("north-america", Route53TranslationTest.answer("eus", "198.51.100.20", 1000)),
        Route53TranslationTest.zone("default", Route53TranslationTest.answer("iad", "198.51.100.10", 1000)));
    provider.reconcile(moved, false);
    assertEquals(new HashSet<>(Route53Translation.records(moved, "tern-test")), new HashSet<>(owned()),
        "default's record of iad is kept");
    assertEquals(List.of(), provider().reconcile(moved, false).changes(), "and nothing is left to change");
  }

  @Test
  void records_tern_did_not_create_are_left_alone() {
    client.changeResourceRecordSets(b -> b.hostedZoneId(zoneId).changeBatch(c -> c.changes(ch -> ch.action(ChangeAction.UPSERT)
        .resourceRecordSet(r -> r.name("api.gslb.example.com.").type(RRType.A).ttl(60L)
            .resourceRecords(v -> v.value("203.0.113.99"))))));
    RoutingPlan api = new RoutingPlan("api", "api.gslb.example.com", 1, 1, 30, Route53TranslationTest.T, List.of(),
        List.of(Route53TranslationTest.zone("default", Route53TranslationTest.answer("iad", "198.51.100.10", 1000))));
    Route53Provider.OwnershipException refused = assertThrows(Route53Provider.OwnershipException.class,
        () -> provider().reconcile(api, false));
    assertTrue(refused.getMessage().contains("api.gslb.example.com. has records Tern did not create"), refused.getMessage());
    assertTrue(new SdkRoute53Api(client).list(zoneId).stream().anyMatch(r -> r.name().equals("api.gslb.example.com.")
        && r.values().equals(List.of("203.0.113.99"))), "the foreign record is still there");
  }
}
