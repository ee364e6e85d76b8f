package dev.tern.controlplane.provider.clouddns;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpResponseException;
import com.google.api.services.dns.Dns;
import com.google.api.services.dns.model.Change;
import com.google.api.services.dns.model.RRSetRoutingPolicy;
import com.google.api.services.dns.model.RRSetRoutingPolicyGeoPolicy;
import com.google.api.services.dns.model.RRSetRoutingPolicyGeoPolicyGeoPolicyItem;
import com.google.api.services.dns.model.RRSetRoutingPolicyWrrPolicy;
import com.google.api.services.dns.model.RRSetRoutingPolicyWrrPolicyWrrPolicyItem;
import com.google.api.services.dns.model.ResourceRecordSet;
import com.google.api.services.dns.model.ResourceRecordSetsListResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link CloudDnsApi} through the generated Google API client for Cloud DNS v1 (the handwritten
 * {@code google-cloud-dns} client has no routing policies): paginated reads, one
 * {@code changes.create} per change, {@code changes.get} to follow it.
 *
 * <p>A deletion must match the record set exactly, so the record sets last read are kept as Cloud
 * DNS gave them and sent back as they were. Safe for concurrent use.
 */
public final class SdkCloudDnsApi implements CloudDnsApi {

  private static final Set<String> RATE_LIMITED = Set.of("rateLimitExceeded", "userRateLimitExceeded");

  private final Dns dns;
  /** Per {@code project/zone}, the record sets of the last read as Cloud DNS gave them (replaced by each read). */
  private final Map<String, Map<CloudDnsRecord, ResourceRecordSet>> asRead = new ConcurrentHashMap<>();

  public SdkCloudDnsApi(Dns dns) {
    this.dns = dns;
  }

  @Override
  public List<CloudDnsRecord> list(String project, String managedZone) {
    List<CloudDnsRecord> out = new ArrayList<>();
    Map<CloudDnsRecord, ResourceRecordSet> read = new HashMap<>();
    String token = null;
    try {
      do {
        ResourceRecordSetsListResponse page = dns.resourceRecordSets().list(project, managedZone).setPageToken(token)
            .execute();
        if (page.getRrsets() != null) {
          for (ResourceRecordSet r : page.getRrsets()) {
            CloudDnsRecord record = fromSdk(r);
            read.put(record, r);
            out.add(record);
          }
        }
        token = page.getNextPageToken();
      } while (token != null && !token.isEmpty());
      asRead.put(project + "/" + managedZone, Map.copyOf(read));
      return out;
    } catch (IOException e) {
      throw wrap("reading managed zone " + managedZone + " of project " + project, e);
    }
  }

  @Override
  public String change(String project, String managedZone, List<CloudDnsRecord> deletions,
      List<CloudDnsRecord> additions) {
    Change change = new Change().setKind("dns#change")
        .setDeletions(deletions.stream().map(r -> asRead.getOrDefault(project + "/" + managedZone, Map.of())
            .getOrDefault(r, toSdk(r))).toList())
        .setAdditions(additions.stream().map(SdkCloudDnsApi::toSdk).toList());
    try {
      return dns.changes().create(project, managedZone, change).execute().getId();
    } catch (IOException e) {
      throw wrap("changing managed zone " + managedZone + " of project " + project, e);
    }
  }

  @Override
  public boolean done(String project, String managedZone, String id) {
    try {
      return "done".equals(dns.changes().get(project, managedZone, id).execute().getStatus());
    } catch (IOException e) {
      throw wrap("following change " + id + " of managed zone " + managedZone, e);
    }
  }

  static CloudDnsApi.ApiException wrap(String doing, IOException e) {
    if (e instanceof GoogleJsonResponseException g) {
      GoogleJsonError details = g.getDetails();
      String reason = details == null || details.getErrors() == null || details.getErrors().isEmpty() ? ""
          : String.valueOf(details.getErrors().getFirst().getReason());
      String message = details == null ? g.getStatusMessage() : details.getMessage();
      return new CloudDnsApi.ApiException(doing + ": HTTP " + g.getStatusCode() + (reason.isEmpty() ? "" : " " + reason)
          + " " + message, g.getStatusCode(), retryable(g.getStatusCode(), reason), e);
    }
    if (e instanceof HttpResponseException h) {
      return new CloudDnsApi.ApiException(doing + ": HTTP " + h.getStatusCode() + " " + h.getStatusMessage(),
          h.getStatusCode(), retryable(h.getStatusCode(), ""), e);
    }
    return new CloudDnsApi.ApiException(doing + ": no answer (" + e.getClass().getSimpleName() + ": " + e.getMessage()
        + ")", 0, true, e);
  }

  /** 429 and 5xx, and the 403 Google APIs answer when a per-user or per-project rate is exceeded. */
  static boolean retryable(int status, String reason) {
    return status == 429 || status >= 500 || (status == 403 && RATE_LIMITED.contains(reason));
  }

  static CloudDnsRecord fromSdk(ResourceRecordSet r) {
    String name = normalize(r.getName());
    String type = r.getType().toUpperCase(Locale.ROOT);
    int ttl = r.getTtl() == null ? 0 : r.getTtl();
    RRSetRoutingPolicy p = r.getRoutingPolicy();
    if (p == null) {
      return CloudDnsRecord.plain(name, type, ttl, r.getRrdatas() == null ? List.of() : r.getRrdatas());
    }
    return CloudDnsRecord.routed(name, type, ttl, policy(p));
  }

  private static CloudDnsRecord.RoutingPolicy policy(RRSetRoutingPolicy p) {
    boolean onlyGeo = p.getGeo() != null && p.getWrr() == null && p.getPrimaryBackup() == null
        && p.getHealthCheck() == null && p.getGeo().getItems() != null
        && p.getGeo().getItems().stream().allMatch(i -> i.getHealthCheckedTargets() == null);
    if (onlyGeo) {
      return new CloudDnsRecord.Geo(p.getGeo().getItems().stream().map(i -> new CloudDnsRecord.GeoItem(i.getLocation(),
          i.getRrdatas() == null ? List.of() : i.getRrdatas())).toList(),
          Boolean.TRUE.equals(p.getGeo().getEnableFencing()));
    }
    boolean onlyWrr = p.getWrr() != null && p.getGeo() == null && p.getPrimaryBackup() == null
        && p.getHealthCheck() == null && p.getWrr().getItems() != null
        && p.getWrr().getItems().stream().allMatch(i -> i.getHealthCheckedTargets() == null && i.getWeight() != null);
    if (onlyWrr) {
      return new CloudDnsRecord.Wrr(p.getWrr().getItems().stream().map(i -> new CloudDnsRecord.WrrItem(i.getWeight(),
          i.getRrdatas() == null ? List.of() : i.getRrdatas())).toList());
    }
    return new CloudDnsRecord.Other(p.toString());
  }

  static ResourceRecordSet toSdk(CloudDnsRecord r) {
    ResourceRecordSet out = new ResourceRecordSet().setKind("dns#resourceRecordSet").setName(r.name())
        .setType(r.type()).setTtl(r.ttl());
    switch (r.routingPolicy().orElse(null)) {
      case null -> out.setRrdatas(r.rrdatas());
      case CloudDnsRecord.Geo g -> out.setRoutingPolicy(new RRSetRoutingPolicy()
          .setGeo(new RRSetRoutingPolicyGeoPolicy().setEnableFencing(g.fencing()).setItems(g.items().stream()
                  .map(i -> new RRSetRoutingPolicyGeoPolicyGeoPolicyItem().setLocation(i.location())
                      .setRrdatas(i.rrdatas())).toList())));
      case CloudDnsRecord.Wrr w -> out.setRoutingPolicy(new RRSetRoutingPolicy()
          .setWrr(new RRSetRoutingPolicyWrrPolicy().setItems(w.items().stream()
              .map(i -> new RRSetRoutingPolicyWrrPolicyWrrPolicyItem().setWeight(i.weight())
                  .setRrdatas(i.rrdatas())).toList())));
      case CloudDnsRecord.Other o -> throw new IllegalArgumentException("Tern never writes a routing policy it did not"
          + " read: " + r.key());
    }
    return out;
  }

  /** Cloud DNS names come back fully qualified; Tern keeps them lowercase. */
  static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }
}
