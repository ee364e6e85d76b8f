package dev.tern.controlplane.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.model.Jurisdiction;
import io.micronaut.context.env.PropertySource;
import io.micronaut.context.env.PropertySourcePropertyResolver;
import io.micronaut.context.env.yaml.YamlPropertySourceLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading {@code tern.kubernetes.clusters[]}: good entries, and wrong ones refused naming the key. */
class KubernetesSettingsTest {

  private static final String AT = "tern.kubernetes.clusters[0]";

  private static Map<String, Object> entry(Object... kv) {
    Map<String, Object> m = new HashMap<>(Map.of("name", "eks-fra", "kubeconfig", "/etc/tern/kubeconfig", "cloud",
        "aws", "region", "eu-central-1", "jurisdiction", "EU"));
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] == null) {
        m.remove((String) kv[i]);
      } else {
        m.put((String) kv[i], kv[i + 1]);
      }
    }
    return m;
  }

  @Test
  void a_kubeconfig_entry_with_every_key() {
    KubernetesSettings.Cluster c = KubernetesSettings.parse(AT, entry("context", "prod", "namespaces",
        List.of("shop", "pay"), "resync", "2m", "chaos-outage", "deny-ingress"));
    assertEquals("eks-fra", c.name());
    assertEquals(Optional.of(Path.of("/etc/tern/kubeconfig")), c.kubeconfig());
    assertEquals(Optional.of("prod"), c.context());
    assertEquals("aws:eu-central-1", c.region().key());
    assertEquals(Jurisdiction.EU, c.jurisdiction());
    assertEquals(List.of("shop", "pay"), c.namespaces());
    assertEquals(Duration.ofMinutes(2), c.resync());
    assertEquals(KubernetesSettings.OutageMode.DENY_INGRESS, c.outage());
  }

  @Test
  void an_in_cluster_entry_takes_the_defaults() {
    KubernetesSettings.Cluster c = KubernetesSettings.parse(AT, entry("kubeconfig", null, "in-cluster", "true",
        "cloud", "gcp", "region", "us-east1", "jurisdiction", "US"));
    assertTrue(c.inCluster());
    assertEquals(List.of(), c.namespaces());
    assertEquals(KubernetesSettings.DEFAULT_RESYNC, c.resync());
    assertEquals(KubernetesSettings.OutageMode.SCALE_TO_ZERO, c.outage());
  }

  @Test
  void open_reads_the_kubeconfig_context(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("kubeconfig");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        current-context: other
        clusters:
          - name: fra
            cluster: {server: "http://127.0.0.1:16443"}
          - name: iowa
            cluster: {server: "http://127.0.0.1:26443"}
        contexts:
          - name: prod
            context: {cluster: fra, user: tern}
          - name: other
            context: {cluster: iowa, user: tern}
        users:
          - name: tern
            user: {token: not-a-real-token}
        """);
    assertEquals("http://127.0.0.1:16443", KubernetesSettings.parse(AT, entry("kubeconfig", file.toString(),
        "context", "prod")).open().getBasePath());
    assertEquals("http://127.0.0.1:26443", KubernetesSettings.parse(AT, entry("kubeconfig", file.toString()))
        .open().getBasePath());
    IOException missing = assertThrows(IOException.class, () -> KubernetesSettings.parse(AT,
        entry("kubeconfig", file.toString(), "context", "staging")).open());
    assertTrue(missing.getMessage().contains("no context staging"), missing.getMessage());
  }

  static List<KubernetesSettings.Cluster> read(String yaml) {
    Map<String, Object> values;
    try {
      values = new YamlPropertySourceLoader().read("test.yml",
          new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return KubernetesSettings.from(new PropertySourcePropertyResolver(PropertySource.of("test.yml", values)));
  }

  @Test
  void clusters_are_read_from_yaml_and_names_must_be_unique() {
    List<KubernetesSettings.Cluster> clusters = read("""
        tern:
          kubernetes:
            clusters:
              - name: eks-fra
                kubeconfig: /etc/tern/kubeconfig
                context: eks-fra
                cloud: aws
                region: eu-central-1
                jurisdiction: EU
                namespaces: [shop, pay]
                resync: 2m
              - name: gke-iowa
                in-cluster: true
                cloud: gcp
                region: us-central1
                jurisdiction: US
        """);
    assertEquals(List.of("eks-fra", "gke-iowa"), clusters.stream().map(KubernetesSettings.Cluster::name).toList());
    assertEquals(List.of("shop", "pay"), clusters.getFirst().namespaces());
    assertEquals(Duration.ofMinutes(2), clusters.getFirst().resync());
    assertTrue(clusters.get(1).inCluster());
    assertEquals(List.of(), read("tern: {}"));

    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> read("""
        tern:
          kubernetes:
            clusters:
              - {name: eks-fra, in-cluster: true, cloud: aws, region: eu-central-1, jurisdiction: EU}
              - {name: eks-fra, in-cluster: true, cloud: aws, region: eu-west-1, jurisdiction: EU}
        """));
    assertEquals("tern.kubernetes.clusters[1].name 'eks-fra' is used by another cluster", twice.getMessage());
  }

  static Stream<Arguments> wrong() {
    return Stream.of(
        Arguments.of(entry("name", null), AT + ".name is required"),
        Arguments.of(entry("name", "EKS_Fra"), AT + ".name 'EKS_Fra' must be"),
        Arguments.of(entry("kubeconfig", null), AT + ".kubeconfig is required"),
        Arguments.of(entry("in-cluster", "true"), AT + ": give in-cluster: true or kubeconfig"),
        Arguments.of(entry("in-cluster", "yes"), AT + ".in-cluster is true or false"),
        Arguments.of(entry("cloud", "ibm"), AT + ".cloud 'ibm' is not aws, azure or gcp"),
        Arguments.of(entry("region", "eu-central-9"), AT + ".region 'eu-central-9' is not a aws region"),
        Arguments.of(entry("region", null), AT + ".region is required"),
        Arguments.of(entry("jurisdiction", null), AT + ".jurisdiction is required"),
        Arguments.of(entry("jurisdiction", "US"), AT + ".jurisdiction US does not fit region aws:eu-central-1"),
        Arguments.of(entry("jurisdiction", "eu"), AT + ".jurisdiction 'eu' must be"),
        Arguments.of(entry("resync", "soon"), AT + ".resync 'soon' is not a duration"),
        Arguments.of(entry("resync", "1s"), AT + ".resync must be at least 10s"),
        Arguments.of(entry("chaos-outage", "delete"), AT + ".chaos-outage is scale-to-zero or deny-ingress"));
  }

  @ParameterizedTest
  @MethodSource("wrong")
  void a_wrong_entry_is_refused_naming_the_key(Map<String, Object> e, String message) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> KubernetesSettings.parse(AT, e));
    assertTrue(x.getMessage().startsWith(message), x.getMessage());
  }
}
