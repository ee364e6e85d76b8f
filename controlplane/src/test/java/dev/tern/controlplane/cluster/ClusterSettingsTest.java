package dev.tern.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.env.PropertySource;
import io.micronaut.context.env.PropertySourcePropertyResolver;
import io.micronaut.context.env.yaml.YamlPropertySourceLoader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code tern.cluster.timing.*} as read from YAML and the environment: defaults, units, and every refusal named. */
class ClusterSettingsTest {

  static ClusterConfig.Timing read(String yaml) throws Exception {
    Map<String, Object> values = new YamlPropertySourceLoader()
        .read("test.yml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    return ClusterSettings.timing(new PropertySourcePropertyResolver(PropertySource.of("test.yml", values)));
  }

  @Test
  void without_the_keys_the_timings_are_the_fixed_ones_of_before() throws Exception {
    ClusterConfig.Timing t = read("""
        tern:
          cluster:
            node-id: n1
        """);
    assertEquals(ClusterConfig.Timing.defaults(), t);
    assertEquals(Duration.ofMillis(500), t.suspectVerify());
    assertEquals(Duration.ofSeconds(1), t.heartbeatInterval());
    assertEquals(Duration.ofSeconds(4), t.failureTimeout());
    assertEquals(Duration.ofMillis(600), t.voteTimeout());
    assertEquals(Duration.ofMillis(100), t.resendInterval());
  }

  @Test
  void units_and_iso_8601_are_read_and_unset_keys_keep_their_defaults() throws Exception {
    ClusterConfig.Timing t = read("""
        tern:
          cluster:
            timing:
              suspect-verify: 1s
              failure-timeout: PT8S
              resend-interval: 300ms
        """);
    assertEquals(new ClusterConfig.Timing(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(8),
        Duration.ofMillis(600), Duration.ofMillis(300)), t);
  }

  @Test
  void environment_variables_reach_the_keys() {
    PropertySourcePropertyResolver env = new PropertySourcePropertyResolver(PropertySource.of("env", Map.of(
            "TERN_CLUSTER_TIMING_FAILURE_TIMEOUT", "8s",
            "TERN_CLUSTER_TIMING_VOTE_TIMEOUT", "900ms"),
        PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE));
    ClusterConfig.Timing t = ClusterSettings.timing(env);
    assertEquals(Duration.ofSeconds(8), t.failureTimeout());
    assertEquals(Duration.ofMillis(900), t.voteTimeout());
    assertEquals(Duration.ofMillis(500), t.suspectVerify());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      suspect-verify     | fast      | tern.cluster.timing.suspect-verify is 'fast', not a duration; write it with its unit, e.g. 500ms
      resend-interval    | 500       | tern.cluster.timing.resend-interval is '500', not a duration; write it with its unit, e.g. 100ms
      heartbeat-interval | 1.5s      | tern.cluster.timing.heartbeat-interval is '1.5s', not a duration
      heartbeat-interval | 0s        | tern.cluster.timing.heartbeat-interval is 0s; it must be positive
      vote-timeout       | -600ms    | tern.cluster.timing.vote-timeout is -600ms; it must be positive
      failure-timeout    | 90s       | tern.cluster.timing.failure-timeout is 90s; it must be at most 60s
      suspect-verify     | 2m        | tern.cluster.timing.suspect-verify is 120s; it must be at most 60s
      vote-timeout       | PT0.0005S | tern.cluster.timing.vote-timeout is PT0.0005S; give it in whole milliseconds
      failure-timeout    | 1500ms    | tern.cluster.timing.failure-timeout is 1500ms; it must be at least twice tern.cluster.timing.heartbeat-interval (1s)
      heartbeat-interval | 3s        | tern.cluster.timing.failure-timeout is 4s; it must be at least twice tern.cluster.timing.heartbeat-interval (3s)
      resend-interval    | 4s        | tern.cluster.timing.resend-interval is 4s; it must be less than tern.cluster.timing.failure-timeout (4s)
      """)
  void a_bad_value_is_refused_with_its_key_and_value(String key, String value, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read("""
        tern:
          cluster:
            timing:
              %s: "%s"
        """.formatted(key, value)));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void the_record_refuses_what_the_keys_refuse() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClusterConfig.Timing(
        Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(8), Duration.ofMillis(600),
        Duration.ofSeconds(8)));
    assertEquals("tern.cluster.timing.resend-interval is 8s; it must be less than tern.cluster.timing.failure-timeout"
        + " (8s), or a follower is suspected before the leader repairs its log", e.getMessage());
  }
}
