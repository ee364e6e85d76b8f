package dev.tern.policy.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.model.HealthCheck;
import dev.tern.policy.validation.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every health check setting, as YAML: what it becomes, and what is refused with which message. */
class HealthCheckPolicyTest {

  private static String pem;

  /** A real self-signed certificate, as an operator would pin it. */
  @BeforeAll
  static void certificate(@TempDir Path dir) throws Exception {
    var keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    var store = dir.resolve("ca.p12").toString();
    run(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Tern Test CA",
        "-ext", "bc:c", "-validity", "2", "-keystore", store, "-storetype", "PKCS12", "-storepass", "changeit");
    var out = dir.resolve("ca.pem");
    run(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", store, "-storepass", "changeit", "-file",
        out.toString());
    pem = Files.readString(out).replace("\r\n", "\n").strip() + "\n";
  }

  private static void run(String... command) throws IOException, InterruptedException {
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + ": " + output);
    }
  }

  private static String service(String healthCheck) {
    return """
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
            healthCheck:
        %s
        """.formatted(healthCheck.indent(6).stripTrailing());
  }

  private static ParsedPolicy parse(String healthCheck) {
    return new PolicyParser().parse(service(healthCheck));
  }

  private static HealthCheck check(String healthCheck) {
    var parsed = parse(healthCheck);
    assertEquals(List.of(), parsed.violations());
    return parsed.policy().orElseThrow().services().getFirst().backends().getFirst().healthCheck();
  }

  @Test
  void https_settings_are_read_with_the_pinned_ca_kept_as_written() {
    var check = check("""
        kind: https
        port: 8443
        path: /ready
        host: shop.example.com
        keepAlive: true
        maxBodyBytes: 4096
        bodyContains: ok
        caCertificate: |
        %s""".formatted(pem.indent(2).stripTrailing()));

    assertEquals(HealthCheck.Kind.HTTPS, check.kind());
    assertEquals(new HealthCheck.HttpOptions(Optional.of("shop.example.com"), Optional.of(pem), true, 4096),
        check.http());
    assertEquals(Optional.empty(), check.dns());
  }

  @Test
  void http_settings_default_to_a_new_connection_the_address_as_host_and_64_kib_of_body() {
    assertEquals(HealthCheck.HttpOptions.defaults(), check("kind: http").http());
    assertEquals(64 * 1024, HealthCheck.HttpOptions.defaults().maxBodyBytes());
  }

  @Test
  void a_dns_check_asks_the_backend_on_port_53_for_an_a_record_unless_told_otherwise() {
    var check = check("""
        kind: dns
        query: probe.shop.example.com""");
    assertEquals(53, check.port());
    assertEquals(Optional.of(new HealthCheck.DnsQuery("probe.shop.example.com", "A")), check.dns());

    assertEquals(Optional.of(new HealthCheck.DnsQuery("example.com", "AAAA")), check("""
        kind: dns
        port: 5353
        query: example.com
        queryType: aaaa""").dns());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      keepAlive on tcp         | kind: tcp\\nport: 5432\\nkeepAlive: true    | keepAlive    | 'keepAlive' applies only to http and https checks, not tcp; remove it
      host on dns              | kind: dns\\nquery: a.example\\nhost: x      | host         | 'host' applies only to http and https checks, not dns; remove it
      query on https           | kind: https\\nquery: a.example               | query        | 'query' applies only to dns checks, not https; remove it
      pinned ca on plain http  | kind: http\\ncaCertificate: x                | caCertificate | 'caCertificate' applies only to https checks, not http; remove it
      dns without a query      | kind: dns                                    | query        | missing required key 'query'
      keepAlive not a boolean  | kind: http\\nkeepAlive: sometimes            | keepAlive    | expected true or false, got 'sometimes'
      """)
  void settings_that_do_not_fit_the_check_are_refused_where_they_are_written(String name, String yaml, String key,
      String message) {
    var violations = parse(yaml.replace("\\n", "\n")).violations();
    assertTrue(violations.stream().anyMatch(v -> v.path().endsWith("healthCheck." + key) && v.message().equals(message)
        && v.hasPosition()), () -> "wanted " + key + ": " + message + "\ngot " + describe(violations));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      host with a space       | kind: https\\nhost: shop example.com       | host          | host 'shop example.com' must be a DNS name or an IP address, optionally with :port, e.g. shop.example.com
      host with a bad port    | kind: https\\nhost: shop.example.com:0     | host          | host 'shop.example.com:0' must be a DNS name or an IP address, optionally with :port, e.g. shop.example.com
      body read unbounded     | kind: http\\nmaxBodyBytes: 2000000         | maxBodyBytes  | maxBodyBytes must be between 1 and 1048576, got 2000000
      ca that is not pem      | kind: https\\ncaCertificate: trust me       | caCertificate | caCertificate must be PEM CA certificates (-----BEGIN CERTIFICATE----- ...): no BEGIN CERTIFICATE block
      query not a name        | kind: dns\\nquery: not a name               | query         | query 'not a name' is not a valid DNS name: labels of 1-63 letters, digits or hyphens (not at either end), separated by dots, 253 characters at most
      query type unknown      | kind: dns\\nquery: a.example\\nqueryType: ANY | queryType  | queryType 'ANY' is not one Tern asks; use one of [A, AAAA, CAA, CNAME, MX, NS, PTR, SOA, SRV, TXT]
      """)
  void values_out_of_bounds_are_refused_with_what_would_be_accepted(String name, String yaml, String key,
      String message) {
    var violations = parse(yaml.replace("\\n", "\n")).violations();
    assertTrue(violations.stream().anyMatch(v -> v.path().endsWith("healthCheck." + key) && v.message().equals(message)),
        () -> "wanted " + key + ": " + message + "\ngot " + describe(violations));
  }

  @Test
  void a_pem_block_that_does_not_parse_is_refused() {
    var broken = pem.replaceAll("(?m)^M[A-Za-z0-9+/]{10}", "M!!!!!!!!!!");
    var violations = parse("kind: https\ncaCertificate: |\n" + broken.indent(2).stripTrailing()).violations();
    assertEquals(Set.of("services.shop.backends[0].healthCheck.caCertificate"),
        violations.stream().map(Violation::path).collect(Collectors.toSet()), describe(violations));
    assertTrue(violations.getFirst().message().contains("it does not parse"), describe(violations));
  }

  private static String describe(List<Violation> violations) {
    return violations.stream().map(v -> v.path() + ": " + v.message()).collect(Collectors.joining("\n"));
  }
}
