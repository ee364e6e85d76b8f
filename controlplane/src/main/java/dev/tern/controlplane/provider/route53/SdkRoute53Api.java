package dev.tern.controlplane.provider.route53;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.AliasTarget;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeBatch;
import software.amazon.awssdk.services.route53.model.GeoLocation;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsRequest;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.Route53Exception;

/** {@link Route53Api} through the AWS SDK for Java v2: paginated reads, one ChangeResourceRecordSets per batch. */
public final class SdkRoute53Api implements Route53Api, AutoCloseable {

  private final Route53Client client;

  public SdkRoute53Api(Route53Client client) {
    this.client = client;
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public List<Route53Record> list(String hostedZoneId) {
    List<Route53Record> out = new ArrayList<>();
    ListResourceRecordSetsRequest.Builder request = ListResourceRecordSetsRequest.builder().hostedZoneId(hostedZoneId);
    try {
      while (true) {
        ListResourceRecordSetsResponse page = client.listResourceRecordSets(request.build());
        page.resourceRecordSets().forEach(r -> out.add(fromSdk(r)));
        if (!Boolean.TRUE.equals(page.isTruncated())) {
          return out;
        }
        request.startRecordName(page.nextRecordName()).startRecordType(page.nextRecordType())
            .startRecordIdentifier(page.nextRecordIdentifier());
      }
    } catch (Route53Exception | SdkClientException e) {
      throw wrap("reading hosted zone " + hostedZoneId, e);
    }
  }

  @Override
  public void change(String hostedZoneId, List<Route53Diff.Change> changes, String comment) {
    List<Change> sdk = changes.stream().map(c -> Change.builder()
        .action(c.action().equals("DELETE") ? ChangeAction.DELETE : ChangeAction.UPSERT)
        .resourceRecordSet(toSdk(c.record(), hostedZoneId)).build()).toList();
    try {
      client.changeResourceRecordSets(b -> b.hostedZoneId(hostedZoneId)
          .changeBatch(ChangeBatch.builder().comment(comment).changes(sdk).build()));
    } catch (Route53Exception | SdkClientException e) {
      throw wrap("changing hosted zone " + hostedZoneId, e);
    }
  }

  private static Route53Api.ApiException wrap(String doing, RuntimeException e) {
    if (e instanceof Route53Exception r) {
      // An answer that is not an AWS error document (a proxy's 502, say) has no code and no message.
      String code = r.awsErrorDetails() == null || r.awsErrorDetails().errorCode() == null ? ""
          : r.awsErrorDetails().errorCode();
      boolean retryable = r.statusCode() >= 500 || r.statusCode() == 429 || "Throttling".equals(code)
          || "PriorRequestNotComplete".equals(code) || r.isThrottlingException();
      String message = r.awsErrorDetails() == null || r.awsErrorDetails().errorMessage() == null ? r.getMessage()
          : r.awsErrorDetails().errorMessage();
      return new Route53Api.ApiException(doing + ": " + (code.isEmpty() ? "HTTP " + r.statusCode() : code) + " "
          + message, retryable, e);
    }
    return new Route53Api.ApiException(doing + ": " + e.getMessage(), true, e);
  }

  static Route53Record fromSdk(ResourceRecordSet r) {
    Optional<Route53Record.Geo> geo = Optional.ofNullable(r.geoLocation()).map(g -> g.continentCode() != null
        ? Route53Record.Geo.continent(g.continentCode()) : Route53Record.Geo.country(g.countryCode()));
    return new Route53Record(normalize(r.name()), r.typeAsString(), Optional.ofNullable(r.setIdentifier()), geo,
        r.weight() == null ? OptionalLong.empty() : OptionalLong.of(r.weight()),
        r.ttl() == null || r.aliasTarget() != null ? OptionalLong.empty() : OptionalLong.of(r.ttl()),
        r.resourceRecords().stream().map(ResourceRecord::value).toList(),
        Optional.ofNullable(r.aliasTarget()).map(a -> normalize(a.dnsName())));
  }

  static ResourceRecordSet toSdk(Route53Record r, String hostedZoneId) {
    ResourceRecordSet.Builder b = ResourceRecordSet.builder().name(r.name()).type(r.type());
    r.setIdentifier().ifPresent(b::setIdentifier);
    r.geo().ifPresent(g -> b.geoLocation(GeoLocation.builder().continentCode(g.continent().orElse(null))
        .countryCode(g.country().orElse(null)).build()));
    r.weight().ifPresent(b::weight);
    r.ttl().ifPresent(b::ttl);
    if (!r.values().isEmpty()) {
      b.resourceRecords(r.values().stream().map(v -> ResourceRecord.builder().value(v).build()).toList());
    }
    r.aliasTarget().ifPresent(t -> b.aliasTarget(AliasTarget.builder().hostedZoneId(hostedZoneId).dnsName(t)
        .evaluateTargetHealth(false).build()));
    return b.build();
  }

  /** Route 53 names come back fully qualified, in any case, with {@code *} as {@code \052}. */
  static String normalize(String name) {
    String n = name.replace("\\052", "*").toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }
}
