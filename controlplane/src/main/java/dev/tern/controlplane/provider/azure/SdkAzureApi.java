package dev.tern.controlplane.provider.azure;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.trafficmanager.fluent.EndpointsClient;
import com.azure.resourcemanager.trafficmanager.fluent.ProfilesClient;
import com.azure.resourcemanager.trafficmanager.fluent.models.EndpointInner;
import com.azure.resourcemanager.trafficmanager.fluent.models.ProfileInner;
import com.azure.resourcemanager.trafficmanager.models.AlwaysServe;
import com.azure.resourcemanager.trafficmanager.models.DnsConfig;
import com.azure.resourcemanager.trafficmanager.models.EndpointStatus;
import com.azure.resourcemanager.trafficmanager.models.EndpointTypes;
import com.azure.resourcemanager.trafficmanager.models.MonitorConfig;
import com.azure.resourcemanager.trafficmanager.models.MonitorProtocol;
import com.azure.resourcemanager.trafficmanager.models.ProfileStatus;
import com.azure.resourcemanager.trafficmanager.models.TrafficRoutingMethod;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@link AzureApi} through the Azure SDK's Traffic Manager service client (api-version
 * 2022-04-01). The SDK's own retries are off (the pipeline has no retry policy): Tern's
 * {@code Retrying} is the one place that tries again, so attempts never multiply.
 *
 * <p>New profiles get a TCP monitor on port 443; with {@code alwaysServe} on every endpoint its
 * probes never take an endpoint out, but Azure requires one.
 */
public final class SdkAzureApi implements AzureApi {

  private final ProfilesClient profiles;
  private final EndpointsClient endpoints;
  private final String resourceGroup;

  public SdkAzureApi(ProfilesClient profiles, EndpointsClient endpoints, String resourceGroup) {
    this.profiles = profiles;
    this.endpoints = endpoints;
    this.resourceGroup = resourceGroup;
  }

  @Override
  public List<AzureTmProfile> list() {
    return call("listing the profiles of resource group " + resourceGroup, () -> {
      List<AzureTmProfile> out = new ArrayList<>();
      profiles.listByResourceGroup(resourceGroup).forEach(p -> out.add(fromSdk(p)));
      return out;
    });
  }

  @Override
  public void create(AzureTmProfile profile) {
    ProfileInner p = settings(profile).withLocation("global")
        .withMonitorConfig(new MonitorConfig().withProtocol(MonitorProtocol.TCP).withPort(443L)
            .withIntervalInSeconds(30L).withTimeoutInSeconds(10L).withToleratedNumberOfFailures(3L))
        .withEndpoints(profile.endpoints().stream().map(SdkAzureApi::toSdk).toList());
    call("creating profile " + profile.name(), () -> profiles.createOrUpdate(resourceGroup, profile.name(), p));
  }

  @Override
  public void update(AzureTmProfile profile) {
    call("updating profile " + profile.name(), () -> profiles.update(resourceGroup, profile.name(), settings(profile)));
  }

  @Override
  public void putEndpoint(String profile, AzureTmEndpoint endpoint) {
    call("putting endpoint " + endpoint.at(profile), () -> endpoints.createOrUpdate(resourceGroup, profile,
        EndpointTypes.fromString(endpoint.kind().path()), endpoint.name(), toSdk(endpoint)));
  }

  @Override
  public void deleteEndpoint(String profile, AzureTmEndpoint endpoint) {
    call("deleting endpoint " + endpoint.at(profile), () -> endpoints.delete(resourceGroup, profile,
        EndpointTypes.fromString(endpoint.kind().path()), endpoint.name()));
  }

  @Override
  public void delete(String profile) {
    call("deleting profile " + profile, () -> profiles.delete(resourceGroup, profile));
  }

  private static ProfileInner settings(AzureTmProfile profile) {
    ProfileInner p = new ProfileInner()
        .withProfileStatus(profile.enabled() ? ProfileStatus.ENABLED : ProfileStatus.DISABLED)
        .withTrafficRoutingMethod(TrafficRoutingMethod.fromString(profile.routingMethod()))
        .withDnsConfig(new DnsConfig().withRelativeName(profile.relativeName()).withTtl(profile.ttl()));
    p.withTags(profile.tags());
    return p;
  }

  static EndpointInner toSdk(AzureTmEndpoint e) {
    EndpointInner in = new EndpointInner().withName(e.name()).withType(e.kind().type())
        .withEndpointStatus(e.enabled() ? EndpointStatus.ENABLED : EndpointStatus.DISABLED)
        .withAlwaysServe(e.alwaysServe() ? AlwaysServe.ENABLED : AlwaysServe.DISABLED)
        .withWeight(e.weight());
    switch (e.kind()) {
      case EXTERNAL -> in.withTarget(e.target());
      case AZURE -> in.withTargetResourceId(e.target());
      case NESTED -> in.withTargetResourceId(e.target()).withMinChildEndpoints(1L);
    }
    if (!e.geoMapping().isEmpty()) {
      in.withGeoMapping(e.geoMapping());
    }
    return in;
  }

  static AzureTmProfile fromSdk(ProfileInner p) {
    DnsConfig dns = p.dnsConfig() == null ? new DnsConfig() : p.dnsConfig();
    List<AzureTmEndpoint> eps = p.endpoints() == null ? List.of() : p.endpoints().stream().map(SdkAzureApi::fromSdk)
        .toList();
    return new AzureTmProfile(p.name(), p.trafficRoutingMethod() == null ? "" : p.trafficRoutingMethod().toString(),
        dns.relativeName() == null ? "" : dns.relativeName(), dns.ttl() == null ? 0 : dns.ttl(),
        !ProfileStatus.DISABLED.equals(p.profileStatus()), p.tags() == null ? Map.of() : p.tags(), eps,
        Optional.ofNullable(dns.fqdn()));
  }

  static AzureTmEndpoint fromSdk(EndpointInner e) {
    AzureTmEndpoint.Kind kind = AzureTmEndpoint.Kind.of(e.type());
    String target = kind == AzureTmEndpoint.Kind.EXTERNAL ? e.target() : e.targetResourceId();
    return new AzureTmEndpoint(e.name(), kind, target == null ? "" : target, e.weight() == null ? 1 : e.weight(),
        e.geoMapping() == null ? List.of() : e.geoMapping(), !EndpointStatus.DISABLED.equals(e.endpointStatus()),
        AlwaysServe.ENABLED.equals(e.alwaysServe()));
  }

  private static <T> T call(String doing, Supplier<T> call) {
    try {
      return call.get();
    } catch (HttpResponseException e) {
      int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
      String code = e instanceof ManagementException m && m.getValue() != null ? m.getValue().getCode() : "";
      String message = e instanceof ManagementException m && m.getValue() != null ? m.getValue().getMessage()
          : "HTTP " + status;
      boolean retryable = status == 429 || status >= 500 || status == 0;
      throw new ApiException(doing + ": " + (code == null || code.isEmpty() ? "HTTP " + status : code) + " "
          + message, retryable, e);
    } catch (RuntimeException e) {
      throw new ApiException(doing + ": " + e.getClass().getSimpleName() + " " + e.getMessage(), noAnswer(e), e);
    }
  }

  /** True when the call failed for want of an answer (connection refused, reset, timed out): worth another try. */
  private static boolean noAnswer(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException || t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }
}
