package dev.tern.controlplane.kubernetes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The kubeconfig the server tests hand a node: one cluster {@code fra} at a loopback API server, a bearer token, and
 * the context {@code eks-fra}; and the node's properties for that cluster, declared in AWS Frankfurt (EU).
 */
final class TestKubeconfig {

  static final String CONTEXT = "eks-fra";

  private TestKubeconfig() {}

  /** Writes the kubeconfig for the API server at {@code serverUrl} to a new temporary file. */
  static Path write(String serverUrl) throws IOException {
    Path file = Files.createTempFile("tern-kubeconfig", ".yaml");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters: [{name: fra, cluster: {server: "%s"}}]
        users: [{name: tern, user: {token: test-token}}]
        contexts: [{name: %s, context: {cluster: fra, user: tern}}]
        current-context: %2$s
        """.formatted(serverUrl, CONTEXT));
    return file;
  }

  /** {@code tern.kubernetes.clusters[0]} reached through {@code kubeconfig}, plus {@code extra} keys of that entry. */
  static Map<String, String> clusterProperties(Path kubeconfig, Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(Map.of(
        "name", CONTEXT,
        "kubeconfig", kubeconfig.toString(),
        "cloud", "aws",
        "region", "eu-central-1",
        "jurisdiction", "EU"));
    properties.putAll(extra);
    Map<String, String> keyed = new HashMap<>();
    properties.forEach((k, v) -> keyed.put("tern.kubernetes.clusters[0]." + k, v));
    return keyed;
  }
}
