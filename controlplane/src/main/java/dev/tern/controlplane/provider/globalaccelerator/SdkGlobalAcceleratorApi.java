package dev.tern.controlplane.provider.globalaccelerator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.globalaccelerator.GlobalAcceleratorClient;
import software.amazon.awssdk.services.globalaccelerator.model.EndpointConfiguration;
import software.amazon.awssdk.services.globalaccelerator.model.EndpointDescription;
import software.amazon.awssdk.services.globalaccelerator.model.ListEndpointGroupsRequest;
import software.amazon.awssdk.services.globalaccelerator.model.ListEndpointGroupsResponse;
import software.amazon.awssdk.services.globalaccelerator.model.Tag;

/**
 * {@link GlobalAcceleratorApi} through the AWS SDK for Java v2 (AWS JSON 1.1). The client should be
 * built without the SDK's own retries ({@code AwsRetryStrategy.doNotRetry()}), so that the
 * provider's {@code Retrying} is the one retry policy and every attempt is logged.
 *
 * <p><b>Failure.</b> Throttling ({@code ThrottlingException}, 429), {@code InternalServiceErrorException},
 * {@code TransactionInProgressException} (another change to the accelerator is still in progress),
 * 5xx and no answer are retryable; any other refusal is not.
 */
public final class SdkGlobalAcceleratorApi implements GlobalAcceleratorApi, AutoCloseable {

  /** The error codes that say "try again later" whatever the HTTP status. */
  static final Set<String> RETRYABLE_CODES = Set.of("ThrottlingException", "Throttling", "TooManyRequestsException",
      "InternalServiceErrorException", "TransactionInProgressException", "ServiceUnavailable");
  /** ListEndpointGroups answers at most this many groups a page. */
  static final int PAGE_SIZE = 100;

  private final GlobalAcceleratorClient client;

  public SdkGlobalAcceleratorApi(GlobalAcceleratorClient client) {
    this.client = client;
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public Map<String, String> tags(String acceleratorArn) {
    try {
      Map<String, String> out = new LinkedHashMap<>();
      for (Tag t : client.listTagsForResource(b -> b.resourceArn(acceleratorArn)).tags()) {
        out.put(t.key(), t.value());
      }
      return out;
    } catch (AwsServiceException | SdkClientException e) {
      throw wrap("reading the tags of accelerator " + acceleratorArn, e);
    }
  }

  @Override
  public List<GlobalAcceleratorDiff.Listed> endpointGroups(String listenerArn) {
    List<GlobalAcceleratorDiff.Listed> out = new ArrayList<>();
    ListEndpointGroupsRequest.Builder request = ListEndpointGroupsRequest.builder().listenerArn(listenerArn)
        .maxResults(PAGE_SIZE);
    try {
      while (true) {
        ListEndpointGroupsResponse page = client.listEndpointGroups(request.build());
        for (var g : page.endpointGroups()) {
          List<EndpointGroup.Endpoint> endpoints = new ArrayList<>();
          for (EndpointDescription d : g.endpointDescriptions()) {
            endpoints.add(new EndpointGroup.Endpoint(d.endpointId(),
                d.weight() == null ? EndpointGroup.DEFAULT_WEIGHT : d.weight()));
          }
          int dial = g.trafficDialPercentage() == null ? 100 : Math.round(g.trafficDialPercentage());
          out.add(new GlobalAcceleratorDiff.Listed(g.endpointGroupArn(),
              new EndpointGroup(g.endpointGroupRegion(), dial, endpoints)));
        }
        if (page.nextToken() == null || page.nextToken().isEmpty()) {
          return out;
        }
        request.nextToken(page.nextToken());
      }
    } catch (AwsServiceException | SdkClientException e) {
      throw wrap("listing the endpoint groups of listener " + listenerArn, e);
    }
  }

  @Override
  public String create(String listenerArn, EndpointGroup group, String idempotencyToken) {
    try {
      return client.createEndpointGroup(b -> b.listenerArn(listenerArn).endpointGroupRegion(group.region())
          .trafficDialPercentage((float) group.trafficDial()).endpointConfigurations(configurations(group))
          .idempotencyToken(idempotencyToken)).endpointGroup().endpointGroupArn();
    } catch (AwsServiceException | SdkClientException e) {
      throw wrap("creating the endpoint group in " + group.region() + " of listener " + listenerArn, e);
    }
  }

  @Override
  public void update(String endpointGroupArn, EndpointGroup group) {
    try {
      client.updateEndpointGroup(b -> b.endpointGroupArn(endpointGroupArn)
          .trafficDialPercentage((float) group.trafficDial()).endpointConfigurations(configurations(group)));
    } catch (AwsServiceException | SdkClientException e) {
      throw wrap("updating endpoint group " + endpointGroupArn, e);
    }
  }

  @Override
  public void delete(String endpointGroupArn) {
    try {
      client.deleteEndpointGroup(b -> b.endpointGroupArn(endpointGroupArn));
    } catch (AwsServiceException | SdkClientException e) {
      throw wrap("deleting endpoint group " + endpointGroupArn, e);
    }
  }

  private static List<EndpointConfiguration> configurations(EndpointGroup group) {
    return group.endpoints().stream()
        .map(e -> EndpointConfiguration.builder().endpointId(e.id()).weight(e.weight()).build()).toList();
  }

  static GlobalAcceleratorApi.ApiException wrap(String doing, RuntimeException e) {
    if (e instanceof AwsServiceException s) {
      String code = s.awsErrorDetails() == null || s.awsErrorDetails().errorCode() == null ? ""
          : s.awsErrorDetails().errorCode();
      boolean retryable = s.statusCode() >= 500 || s.statusCode() == 429 || s.isThrottlingException()
          || RETRYABLE_CODES.contains(code);
      String message = s.awsErrorDetails() == null || s.awsErrorDetails().errorMessage() == null ? s.getMessage()
          : s.awsErrorDetails().errorMessage();
      return new GlobalAcceleratorApi.ApiException(doing + ": " + (code.isEmpty() ? "HTTP " + s.statusCode() : code)
          + " " + message, retryable, e);
    }
    return new GlobalAcceleratorApi.ApiException(doing + ": " + e.getMessage(), true, e);
  }
}
