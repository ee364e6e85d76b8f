package dev.tern.controlplane.provider.globalaccelerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.globalaccelerator.GlobalAcceleratorClient;
import software.amazon.awssdk.services.globalaccelerator.model.GlobalAcceleratorException;

/**
 * The fake itself: it serves the documented shapes through the real SDK, and rejects, records
 * and answers with an error what the documented API would not accept (wrong envelope, bad
 * signature, unknown members, wrong types, missing required members).
 */
class FakeGlobalAcceleratorTest {

  static final ObjectMapper JSON = new ObjectMapper();
  FakeGlobalAccelerator fake;
  String accelerator;
  String listener;

  @BeforeEach
  void start() {
    fake = FakeGlobalAccelerator.start();
    accelerator = fake.createAccelerator("shop", Map.of("tern/owner", "tern"));
    listener = fake.createListener(accelerator);
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  GlobalAcceleratorClient client(String region, String secret) {
    return GlobalAcceleratorClient.builder().endpointOverride(fake.uri()).region(Region.of(region))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
            FakeGlobalAccelerator.ACCESS_KEY_ID, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  /** Sends {@code body} to {@code operation}, signed with SigV4 as the SDK signs, headers as given. */
  HttpResponse<String> send(String operation, String body, String contentType) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(fake.uri().resolve("/"))
        .putHeader("Content-Type", contentType)
        .putHeader("X-Amz-Target", FakeGlobalAccelerator.TARGET_PREFIX + operation)
        .putHeader("Content-Length", String.valueOf(bytes.length)).build();
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(FakeGlobalAccelerator.ACCESS_KEY_ID,
            FakeGlobalAccelerator.SECRET_ACCESS_KEY))
        .request(request).payload(ContentStreamProvider.fromByteArray(bytes))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "globalaccelerator")
        .putProperty(AwsV4HttpSigner.REGION_NAME, FakeGlobalAccelerator.REGION));
    HttpRequest.Builder http = HttpRequest.newBuilder(fake.uri().resolve("/"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    signed.request().headers().forEach((name, values) -> {
      if (!Set.of("host", "content-length").contains(name.toLowerCase(java.util.Locale.ROOT))) {
        values.forEach(v -> http.header(name, v));
      }
    });
    try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      return c.send(http.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void the_sdk_reads_the_documented_response_shapes() {
    try (GlobalAcceleratorClient c = client(FakeGlobalAccelerator.REGION, FakeGlobalAccelerator.SECRET_ACCESS_KEY)) {
      assertEquals("tern", c.listTagsForResource(b -> b.resourceArn(accelerator)).tags().getFirst().value());
      var a = c.describeAccelerator(b -> b.acceleratorArn(accelerator)).accelerator();
      assertEquals("shop", a.name());
      assertEquals("DEPLOYED", a.statusAsString());
      var created = c.createEndpointGroup(b -> b.listenerArn(listener).endpointGroupRegion("us-east-1")
          .trafficDialPercentage(50f).healthCheckIntervalSeconds(10).thresholdCount(2).healthCheckProtocol("HTTPS")
          .endpointConfigurations(e -> e.endpointId("i-0123456789abcdef0").weight(7).clientIPPreservationEnabled(true))
          .idempotencyToken("token-1")).endpointGroup();
      assertEquals(50f, created.trafficDialPercentage());
      assertEquals(7, created.endpointDescriptions().getFirst().weight());
      assertEquals(created.endpointGroupArn(), c.createEndpointGroup(b -> b.listenerArn(listener)
          .endpointGroupRegion("us-east-1").idempotencyToken("token-1")).endpointGroup().endpointGroupArn(),
          "the same idempotency token returns the same group");
      GlobalAcceleratorException again = assertThrows(GlobalAcceleratorException.class,
          () -> c.createEndpointGroup(b -> b.listenerArn(listener).endpointGroupRegion("us-east-1")
              .idempotencyToken("token-2")));
      assertEquals("EndpointGroupAlreadyExistsException", again.awsErrorDetails().errorCode());
      c.deleteEndpointGroup(b -> b.endpointGroupArn(created.endpointGroupArn()));
      assertEquals(List.of(), c.listEndpointGroups(b -> b.listenerArn(listener)).endpointGroups());
      GlobalAcceleratorException missing = assertThrows(GlobalAcceleratorException.class,
          () -> c.listEndpointGroups(b -> b.listenerArn(listener + "0")));
      assertEquals("ListenerNotFoundException", missing.awsErrorDetails().errorCode());
    }
    assertEquals(List.of(), fake.rejected());
  }

  @Test
  void a_request_signed_with_another_secret_or_for_another_region_is_rejected() {
    try (GlobalAcceleratorClient c = client(FakeGlobalAccelerator.REGION, "not-the-secret")) {
      GlobalAcceleratorException e = assertThrows(GlobalAcceleratorException.class,
          () -> c.listTagsForResource(b -> b.resourceArn(accelerator)));
      assertEquals("InvalidSignatureException", e.awsErrorDetails().errorCode());
    }
    try (GlobalAcceleratorClient c = client("us-east-1", FakeGlobalAccelerator.SECRET_ACCESS_KEY)) {
      assertThrows(GlobalAcceleratorException.class, () -> c.listTagsForResource(b -> b.resourceArn(accelerator)));
    }
    assertEquals(2, fake.rejected().size(), fake.rejected().toString());
    assertTrue(fake.rejected().get(0).contains("signature does not match"), fake.rejected().get(0));
    assertTrue(fake.rejected().get(1).contains("expected AKIDTERNFAKE/us-west-2/globalaccelerator"),
        fake.rejected().get(1));
  }

  @Test
  void a_correctly_signed_raw_request_is_served() throws Exception {
    HttpResponse<String> r = send("ListTagsForResource", "{\"ResourceArn\":\"" + accelerator + "\"}",
        FakeGlobalAccelerator.CONTENT_TYPE);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("{\"Tags\":[{\"Key\":\"tern/owner\",\"Value\":\"tern\"}]}", r.body());
    assertEquals(List.of(), fake.rejected());
  }

  @ParameterizedTest(name = "{0}: {2}")
  @CsvSource(delimiter = '|', value = {
      "ListTagsForResource | {\"ResourceArn\":\"A\",\"Extra\":1} | unknown member Extra",
      "ListTagsForResource | {} | required member ResourceArn is missing",
      "ListTagsForResource | [1] | body is not a JSON object",
      "ListEndpointGroups | {\"ListenerArn\":\"L\",\"MaxResults\":\"10\"} | member MaxResults is not a integer",
      "ListEndpointGroups | {\"ListenerArn\":\"L\",\"MaxResults\":500} | MaxResults 500 is not 1..100",
      "CreateEndpointGroup | {\"ListenerArn\":\"L\",\"EndpointGroupRegion\":\"us-east-1\"}"
          + " | required member IdempotencyToken",
      "CreateEndpointGroup | {\"ListenerArn\":\"L\",\"EndpointGroupRegion\":\"us-east-1\",\"IdempotencyToken\":\"t\","
          + "\"TrafficDialPercentage\":\"100\"} | member TrafficDialPercentage is not a number",
      "UpdateEndpointGroup | {\"EndpointGroupArn\":\"G\","
          + "\"EndpointConfigurations\":[{\"EndpointId\":\"i-01\",\"Weight\":300}]} | Weight 300 is not 0..255",
      "UpdateEndpointGroup | {\"EndpointGroupArn\":\"G\",\"EndpointConfigurations\":[{\"Id\":\"i-01\"}]}"
          + " | unknown member Id",
      "UpdateEndpointGroup | {\"EndpointGroupArn\":\"G\",\"HealthCheckIntervalSeconds\":20}"
          + " | HealthCheckIntervalSeconds is 10 or 30",
      "TagResource | {} | operation not served: TagResource"})
  void a_request_outside_the_documented_shapes_is_rejected_and_recorded(String operation, String body, String reason)
      throws Exception {
    String listed = fake.addEndpointGroup(listener, "us-east-1", 100, Map.of());
    HttpResponse<String> r = send(operation, body.replace("\"A\"", "\"" + accelerator + "\"")
        .replace("\"L\"", "\"" + listener + "\"").replace("\"G\"", "\"" + listed + "\""),
        FakeGlobalAccelerator.CONTENT_TYPE);
    assertEquals(400, r.statusCode());
    JsonNode error = JSON.readTree(r.body());
    assertTrue(error.has("__type") && error.has("message"), r.body());
    assertEquals(1, fake.rejected().size(), fake.rejected().toString());
    assertTrue(fake.rejected().getFirst().contains(reason), fake.rejected().getFirst());
  }

  @Test
  void the_envelope_is_checked_content_type_target_method_and_path() throws Exception {
    assertEquals(400, send("ListTagsForResource", "{\"ResourceArn\":\"" + accelerator + "\"}", "application/json")
        .statusCode());
    try (HttpClient c = HttpClient.newHttpClient()) {
      assertEquals(400, c.send(HttpRequest.newBuilder(fake.uri().resolve("/?Action=ListAccelerators")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(400, c.send(HttpRequest.newBuilder(fake.uri())
          .header("Content-Type", FakeGlobalAccelerator.CONTENT_TYPE)
          .header("X-Amz-Target", "ListTagsForResource").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(400, c.send(HttpRequest.newBuilder(fake.uri())
          .header("Content-Type", FakeGlobalAccelerator.CONTENT_TYPE)
          .header("X-Amz-Target", FakeGlobalAccelerator.TARGET_PREFIX + "ListTagsForResource")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
    List<String> rejected = fake.rejected();
    assertEquals(4, rejected.size(), rejected.toString());
    assertTrue(rejected.get(0).contains("Content-Type application/json"), rejected.get(0));
    assertTrue(rejected.get(1).contains("method GET"), rejected.get(1));
    assertTrue(rejected.get(2).contains("X-Amz-Target ListTagsForResource"), rejected.get(2));
    assertTrue(rejected.get(3).contains("Authorization is not an AWS4-HMAC-SHA256 signature"), rejected.get(3));
  }

  @Test
  void injected_failures_answer_in_the_documented_error_shape() throws Exception {
    fake.failNext(429, 1);
    fake.passNext(1);
    fake.failNext(500, 1);
    String body = "{\"ResourceArn\":\"" + accelerator + "\"}";
    HttpResponse<String> throttled = send("ListTagsForResource", body, FakeGlobalAccelerator.CONTENT_TYPE);
    assertEquals(429, throttled.statusCode());
    assertEquals("0", throttled.headers().firstValue("Retry-After").orElseThrow());
    assertEquals("ThrottlingException", JSON.readTree(throttled.body()).get("__type").asText());
    assertEquals(200, send("ListTagsForResource", body, FakeGlobalAccelerator.CONTENT_TYPE).statusCode());
    HttpResponse<String> failed = send("ListTagsForResource", body, FakeGlobalAccelerator.CONTENT_TYPE);
    assertEquals(500, failed.statusCode());
    assertEquals("InternalServiceErrorException", JSON.readTree(failed.body()).get("__type").asText());
    assertEquals(List.of(), fake.rejected());
    assertEquals(3, fake.requests("ListTagsForResource"));
  }
}
