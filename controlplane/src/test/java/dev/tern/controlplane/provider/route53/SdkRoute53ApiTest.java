package dev.tern.controlplane.provider.route53;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.testing.Receiver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.route53.Route53Client;

/** The SDK adapter's handling of answers that are not AWS error documents. */
class SdkRoute53ApiTest {

  @Test
  void a_500_without_an_aws_error_document_is_a_retryable_error_naming_the_status() throws Exception {
    try (Receiver endpoint = new Receiver(500);
        SdkRoute53Api api = new SdkRoute53Api(Route53Client.builder().region(Region.US_EAST_1)
            .endpointOverride(endpoint.uri(""))
            .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry()))
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
            .httpClient(UrlConnectionHttpClient.create()).build())) {
      Route53Api.ApiException e = assertThrows(Route53Api.ApiException.class, () -> api.list("Z0123456789ABCDEFGHIJ"));
      assertTrue(e.getMessage().startsWith("reading hosted zone Z0123456789ABCDEFGHIJ: HTTP 500"), e.getMessage());
      assertTrue(e.retryable(), e.getMessage());
    }
  }
}
