package dev.tern.policy.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.RegionCatalog;
import dev.tern.policy.geo.ZoneTable;
import dev.tern.policy.model.Guardrails;
import dev.tern.policy.model.HealthCheck;
import dev.tern.policy.model.HealthSettings;
import dev.tern.policy.model.Policy;
import dev.tern.policy.model.ResidencyRule.WhenNoneHealthy;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.validation.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyParserTest {

  private final PolicyParser parser = new PolicyParser();

  /**
   * A valid policy touching every section; each rejection below breaks one line of it. The line
   * numbers are comments for the reader, removed before parsing.
   */
  private static final String NUMBERED = """
      kind: Service                        # 1
      name: shop                           # 2
      hostname: shop.gslb.example.com      # 3
      ttl: 30                              # 4
      routing:                             # 5
        method: geo                        # 6
        geo:                               # 7
          EU: [fra, ams]                   # 8
          default: [iad, fra]              # 9
      backends:                            # 10
        - name: fra                        # 11
          cloud: aws                       # 12
          region: eu-central-1             # 13
          jurisdiction: EU                 # 14
          address: 192.0.2.10              # 15
          weight: 100                      # 16
          priority: 1                      # 17
          healthCheck:                     # 18
            interval: 10s                  # 19
            timeout: 2s                    # 20
        - name: ams                        # 21
          cloud: azure                     # 22
          region: westeurope               # 23
          jurisdiction: EU                 # 24
          address: 192.0.2.20              # 25
        - name: iad                        # 26
          cloud: aws                       # 27
          region: us-east-1                # 28
          jurisdiction: US                 # 29
          address: 198.51.100.10           # 30
      residency:                           # 31
        - zone: EU                         # 32
          allow: [EU]                      # 33
      health:                              # 34
        quorum: 2                          # 35
      guardrails:                          # 36
        minHealthyBackends: 1              # 37
        maxAutoDrainShare: 50%             # 38
      demand:                              # 39
        EU: 400                            # 40
      ---                                  # 41
      kind: ZoneTable                      # 42
      entries:                             # 43
        - cidr: 198.51.100.0/24            # 44
          zone: DE                         # 45
      """;

  static final String BASE = NUMBERED.replaceAll(" +# \\d+\n", "\n");

  private static String base(String find, String replace) {
    int at = BASE.indexOf(find);
    if (at < 0 || BASE.indexOf(find, at + 1) >= 0) {
      throw new IllegalArgumentException("not exactly once in BASE: " + find);
    }
    return BASE.replace(find, replace);
  }

  private static void assertReported(
      ParsedPolicy result, String path, int line, int column, String fragment) {
    assertFalse(result.isValid());
    assertTrue(
        result.violations().stream().anyMatch(v -> v.path().equals(path)
            && v.line() == line && v.column() == column && v.message().contains(fragment)),
        () -> "expected " + line + ":" + column + ": " + path + ": ..." + fragment + "...\n got "
            + String.join("\n     ", result.violations().stream().map(Violation::toString).toList()));
  }

  @Test
  void the_base_policy_is_valid() {
    ParsedPolicy result = parser.parse(BASE);

    assertEquals(List.of(), result.violations());
  }

  static Stream<Arguments> rejections() {
    String s = "services.shop.";
    return Stream.of(
        Arguments.of("weight above 1000", "weight: 100", "weight: 1001",
            s + "backends[0].weight", 16, 13, "weight must be between 0 and 1000, got 1001"),
        Arguments.of("weight below 0", "weight: 100", "weight: -1",
            s + "backends[0].weight", 16, 13, "weight must be between 0 and 1000, got -1"),
        Arguments.of("ttl of 0", "ttl: 30", "ttl: 0",
            s + "ttl", 4, 6, "ttl must be between 1 and 86400 seconds, got 0"),
        Arguments.of("ttl above a day", "ttl: 30", "ttl: 86401",
            s + "ttl", 4, 6, "ttl must be between 1 and 86400 seconds, got 86401"),
        Arguments.of("unknown cloud", "cloud: aws\n    region: eu-central-1", "cloud: awz\n    region: eu-central-1",
            s + "backends[0].cloud", 12, 12, "unknown cloud 'awz'; did you mean 'aws'?"),
        Arguments.of("unknown cloud without a close match", "cloud: azure", "cloud: ibm",
            s + "backends[1].cloud", 22, 12, "unknown cloud 'ibm'; use one of aws, azure, gcp"),
        Arguments.of("unknown region", "region: eu-central-1", "region: eu-centrl-1",
            s + "backends[0].region", 13, 13,
            "unknown region 'eu-centrl-1' for aws; did you mean 'eu-central-1'?"),
        Arguments.of("region of another cloud", "region: westeurope", "region: eu-west-1",
            s + "backends[1].region", 23, 13,
            "unknown region 'eu-west-1' for azure; eu-west-1 is a region of aws"),
        Arguments.of("geo list naming a missing backend", "EU: [fra, ams]", "EU: [fra, amz]",
            s + "routing.geo.EU[1]", 8, 15,
            "service 'shop' has no backend 'amz'; did you mean 'ams'?"),
        Arguments.of("geo map without default", "    default: [iad, fra]", "    north-america: [iad, fra]",
            s + "routing.geo", 7, 3, "the geo map has no 'default' list"),
        Arguments.of("geo map on a non-geo method", "method: geo", "method: weighted",
            s + "routing.geo", 7, 3, "'geo' applies only to method geo; remove it or set method: geo"),
        Arguments.of("tolerance on a non-latency method", "  method: geo\n", "  method: geo\n  tolerance: 20ms\n",
            s + "routing.tolerance", 7, 3, "'tolerance' applies only to method latency"),
        Arguments.of("residency no backend can satisfy", "allow: [EU]", "allow: [CH]",
            s + "residency[0].allow", 33, 5,
            "residency for EU allows only [CH], but no backend of service 'shop' is in those"
                + " jurisdictions, so clients in EU could never be answered"),
        Arguments.of("residency zone whose geo fallback is impossible",
            "    EU: [fra, ams]\n    default: [iad, fra]", "    default: [iad]",
            s + "residency[0].zone", 31, 11,
            "clients in EU have no geo list of their own and fall back to routing.geo.default"
                + " [iad], which names no backend residency allows them ([EU])"),
        Arguments.of("geo list naming a backend residency forbids", "EU: [fra, ams]", "EU: [fra, iad]",
            s + "routing.geo.EU[1]", 8, 15,
            "backend 'iad' is in jurisdiction US, but the residency rule for EU allows only [EU]"
                + " for clients in EU, so this entry could never be answered"),
        Arguments.of("duplicate residency zones", "    allow: [EU]", "    allow: [EU]\n  - zone: EU\n    allow: [EU]",
            s + "residency[1].zone", 34, 11, "zone EU already has a residency rule (residency[0])"),
        Arguments.of("EU jurisdiction outside the EU", "jurisdiction: US", "jurisdiction: EU",
            s + "backends[2].jurisdiction", 29, 19,
            "region aws:us-east-1 is in US, outside the EU/EEA; a backend there cannot be in"
                + " jurisdiction EU"),
        Arguments.of("invalid jurisdiction", "jurisdiction: US", "jurisdiction: us",
            s + "backends[2].jurisdiction", 29, 19,
            "jurisdiction 'us' must be 2-16 upper-case letters, digits or dashes"),
        Arguments.of("health check timeout not below interval", "timeout: 2s", "timeout: 10s",
            s + "backends[0].healthCheck.timeout", 20, 16,
            "timeout (10s) must be shorter than interval (10s)"),
        Arguments.of("tcp health check without a port", "      interval: 10s", "      kind: tcp\n      interval: 10s",
            s + "backends[0].healthCheck.port", 18, 5, "a tcp health check needs a port"),
        Arguments.of("quorum of one", "quorum: 2", "quorum: 1",
            s + "health.quorum", 35, 11,
            "quorum must be at least 2: one vantage point alone never fails a backend over"),
        Arguments.of("more healthy backends required than exist", "minHealthyBackends: 1", "minHealthyBackends: 4",
            s + "guardrails.minHealthyBackends", 37, 23,
            "minHealthyBackends is 4 but service 'shop' has only 3 backends; set it to at most 3"),
        Arguments.of("wrong type", "weight: 100", "weight: abc",
            s + "backends[0].weight", 16, 13, "expected a number, got 'abc'"),
        Arguments.of("fraction where a whole number belongs", "weight: 100", "weight: 1.5",
            s + "backends[0].weight", 16, 13, "expected a whole number, got '1.5'"),
        Arguments.of("list where a mapping belongs", "  quorum: 2", "  - quorum: 2",
            s + "health", 35, 3, "expected a mapping (key: value), got a list"),
        Arguments.of("missing required key", "    address: 198.51.100.10\n", "",
            s + "backends[2].address", 26, 5, "missing required key 'address'"),
        Arguments.of("unknown routing method", "method: geo", "method: geoo",
            s + "routing.method", 6, 11, "unknown routing method 'geoo'; did you mean 'geo'?"),
        Arguments.of("unknown whenNoneHealthy", "    allow: [EU]", "    allow: [EU]\n    whenNoneHealthy: serve",
            s + "residency[0].whenNoneHealthy", 34, 22,
            "unknown whenNoneHealthy 'serve'; use one of serve-unhealthy, answer-nothing"),
        Arguments.of("duration without a unit", "interval: 10s", "interval: 10",
            s + "backends[0].healthCheck.interval", 19, 17, "a duration needs a unit: write 10s"),
        Arguments.of("duration in words", "interval: 10s", "interval: ten seconds",
            s + "backends[0].healthCheck.interval", 19, 17,
            "expected a duration such as 500ms, 10s, 5m or 1h, got 'ten seconds'"),
        Arguments.of("share that is no percentage", "maxAutoDrainShare: 50%", "maxAutoDrainShare: half",
            s + "guardrails.maxAutoDrainShare", 38, 22,
            "expected a percentage such as 50% or a number from 0 to 1, got 'half'"),
        Arguments.of("invalid CIDR", "cidr: 198.51.100.0/24", "cidr: 198.51.100.0/33",
            "zoneTable.entries[0].cidr", 44, 11, "invalid CIDR '198.51.100.0/33'"),
        Arguments.of("unknown zone in the zone table", "    zone: DE", "    zone: Germany",
            "zoneTable.entries[0].zone", 45, 11,
            "unknown client zone 'Germany'; use default, EU, a continent"),
        Arguments.of("zone in the wrong case", "  - zone: EU", "  - zone: eu",
            s + "residency[0].zone", 32, 11, "unknown client zone 'eu'; did you mean 'EU'?"),
        Arguments.of("misspelt zone in a geo map", "    EU: [fra, ams]", "    Europe: [fra, ams]",
            s + "routing.geo.Europe", 8, 5, "unknown client zone 'Europe'; did you mean 'europe'?"),
        Arguments.of("misspelt zone in demand", "  EU: 400", "  north-amerika: 400",
            s + "demand.north-amerika", 40, 3,
            "unknown client zone 'north-amerika'; did you mean 'north-america'?"),
        Arguments.of("second zone table", "    zone: DE\n", "    zone: DE\n---\nkind: ZoneTable\nentries: []\n",
            "documents[2].kind", 47, 7,
            "only one ZoneTable document is allowed; move these entries into the ZoneTable at line 42"),
        Arguments.of("unknown kind", "kind: Service", "kind: Servce",
            "documents[0].kind", 1, 7, "unknown kind 'Servce'; did you mean 'Service'?"),
        Arguments.of("repeated key", "  quorum: 2", "  quorum: 2\n  quorum: 3",
            s + "health.quorum", 36, 3, "key 'quorum' appears twice; keep one"),
        Arguments.of("invalid hostname", "hostname: shop.gslb.example.com", "hostname: shop_1.example.com",
            s + "hostname", 3, 11, "hostname 'shop_1.example.com' is not a valid DNS name"),
        Arguments.of("invalid address", "address: 192.0.2.10", "address: 192.0.2.300",
            s + "backends[0].address", 15, 14,
            "address '192.0.2.300' is neither an IPv4 or IPv6 address nor a DNS hostname"),
        Arguments.of("cloud metadata address", "address: 192.0.2.10", "address: 169.254.169.254",
            s + "backends[0].address", 15, 14,
            "address '169.254.169.254' is link-local, where clouds serve instance metadata and credentials;"
                + " no backend can be there, and no probe checks it"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejections")
  void a_rejection_names_path_line_column_and_the_fix(
      String rule, String find, String replace, String path, int line, int column, String fragment) {
    assertReported(parser.parse(base(find, replace)), path, line, column, fragment);
  }

  @ParameterizedTest(name = "{1} at {3}")
  @CsvSource(delimiter = '|', value = {
      "hostname:         | hostnme:          | services.shop.hostnme                            |  3 | 1 | hostname",
      "ttl: 30           | ttel: 30          | services.shop.ttel                               |  4 | 1 | ttl",
      "  method: geo     | metod: geo        | services.shop.routing.metod                      |  6 | 3 | method",
      "weight: 100       | wieght: 100       | services.shop.backends[0].wieght                 | 16 | 5 | weight",
      "interval: 10s     | intervall: 10s    | services.shop.backends[0].healthCheck.intervall  | 19 | 7 | interval",
      "allow: [EU]       | allw: [EU]        | services.shop.residency[0].allw                  | 33 | 5 | allow",
      "quorum: 2         | quorom: 2         | services.shop.health.quorom                      | 35 | 3 | quorum",
      "maxAutoDrainShare | maxAutoDrainShar  | services.shop.guardrails.maxAutoDrainShar        | 38 | 3 | maxAutoDrainShare",
      "entries:          | entrys:           | zoneTable.entrys                                 | 43 | 1 | entries",
      "cidr:             | cdir:             | zoneTable.entries[0].cdir                        | 44 | 5 | cidr",
  })
  void unknown_key_gets_did_you_mean_with_line_and_column(
      String find, String typo, String path, int line, int column, String suggestion) {
    assertReported(parser.parse(base(find, typo)), path, line, column,
        "unknown key '" + typo.split(":")[0].trim() + "'; did you mean '" + suggestion + "'?");
  }

  @Test
  void unknown_key_with_nothing_close_lists_the_valid_keys() {
    assertReported(parser.parse(base("  quorum: 2", "  colour: blue")),
        "services.shop.health.colour", 35, 3,
        "unknown key 'colour'; valid keys here: failAfter, recoverAfter, quorum, staleAfter,"
            + " failbackDelay");
  }

  private static final String TWO_SERVICES = """
      kind: Service
      name: shop
      hostname: shop.gslb.example.com
      routing: {method: weighted}
      backends:
        - {name: fra, cloud: aws, region: eu-central-1, jurisdiction: EU, address: 192.0.2.1}
      ---
      kind: Service
      name: %s
      hostname: %s
      routing: {method: weighted}
      backends:
        - {name: fra, cloud: aws, region: eu-central-1, jurisdiction: EU, address: 192.0.2.1}
      """;

  @Test
  void duplicate_service_name_is_reported_where_it_repeats() {
    ParsedPolicy result = parser.parse(TWO_SERVICES.formatted("shop", "store.gslb.example.com"));

    assertReported(result, "services.shop.name", 9, 7,
        "service name 'shop' is already used by another service");
  }

  @Test
  void duplicate_hostname_is_reported_ignoring_case_and_trailing_dot() {
    ParsedPolicy result = parser.parse(TWO_SERVICES.formatted("store", "SHOP.gslb.example.com."));

    assertReported(result, "services.store.hostname", 10, 11,
        "hostname 'SHOP.gslb.example.com.' is already used by service 'shop'");
  }

  @Test
  void duplicate_backend_names_within_a_service_are_refused() {
    ParsedPolicy result = parser.parse(base("  - name: ams", "  - name: fra"));

    assertReported(result, "services.shop.backends[1].name", 21, 11,
        "backend name 'fra' is already used by backends[0]; backend names must be unique");
  }

  @Test
  void all_weights_zero_is_refused_at_the_backends_list() {
    ParsedPolicy result = parser.parse("""
        kind: Service
        name: media
        hostname: media.gslb.example.com
        routing: {method: weighted}
        backends:
          - {name: par, cloud: azure, region: francecentral, jurisdiction: EU, address: 192.0.2.1, weight: 0}
          - {name: sjc, cloud: gcp, region: us-west2, jurisdiction: US, address: 192.0.2.2, weight: 0}
        """);

    assertReported(result, "services.media.backends", 5, 1,
        "at least one backend needs a weight above 0");
  }

  @Test
  void failover_tiers_with_a_gap_are_refused_at_the_first_backend_past_the_gap() {
    ParsedPolicy result = parser.parse("""
        kind: Service
        name: shop
        hostname: shop.gslb.example.com
        routing:
          method: failover
        backends:
          - name: fra
            cloud: aws
            region: eu-central-1
            jurisdiction: EU
            address: 192.0.2.1
            priority: 1
          - name: iad
            cloud: aws
            region: us-east-1
            jurisdiction: US
            address: 192.0.2.2
            priority: 3
        """);

    assertReported(result, "services.shop.backends[1].priority", 18, 15,
        "failover tiers must be 1, 2, 3 without gaps; no backend has priority 2");
  }

  @Test
  void priority_gaps_do_not_matter_for_other_methods() {
    assertTrue(parser.parse(base("    priority: 1", "    priority: 3")).isValid());
  }

  @Test
  void a_file_without_a_service_is_refused() {
    ParsedPolicy result = parser.parse("""
        kind: ZoneTable
        entries: []
        """);

    assertEquals(
        List.of(new Violation("", 1, 1,
            "the policy has no Service document; add at least one document with kind: Service")),
        result.violations());
  }

  @Test
  void several_problems_are_all_reported_at_once_in_source_order() {
    String broken = BASE
        .replace("ttl: 30", "ttl: 0")
        .replace("weight: 100", "wieght: 100")
        .replace("region: westeurope", "region: westeurop")
        .replace("quorum: 2", "quorum: 1")
        .replace("cidr: 198.51.100.0/24", "cidr: 198.51.100/24");

    List<String> found = parser.parse(broken).violations().stream()
        .map(v -> v.line() + ":" + v.column() + " " + v.path())
        .toList();

    assertEquals(
        List.of(
            "16:5 services.shop.backends[0].wieght",
            "23:13 services.shop.backends[1].region",
            "44:11 zoneTable.entries[0].cidr"),
        found,
        "a service whose document lost a required part (the region) is not checked further");

    List<String> semantic = parser.parse(BASE
            .replace("ttl: 30", "ttl: 0")
            .replace("weight: 100", "wieght: 100")
            .replace("quorum: 2", "quorum: 1")
            .replace("minHealthyBackends: 1", "minHealthyBackends: 9"))
        .violations().stream()
        .map(v -> v.line() + ":" + v.column() + " " + v.path())
        .toList();

    assertEquals(
        List.of(
            "4:6 services.shop.ttl",
            "16:5 services.shop.backends[0].wieght",
            "35:11 services.shop.health.quorum",
            "37:23 services.shop.guardrails.minHealthyBackends"),
        semantic);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "tab indentation      | kind: Service\\n\\tname: shop\\n       | 2 | 1  | tab character here; YAML indentation must use spaces",
      "unclosed quote       | kind: Service\\nname: 'shop\\nttl: 3\\n | 2 | 7  | quoted string starts here but is never closed",
      "unclosed flow list   | kind: Service\\nclientZones: [EU, DE\\nname: x\\n | 3 | 5 | expected ',' or ']'",
      "stray colon          | kind: Service\\nname: shop\\n  ttl: 30\\n | 3 | 6  | unexpected ':'; check the indentation",
      "undefined alias      | kind: Service\\nname: *shop\\n        | 2 | 7  | found undefined alias shop",
  })
  void malformed_yaml_gives_one_violation_with_a_position(
      String what, String yaml, int line, int column, String fragment) {
    ParsedPolicy result = parser.parse(yaml.replace("\\n", "\n").replace("\\t", "\t"));

    assertEquals(1, result.violations().size(), () -> result.violations().toString());
    Violation v = result.violations().getFirst();
    assertEquals(line + ":" + column, v.line() + ":" + v.column(), v::toString);
    assertTrue(v.message().startsWith("invalid YAML: "), v::toString);
    assertTrue(v.message().contains(fragment), v::toString);
  }

  @Test
  void billion_laughs_is_refused_at_the_alias_that_crosses_the_limit() {
    StringBuilder bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char level = 'b'; level <= 'i'; level++) {
      char previous = (char) (level - 1);
      bomb.append(level).append(": &").append(level).append(" [");
      bomb.append(String.join(", ", java.util.Collections.nCopies(9, "*" + previous)));
      bomb.append("]\n");
    }

    ParsedPolicy result = parser.parse(bomb.toString());

    assertEquals(1, result.violations().size(), () -> result.violations().toString());
    Violation v = result.violations().getFirst();
    assertTrue(v.message().contains("looks like a YAML bomb (billion laughs)"), v::toString);
    assertEquals("7:28", v.line() + ":" + v.column(), "the 51st alias, the 6th on line 7");
  }

  @Test
  void a_few_aliases_for_shared_sections_are_fine() {
    String shared = BASE
        .replace("    healthCheck:", "    healthCheck: &standard")
        .replace("    address: 192.0.2.20\n", "    address: 192.0.2.20\n    healthCheck: *standard\n");

    ParsedPolicy result = parser.parse(shared);

    assertEquals(List.of(), result.violations());
    Service shop = result.policy().orElseThrow().services().getFirst();
    assertEquals(shop.backends().get(0).healthCheck(), shop.backends().get(1).healthCheck());
  }

  @Test
  void deep_nesting_is_refused_before_it_can_overflow_the_stack() {
    ParsedPolicy result = parser.parse("kind: Service\nname: " + "[".repeat(100_000));

    assertEquals(1, result.violations().size(), () -> result.violations().toString());
    assertTrue(result.violations().getFirst().message().contains("nested more than 40 levels"));
  }

  @Test
  void an_oversized_file_is_refused_without_parsing_at_its_first_line() {
    ParsedPolicy result = parser.parse("#".repeat(YamlDocuments.MAX_CODE_POINTS + 1));

    Violation v = result.violations().getFirst();
    assertTrue(v.message().contains("larger than 3 MiB"), v::toString);
    assertEquals("1:1", v.line() + ":" + v.column(), v::toString);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "NUL in a value           | kind: Service\\nname: sh\\u0000op\\n     | 2 | 9  | U+0000",
      "bell after CR LF         | kind: Service\\r\\nttl: \\u0007\\r\\n    | 2 | 6  | U+0007",
      "control after an emoji   | kind: Service\\nname: \\uD83D\\uDE00\\u0001 | 2 | 8 | U+0001",
      "lone high surrogate      | kind: Service\\nname: \\uD800        | 2 | 7  | U+D800",
      "lone low surrogate       | kind: Service\\nname: x\\uDC00y      | 2 | 8  | U+DC00",
  })
  void a_character_yaml_does_not_allow_is_refused_at_its_line_and_column(
      String what, String yaml, int line, int column, String codePoint) {
    ParsedPolicy result = parser.parse(unescape(yaml));

    assertEquals(1, result.violations().size(), () -> result.violations().toString());
    Violation v = result.violations().getFirst();
    assertEquals(line + ":" + column, v.line() + ":" + v.column(), v::toString);
    assertTrue(v.message().startsWith("invalid YAML: the character " + codePoint + " is not allowed"), v::toString);
  }

  /** Undoes the escapes (backslash and n, r or uXXXX) for characters a CSV row cannot hold. */
  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        out.append(c);
      } else if (s.charAt(i + 1) == 'u') {
        out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        out.append(s.charAt(i + 1) == 'n' ? '\n' : '\r');
        i++;
      }
    }
    return out.toString();
  }

  @Test
  void the_example_policy_parses_with_no_violations() throws IOException {
    String text = Files.readString(Path.of("../docs/examples/global-shop.yaml"));

    ParsedPolicy result = parser.parse(text);

    assertEquals(List.of(), result.violations());
    Policy policy = result.policy().orElseThrow();
    assertEquals(List.of("shop", "api", "media", "checkout"),
        policy.services().stream().map(Service::name).toList());
    assertInstanceOf(RoutingMethod.Failover.class, policy.service("shop").orElseThrow().routing());
    assertEquals(new RoutingMethod.Latency(Duration.ofMillis(25)), policy.service("api").orElseThrow().routing());
    assertInstanceOf(RoutingMethod.Weighted.class, policy.service("media").orElseThrow().routing());
    assertInstanceOf(RoutingMethod.Geo.class, policy.service("checkout").orElseThrow().routing());
    assertEquals(WhenNoneHealthy.SERVE_UNHEALTHY,
        policy.service("shop").orElseThrow().residency().getFirst().whenNoneHealthy());
    assertEquals(WhenNoneHealthy.ANSWER_NOTHING,
        policy.service("checkout").orElseThrow().residency().getFirst().whenNoneHealthy());
    assertEquals(0.5, policy.service("shop").orElseThrow().guardrails().maxAutoDrainShare());
    assertEquals(4, policy.zoneTable().entries().size());
    assertEquals(ClientZone.parse("DE").orElseThrow(),
        policy.zoneTable().zoneOf("198.51.100.7").orElseThrow());
  }

  @Test
  void omitted_fields_take_their_documented_defaults() {
    ParsedPolicy result = parser.parse("""
        kind: Service
        name: shop
        hostname: shop.gslb.example.com.
        routing:
          method: latency
        backends:
          - name: fra
            cloud: gcp
            region: europe-west3
            jurisdiction: EU
            address: fra.origin.gslb.example.com
        """);

    Policy policy = result.policy().orElseThrow(() -> new AssertionError(result.violations()));
    Service shop = policy.services().getFirst();
    assertEquals("shop.gslb.example.com", shop.hostname());
    assertEquals(30, shop.ttl());
    assertEquals(new RoutingMethod.Latency(RoutingMethod.Latency.DEFAULT_TOLERANCE), shop.routing());
    assertEquals(HealthSettings.DEFAULTS, shop.health());
    assertEquals(Guardrails.DEFAULTS, shop.guardrails());
    assertEquals(List.of(), shop.residency());
    assertEquals(ZoneTable.EMPTY, policy.zoneTable());
    var fra = shop.backends().getFirst();
    assertEquals(RegionCatalog.find(dev.tern.policy.geo.Cloud.GCP, "europe-west3"), java.util.Optional.of(fra.region()));
    assertEquals(List.of(1, 1, 1000), List.of(fra.weight(), fra.priority(), fra.capacity()));
    assertEquals(HealthCheck.defaults(), fra.healthCheck());
  }

  @Test
  void an_http_check_defaults_to_port_80() {
    ParsedPolicy result = parser.parse(base("      interval: 10s", "      kind: http\n      interval: 10s"));

    HealthCheck check = result.policy().orElseThrow().services().getFirst().backends().getFirst().healthCheck();
    assertEquals(HealthCheck.Kind.HTTP, check.kind());
    assertEquals(80, check.port());
  }
}
