package dev.tern.controlplane.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * {@code moto_server} (moto's AWS emulator, on the machines' PATH) on a free loopback port, for the
 * Route 53 tests: started and stopped by the test, never shared. A missing moto_server fails the
 * test, as CI must.
 */
public final class MotoServer implements AutoCloseable {

  /** The access key pair moto accepts (any), as Tern's configuration would name it. */
  public static final String KEY_ID = "testing";
  public static final String SECRET = "testing";

  private final Process process;
  private final Path log;
  private final URI endpoint;
  private final Route53Client route53;

  private MotoServer(Process process, Path log, URI endpoint) {
    this.process = process;
    this.log = log;
    this.endpoint = endpoint;
    this.route53 = Route53Client.builder().endpointOverride(endpoint).region(Region.AWS_GLOBAL)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)))
        .httpClient(UrlConnectionHttpClient.create()).build();
  }

  public static MotoServer start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path log = Files.createTempFile("moto", ".log");
    Process process;
    try {
      process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", String.valueOf(port)).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("moto_server is not on PATH: the Route 53 tests need it (pip's moto[server])", e);
    }
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    HttpClient http = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plusSeconds(30);
    while (true) {
      try {
        http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/")).build(), HttpResponse.BodyHandlers.discarding());
        return new MotoServer(process, log, endpoint);
      } catch (IOException notYet) {
        if (Instant.now().isAfter(deadline) || !process.isAlive()) {
          process.destroyForcibly();
          throw new AssertionError("moto_server did not start: " + Files.readString(log));
        }
        Thread.sleep(200);
      }
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  /** A client of this server's Route 53, for setting up and reading back. */
  public Route53Client route53() {
    return route53;
  }

  /** Creates a hosted zone named {@code name} (with the trailing dot) and returns its id. */
  public String createZone(String name) {
    return route53.createHostedZone(b -> b.name(name).callerReference("tern-test-" + System.nanoTime())).hostedZone().id()
        .replace("/hostedzone/", "");
  }

  /** A {@code tern.providers.route53[]} entry that points an account at this server. */
  public Map<String, Object> account(String name, String zoneId, java.util.List<String> services) {
    return Map.of("name", name, "hosted-zone-id", zoneId, "services", services, "endpoint", endpoint.toString(),
        "access-key-id", KEY_ID, "secret-access-key", SECRET);
  }

  @Override
  public void close() {
    route53.close();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
