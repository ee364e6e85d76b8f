package dev.tern.controlplane.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.kubernetes.BackendMerge.MergedBackend;
import dev.tern.controlplane.kubernetes.BackendMerge.Rule;
import dev.tern.controlplane.kubernetes.DiscoveredBackend.Kind;
import dev.tern.controlplane.kubernetes.DiscoveredBackend.Source;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.Region;
import dev.tern.policy.geo.RegionCatalog;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.HealthCheck;
import dev.tern.policy.model.Jurisdiction;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The merge of declared and discovered backends, as a table: which names come out, in what order. */
class BackendMergeTest {

  private static final Region FRA = RegionCatalog.find(Cloud.AWS, "eu-central-1").orElseThrow();

  static Stream<Arguments> cases() {
    return Stream.of(
        // declared, discovered now, previous result's discovered names, exclude, pin -> names out
        Arguments.of("nothing discovered keeps the policy", "a b", "", "", "", "", "a b"),
        Arguments.of("discovered ones follow the declared, by name", "b", "z k", "", "", "", "b k z"),
        Arguments.of("a declared name wins over a discovered one", "k", "k z", "", "", "", "k z"),
        Arguments.of("excluded never added", "", "k z", "", "z", "", "k"),
        Arguments.of("removed and not pinned goes", "", "k", "k z", "", "", "k"),
        Arguments.of("removed but pinned stays", "", "k", "k z", "", "z", "k z"),
        Arguments.of("pinned and excluded: exclude wins", "", "", "z", "z", "z", ""),
        Arguments.of("pinned but never seen is absent", "", "k", "", "", "z", "k"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void merged_names(String why, String declared, String discovered, String previous, String exclude, String pin,
      String expected) {
    List<MergedBackend> prior = BackendMerge.merge(List.of(), words(previous).stream().map(n -> found(n, "192.0.2.9"))
        .toList(), List.of(), Rule.none(), HealthCheck.defaults());
    List<MergedBackend> out = BackendMerge.merge(words(declared).stream().map(BackendMergeTest::declared).toList(),
        words(discovered).stream().map(n -> found(n, "192.0.2.1")).toList(), prior,
        new Rule(Set.copyOf(words(exclude)), Set.copyOf(words(pin))), HealthCheck.defaults());
    assertEquals(words(expected), out.stream().map(m -> m.backend().name()).toList(), why);
  }

  @Test
  void a_discovered_backend_carries_its_cluster_values_and_is_marked() {
    DiscoveredBackend d = new DiscoveredBackend("fra-web", new Source("eks-fra", Kind.SERVICE, "shop", "web"), FRA,
        Jurisdiction.EU, "203.0.113.10", 40, 2, 500, false, List.of());
    MergedBackend m = BackendMerge.merge(List.of(), List.of(d), List.of(), Rule.none(), HealthCheck.defaults())
        .getFirst();
    assertTrue(m.discovered());
    assertFalse(m.ready());
    assertEquals(new Backend("fra-web", FRA, Jurisdiction.EU, "203.0.113.10", 40, 2, 500, HealthCheck.defaults()),
        m.backend());
  }

  @Test
  void a_pinned_backend_keeps_its_last_address_and_says_it_is_pinned() {
    List<MergedBackend> before = BackendMerge.merge(List.of(), List.of(found("k", "192.0.2.7")), List.of(),
        Rule.none(), HealthCheck.defaults());
    MergedBackend kept = BackendMerge.merge(List.of(), List.of(), before, new Rule(Set.of(), Set.of("k")),
        HealthCheck.defaults()).getFirst();
    assertEquals("192.0.2.7", kept.backend().address());
    assertTrue(kept.pinned());
    assertTrue(kept.discovered());
  }

  private static List<String> words(String s) {
    return s.isBlank() ? List.of() : Arrays.asList(s.split(" "));
  }

  private static Backend declared(String name) {
    return new Backend(name, FRA, Jurisdiction.EU, "198.51.100.1", 1, 1, 1000, HealthCheck.defaults());
  }

  private static DiscoveredBackend found(String name, String address) {
    return new DiscoveredBackend(name, new Source("eks-fra", Kind.SERVICE, "shop", name), FRA, Jurisdiction.EU,
        address, 1, 1, 1000, true, List.of());
  }
}
