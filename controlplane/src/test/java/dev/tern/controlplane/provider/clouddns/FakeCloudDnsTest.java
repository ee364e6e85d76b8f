package dev.tern.controlplane.provider.clouddns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fake refuses what Cloud DNS would not take, and records what is outside the documented shapes. */
class FakeCloudDnsTest {

  static FakeCloudDns fake;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String CHANGES = "dns/v1/projects/tern-test/managedZones/gslb/changes";

  @BeforeAll
  static void start() {
    fake = FakeCloudDns.start();
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no bearer token|POST|" + CHANGES + "||" + "{}" + "|401",
      "an unknown path|GET|dns/v1/projects/tern-test/managedZones/gslb/records|t|" + "|404",
      "an unknown project|GET|dns/v1/projects/other/managedZones/gslb/rrsets|t|" + "|404",
      "an unknown query parameter|GET|dns/v1/projects/tern-test/managedZones/gslb/rrsets?alt=xml|t|" + "|400",
      "a name without the trailing dot|POST|" + CHANGES + "|t|{\"additions\":[{\"name\":\"a.gslb.example.com\",\"type\":\"A\",\"ttl\":30,\"rrdatas\":[\"192.0.2.1\"]}]}|400",
      "a name outside the zone|POST|" + CHANGES + "|t|{\"additions\":[{\"name\":\"a.example.org.\",\"type\":\"A\",\"ttl\":30,\"rrdatas\":[\"192.0.2.1\"]}]}|400",
      "a ttl as a string|POST|" + CHANGES + "|t|{\"additions\":[{\"name\":\"a.gslb.example.com.\",\"type\":\"A\",\"ttl\":\"30\",\"rrdatas\":[\"192.0.2.1\"]}]}|400",
      "rrdatas and a routing policy|POST|" + CHANGES + "|t|" + "{\"additions\":[{\"name\":\"a.gslb.example.com.\",\"type\":\"A\",\"ttl\":30,\"rrdatas\":[\"192.0.2.1\"],\"routingPolicy\":{\"wrr\":{\"items\":[{\"weight\":1,\"rrdatas\":[\"192.0.2.1\"]}]}}}]}|400",
      "a weight as a string|POST|" + CHANGES + "|t|" + "{\"additions\":[{\"name\":\"a.gslb.example.com.\",\"type\":\"A\",\"ttl\":30,\"routingPolicy\":{\"wrr\":{\"items\":[{\"weight\":\"1\",\"rrdatas\":[\"192.0.2.1\"]}]}}}]}|400",
      "a geo location that is no region|POST|" + CHANGES + "|t|" + "{\"additions\":[{\"name\":\"a.gslb.example.com.\",\"type\":\"A\",\"ttl\":30,\"routingPolicy\":{\"geo\":{\"items\":[{\"location\":\"EU\",\"rrdatas\":[\"192.0.2.1\"]}]}}}]}|400",
      "fencing as a string|POST|" + CHANGES + "|t|" + "{\"additions\":[{\"name\":\"a.gslb.example.com.\",\"type\":\"A\",\"ttl\":30,\"routingPolicy\":{\"geo\":{\"enableFencing\":\"yes\",\"items\":[{\"location\":\"us-east1\",\"rrdatas\":[\"192.0.2.1\"]}]}}}]}|400",
      "an unknown field|POST|" + CHANGES + "|t|" + "{\"additions\":[{\"name\":\"a.gslb.example.com.\",\"type\":\"A\",\"ttl\":30,\"weight\":1,\"rrdatas\":[\"192.0.2.1\"]}]}|400",
      "a CNAME without the trailing dot|POST|" + CHANGES + "|t|" + "{\"additions\":[{\"name\":\"a.gslb.example.com.\",\"type\":\"CNAME\",\"ttl\":30,\"rrdatas\":[\"b.example.com\"]}]}|400",
      "an A record holding a name|POST|" + CHANGES + "|t|" + "{\"additions\":[{\"name\":\"a.gslb.example.com.\",\"type\":\"A\",\"ttl\":30,\"rrdatas\":[\"b.example.com.\"]}]}|400"})
  void what_cloud_dns_would_not_take_is_refused_and_recorded(String what, String method, String path, String token,
      String body, int status) throws Exception {
    int before = fake.rejected().size();
    HttpRequest.Builder request = HttpRequest.newBuilder(fake.uri().resolve(path))
        .header("Content-Type", "application/json");
    if ("t".equals(token)) {
      request.header("Authorization", "Bearer " + FakeCloudDns.ACCESS_TOKEN);
    }
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.body().contains("\"error\""), response.body());
    assertEquals(before + 1, fake.rejected().size(), what + " is recorded: " + fake.rejected());
    assertEquals(List.of(), List.copyOf(fake.recordSets().keySet()), "nothing was applied");
  }
}
