package dev.tern.controlplane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.controlplane.server.TernServer;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.Receiver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Every secret a node is given, configured with a known value; the node is then started and used
 * (logins, a policy, probe observations, a test alert through every route, providers failing
 * until an incident is paged), and every place a secret could surface is searched for each value:
 * what the node logged (standard output and error, and java.util.logging at every level),
 * /metrics, the audit log, the answer to every request made, every read endpoint in the OpenAPI
 * spec, and what the node sent to each receiver that is not the one the secret is for.
 *
 * <p>The failing receivers and cloud endpoints, all on loopback, repeat the request they refuse,
 * credentials and all, in their answer, as a misbehaving proxy might: the node quotes such answers
 * in its logs, provider status, incidents and pages, and must take the credentials out first.
 */
class SecretsNeverLeakTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CLUSTER_SECRET = "cluster-secret-never-leak-5j2k9w";
  private static final String ADMIN_TOKEN = "admin-token-never-leak-q8v3";
  private static final String OPERATOR_TOKEN = "operator-token-never-leak-t4n6";
  private static final String VIEWER_TOKEN = "viewer-token-never-leak-b7c1";
  private static final String PROBE_TOKEN = "probe-token-never-leak-h2z5";
  private static final String CONSOLE_PASSWORD = "console-password-never-leak-7h1";
  private static final String WEBHOOK_SECRET = "webhook-hmac-never-leak-3m6p";
  private static final String PAGERDUTY_KEY = "pagerduty-key-never-leak-9x4r";
  private static final String OPSGENIE_KEY = "opsgenie-key-never-leak-6t1y";
  private static final String SLACK_PATH = "slack-path-never-leak-2w8e";
  private static final String PAGERDUTY_ECHOED_KEY = "pagerduty-echoed-key-never-leak-3q0z";
  private static final String SLACK_ECHOED_PATH = "slack-echoed-path-never-leak-7u4c";
  private static final String ROUTE53_SECRET = "route53-secret-key-never-leak-4n7u";
  private static final String GA_SECRET = "accelerator-secret-key-never-leak-8d3s";
  private static final String GA_SESSION = "accelerator-session-token-never-leak-1v9q";
  private static final String AZURE_TOKEN = "azure-token-never-leak-5r2m";
  private static final String GCP_TOKEN = "gcp-token-never-leak-0k6j";

  /** Each secret by what it is, for the failure message. */
  private static final Map<String, String> SECRETS = secrets();

  private static Map<String, String> secrets() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("cluster secret", CLUSTER_SECRET);
    s.put("admin token", ADMIN_TOKEN);
    s.put("operator token", OPERATOR_TOKEN);
    s.put("viewer token", VIEWER_TOKEN);
    s.put("probe token", PROBE_TOKEN);
    s.put("console password", CONSOLE_PASSWORD);
    s.put("webhook signing secret", WEBHOOK_SECRET);
    s.put("PagerDuty routing key", PAGERDUTY_KEY);
    s.put("Opsgenie API key", OPSGENIE_KEY);
    s.put("Slack webhook URL", SLACK_PATH);
    s.put("PagerDuty routing key of a route that echoes", PAGERDUTY_ECHOED_KEY);
    s.put("Slack webhook URL of a route that echoes", SLACK_ECHOED_PATH);
    s.put("Route 53 secret access key", ROUTE53_SECRET);
    s.put("Global Accelerator secret access key", GA_SECRET);
    s.put("Global Accelerator session token", GA_SESSION);
    s.put("Azure access token", AZURE_TOKEN);
    s.put("Cloud DNS access token", GCP_TOKEN);
    return s;
  }

  /** The secrets each outbound request may carry, by where it went: only the receiver's own. */
  private static Set<String> allowedFor(Receiver.Request r) {
    if (r.path().endsWith("/v2/enqueue")) {
      return Set.of(PAGERDUTY_KEY, PAGERDUTY_ECHOED_KEY);
    }
    if (r.path().startsWith("/v2/alerts")) {
      return Set.of(OPSGENIE_KEY);
    }
    if (r.path().contains(SLACK_PATH) || r.path().contains(SLACK_ECHOED_PATH)) {
      return Set.of(SLACK_PATH, SLACK_ECHOED_PATH);
    }
    return Set.of();
  }

  private static final String SERVICE = """
      kind: Service
      name: shop
      hostname: shop.gslb.example.com
      routing:
        method: weighted
      backends:
        - name: fra
          cloud: aws
          region: eu-central-1
          jurisdiction: EU
          address: 192.0.2.10
        - name: iad
          cloud: aws
          region: us-east-1
          jurisdiction: US
          address: 198.51.100.10
      """;

  /** Everything the node wrote to standard output and error, and every java.util.logging record. */
  private static final class LogCapture implements AutoCloseable {
    private final ByteArrayOutputStream streams = new ByteArrayOutputStream();
    private final List<String> records = new CopyOnWriteArrayList<>();
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final Logger root = Logger.getLogger("");
    private final Logger tern = Logger.getLogger("dev.tern");
    private final Level ternLevel = tern.getLevel();
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(formatter.format(record));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };

    LogCapture() {
      handler.setLevel(Level.ALL);
      root.addHandler(handler);
      tern.setLevel(Level.ALL);
      System.setOut(new PrintStream(tee(out), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(tee(err), true, StandardCharsets.UTF_8));
    }

    private OutputStream tee(PrintStream original) {
      return new OutputStream() {
        @Override
        public void write(int b) {
          synchronized (streams) {
            streams.write(b);
          }
          original.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          synchronized (streams) {
            streams.write(b, off, len);
          }
          original.write(b, off, len);
        }
      };
    }

    String text() {
      synchronized (streams) {
        return streams.toString(StandardCharsets.UTF_8) + String.join("", records);
      }
    }

    int records() {
      return records.size();
    }

    @Override
    public void close() {
      System.setOut(out);
      System.setErr(err);
      root.removeHandler(handler);
      tern.setLevel(ternLevel);
    }
  }

  private static Map<String, Object> token(String name, String role, String token) {
    return Map.of("name", name, "role", role, "sha256", Secrets.sha256Hex(token));
  }

  private static Map<String, Object> configuration(Path dir, Receiver paging, Receiver echoing, Receiver cloud) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("micronaut.server.host", "127.0.0.1");
    p.put("micronaut.server.port", -1);
    p.put("tern.cluster.secret", CLUSTER_SECRET);
    p.put("tern.cluster.data-dir", dir.resolve("raft").toString());
    p.put("tern.decision.interval", "200ms");
    p.put("tern.dns.port", 0);
    p.put("tern.dns.zones", List.of("gslb.example.com"));
    p.put("tern.security.tokens", List.of(token("deployer", "admin", ADMIN_TOKEN),
        token("chaos-job", "operator", OPERATOR_TOKEN), token("dashboard", "viewer", VIEWER_TOKEN),
        token("probe-eu", "probe", PROBE_TOKEN)));
    p.put("tern.security.users", List.of(Map.of("username", "ada", "role", "admin",
        "bcrypt", ConsoleUsers.hash(CONSOLE_PASSWORD, 4))));
    p.put("tern.alerting.console-url", "http://console.tern.test");
    p.put("tern.alerting.routes", List.of(
        Map.of("name", "hooks", "sink", "webhook", "url", paging.uri("/hook").toString(), "secret", WEBHOOK_SECRET),
        Map.of("name", "oncall", "sink", "pagerduty", "url", paging.uri("/v2/enqueue").toString(),
            "routing-key", PAGERDUTY_KEY),
        Map.of("name", "ops", "sink", "opsgenie", "url", paging.uri("").toString(), "api-key", OPSGENIE_KEY),
        Map.of("name", "chat", "sink", "slack", "url", paging.uri("/services/T0000/B0000/" + SLACK_PATH).toString()),
        Map.of("name", "oncall-echo", "sink", "pagerduty", "url", echoing.uri("/echo/v2/enqueue").toString(),
            "routing-key", PAGERDUTY_ECHOED_KEY),
        Map.of("name", "chat-echo", "sink", "slack", "url",
            echoing.uri("/services/T0000/B0001/" + SLACK_ECHOED_PATH).toString())));
    String endpoint = cloud.uri("").toString();
    p.put("tern.providers.route53", List.of(Map.of("name", "r53", "hosted-zone-id", "Z0123456789ABCDEFGHIJ",
        "services", List.of("shop"), "endpoint", endpoint, "access-key-id", "AKIAIOSFODNN7EXAMPLE",
        "secret-access-key", ROUTE53_SECRET)));
    p.put("tern.providers.global-accelerator", List.of(Map.of("name", "ga",
        "accelerator-arn", "arn:aws:globalaccelerator::123456789012:accelerator/0123abcd-0123-0123-0123-0123456789ab",
        "listener-arn", "arn:aws:globalaccelerator::123456789012:accelerator/0123abcd-0123-0123-0123-0123456789ab"
            + "/listener/0123abcd",
        "services", List.of("shop"), "endpoint", endpoint, "region", "us-west-2",
        "access-key-id", "AKIAI44QH8DHBEXAMPLE", "secret-access-key", GA_SECRET, "session-token", GA_SESSION,
        "endpoints", Map.of(
            "fra", "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/shop-fra/0123456789abcdef",
            "iad", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop-iad/0123456789abcdef"))));
    p.put("tern.providers.azure-traffic-manager", List.of(Map.of("name", "atm",
        "subscription-id", "00000000-0000-0000-0000-0000000000aa", "resource-group", "tern-test",
        "services", List.of("shop"), "endpoint", endpoint, "access-token", AZURE_TOKEN)));
    p.put("tern.providers.cloud-dns", List.of(Map.of("name", "gcp", "project", "tern-test-project",
        "managed-zone", "gslb-example", "services", List.of("shop"), "endpoint", endpoint, "access-token", GCP_TOKEN)));
    p.put("tern.providers.resync", "2s");
    p.put("tern.providers.max-backoff", "1s");
    p.put("tern.providers.sync-alert-after", "1s");
    return p;
  }

  /** Every answer the node gave, by the request it answered. */
  private final Map<String, String> answers = new LinkedHashMap<>();

  private HttpResponse<String> record(String what, HttpResponse<String> response) {
    answers.merge(what, response.statusCode() + " " + response.headers().map() + "\n" + response.body(),
        (a, b) -> a + "\n" + b);
    return response;
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  @Test
  void no_secret_appears_in_logs_metrics_the_audit_log_api_answers_or_other_receivers(@TempDir Path dir)
      throws Exception {
    // The routes that work answer 202. The failing ones, and every cloud endpoint, refuse and echo
    // the request, credentials and all, as a misbehaving proxy might.
    try (Receiver paging = new Receiver(202); Receiver echoing = Receiver.echoing(400);
        Receiver cloud = Receiver.echoing(403); LogCapture logs = new LogCapture();
        TernServer node = TernServer.start(configuration(dir, paging, echoing, cloud), List.of())) {
      Http http = new Http(node.uri());
      exercise(http);

      await("every provider reports its failure", Duration.ofSeconds(60), () -> {
        JsonNode providers = json(http.get("/api/v1/providers", "Authorization", bearer(VIEWER_TOKEN)).body());
        int failing = 0;
        for (JsonNode p : providers) {
          failing += p.path("lastError").isTextual() ? 1 : 0;
        }
        return failing == 4;
      });
      await("an incident says the providers fail", Duration.ofSeconds(60), () -> http.get("/api/v1/incidents",
          "Authorization", bearer(VIEWER_TOKEN)).body().contains("has failed to sync"));
      await("an incident is paged through every route", Duration.ofSeconds(30), () -> paging.requests().stream()
          .anyMatch(r -> r.path().equals("/hook") && r.body().contains("\"incident\"")) && echoing.requests().stream()
          .filter(r -> r.path().endsWith("/v2/enqueue")).count() >= 2 && echoing.requests().stream()
          .filter(r -> r.path().contains(SLACK_ECHOED_PATH)).count() >= 2);
      for (String provider : List.of("r53", "ga", "atm", "gcp")) {
        record("POST dry-run " + provider, http.send("POST", "/api/v1/providers/" + provider + "/dry-run?service=shop",
            null, "", "Authorization", bearer(OPERATOR_TOKEN)));
      }

      record("GET /metrics", http.get("/metrics", "Authorization", bearer(VIEWER_TOKEN)));
      record("GET /api/v1/audit", http.get("/api/v1/audit?limit=1000", "Authorization", bearer(VIEWER_TOKEN)));
      readEveryEndpoint(http);

      // Give the last log lines of failing rounds time to be written, then look everywhere.
      Thread.sleep(500);
      List<String> leaks = new ArrayList<>();
      String logged = logs.text();
      assertTrue(logs.records() > 0 && logged.contains("not reconciled"), "the capture sees the node's logs");
      find(leaks, "the logs", logged);
      answers.forEach((what, text) -> find(leaks, "the answer to " + what, text));
      for (Receiver.Request r : paging.requests()) {
        findExcept(leaks, "the alert sent to " + r.path(), r.toString(), allowedFor(r));
      }
      for (Receiver.Request r : echoing.requests()) {
        findExcept(leaks, "the alert sent to " + r.path(), r.toString(), allowedFor(r));
      }
      for (Receiver.Request r : cloud.requests()) {
        Set<String> providerSecrets = Set.of(ROUTE53_SECRET, GA_SECRET, GA_SESSION, AZURE_TOKEN, GCP_TOKEN);
        findExcept(leaks, "the provider request to " + r.path(), r.toString(), providerSecrets);
      }
      assertTrue(leaks.isEmpty(), "secrets surfaced:\n" + String.join("\n", leaks));
      assertTrue(answers.size() > 30, "the node answered many requests: " + answers.keySet());
    }
  }

  /** What a deployment does with a node: log in and out, write a policy, report, test every route. */
  private void exercise(Http http) {
    record("GET /health", http.get("/health"));
    record("POST /api/v1/session wrong", http.send("POST", "/api/v1/session", "application/json",
        "{\"username\": \"ada\", \"password\": \"" + CONSOLE_PASSWORD + "x\"}"));
    record("POST /api/v1/session unknown", http.send("POST", "/api/v1/session", "application/json",
        "{\"username\": \"" + CONSOLE_PASSWORD + "\", \"password\": \"" + CONSOLE_PASSWORD + "\"}"));
    HttpResponse<String> login = record("POST /api/v1/session", http.send("POST", "/api/v1/session",
        "application/json", "{\"username\": \"ada\", \"password\": \"" + CONSOLE_PASSWORD + "\"}"));
    assertEquals(200, login.statusCode(), login.body());
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    String csrf = json(login.body()).path("csrfToken").asText();
    record("GET /api/v1/whoami session", http.get("/api/v1/whoami", "Cookie", cookie));

    // Credentials where they do not belong: a secret sent as a token must not come back.
    for (String secret : List.of(CLUSTER_SECRET, PAGERDUTY_KEY, ROUTE53_SECRET, ADMIN_TOKEN + "x")) {
      record("GET /api/v1/whoami with a wrong token", http.get("/api/v1/whoami", "Authorization", bearer(secret)));
    }
    record("GET /api/v1/whoami probe", http.get("/api/v1/whoami", "Authorization", bearer(PROBE_TOKEN)));

    HttpResponse<String> put = record("PUT /api/v1/services/shop", http.send("PUT",
        "/api/v1/services/shop?reason=first+rollout", "application/yaml", SERVICE, "Authorization", bearer(ADMIN_TOKEN)));
    assertEquals(200, put.statusCode(), put.body());
    record("PUT /api/v1/services/shop by session", http.send("PUT", "/api/v1/services/shop?reason=console+edit",
        "application/yaml", SERVICE.replace("method: weighted", "method: weighted\n  # edited"), "Cookie", cookie,
        ConsoleSessions.CSRF_HEADER, csrf));
    record("PUT /api/v1/services/shop/backends/fra/drain", http.send("PUT",
        "/api/v1/services/shop/backends/fra/drain?reason=maintenance", null, "", "Authorization",
        bearer(OPERATOR_TOKEN)));
    record("DELETE /api/v1/services/shop/backends/fra/drain", http.send("DELETE",
        "/api/v1/services/shop/backends/fra/drain?reason=done", null, "", "Authorization", bearer(OPERATOR_TOKEN)));
    String at = Instant.now().toString();
    record("POST /api/v1/probes/observations", http.send("POST", "/api/v1/probes/observations", "application/json",
        "{\"observations\": [{\"vantage\": \"aws:eu-central-1\", \"service\": \"shop\", \"backend\": \"fra\", \"at\": \""
            + at + "\", \"ok\": true, \"latencyMs\": 12.5}, {\"vantage\": \"aws:eu-central-1\", \"service\": \"shop\","
            + " \"backend\": \"iad\", \"at\": \"" + at + "\", \"ok\": false, \"latencyMs\": 0, \"error\": \"timeout\"}]}",
        "Authorization", bearer(PROBE_TOKEN)));
    record("GET /api/v1/probes/assignments", http.get("/api/v1/probes/assignments?region=aws:eu-central-1",
        "Authorization", bearer(PROBE_TOKEN)));
    for (String route : List.of("hooks", "oncall", "ops", "chat", "oncall-echo", "chat-echo")) {
      HttpResponse<String> sent = record("POST test " + route, http.send("POST", "/api/v1/alerting/routes/" + route
          + "/test", null, "", "Authorization", bearer(ADMIN_TOKEN)));
      assertEquals(route.endsWith("-echo") ? "not delivered" : "delivered", json(sent.body()).path("outcome").asText(),
          route + ": " + sent.body());
    }
    record("DELETE /api/v1/session", http.send("DELETE", "/api/v1/session", null, "", "Cookie", cookie,
        ConsoleSessions.CSRF_HEADER, csrf));
  }

  /** GETs every read operation in the served spec, with the admin token; streams are read for a moment. */
  @SuppressWarnings("unchecked")
  private void readEveryEndpoint(Http http) throws Exception {
    Map<String, Object> spec = new Yaml().load(http.get("/api/v1/openapi.yml").body());
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) spec.get("paths");
    for (Map.Entry<String, Map<String, Object>> e : paths.entrySet()) {
      if (!e.getValue().containsKey("get")) {
        continue;
      }
      String path = e.getKey().replace("{name}", "shop").replace("{backend}", "fra").replaceAll("\\{[^}]*}", "1");
      String query = path.equals("/api/v1/probes/assignments") ? "?region=aws:eu-central-1" : "";
      HttpRequest request = http.request(path + query).header("Authorization", bearer(ADMIN_TOKEN)).GET().build();
      if (path.equals("/api/v1/events")) {
        answers.put("GET " + path, firstSecond(request));
      } else {
        record("GET " + path, http.send(request));
      }
    }
  }

  /** The head of an event stream and what it sent in its first second; it never ends by itself. */
  private static String firstSecond(HttpRequest request) throws Exception {
    HttpResponse<InputStream> response = java.net.http.HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.ofInputStream());
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    Thread reader = Thread.ofVirtual().start(() -> {
      byte[] buf = new byte[4096];
      try (InputStream in = response.body()) {
        for (int n = in.read(buf); n > 0; n = in.read(buf)) {
          synchronized (got) {
            got.write(buf, 0, n);
          }
        }
      } catch (IOException closed) {
        // The stream was closed below: what was read is all there is.
      }
    });
    reader.join(1_000);
    response.body().close();
    reader.join(1_000);
    synchronized (got) {
      return response.statusCode() + " " + response.headers().map() + "\n" + got.toString(StandardCharsets.UTF_8);
    }
  }

  private static void find(List<String> leaks, String where, String text) {
    findExcept(leaks, where, text, Set.of());
  }

  private static void findExcept(List<String> leaks, String where, String text, Set<String> allowed) {
    SECRETS.forEach((name, value) -> {
      if (!allowed.contains(value) && text.contains(value)) {
        int i = text.indexOf(value);
        leaks.add("the " + name + " in " + where + ": ..."
            + text.substring(Math.max(0, i - 120), Math.min(text.length(), i + value.length() + 40)).replace('\n', ' ')
            + "...");
      }
    });
  }

  private static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      Thread.sleep(100);
    }
  }
}
