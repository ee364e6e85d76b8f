package dev.tern.controlplane.provider.globalaccelerator;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One endpoint group of a Global Accelerator listener as Tern reads and writes it, independent of
 * the SDK: what the pure translation produces and the diff compares. Health-check settings and
 * client IP preservation are the operator's and are not part of it.
 *
 * @param region the AWS region of the group ({@code eu-central-1}); a listener has at most one group per region
 * @param trafficDial the share of the traffic GA would send this region that it does send, 0 to 100
 * @param endpoints the endpoints, sorted by id, so that two groups with the same endpoints are equal
 */
public record EndpointGroup(String region, int trafficDial, List<Endpoint> endpoints) {

  /** Global Accelerator's endpoint weights go from 0 to 255. */
  public static final int MAX_WEIGHT = 255;
  /** The weight Global Accelerator gives an endpoint created without one. */
  public static final int DEFAULT_WEIGHT = 128;

  /**
   * One endpoint of a group.
   *
   * @param id an ALB, NLB or Elastic IP allocation ARN / id, or an EC2 instance id
   * @param weight its share of the group's traffic, 0 to 255 (0: none)
   */
  public record Endpoint(String id, int weight) {
    public Endpoint {
      Objects.requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("an endpoint id is not blank");
      }
      if (weight < 0 || weight > MAX_WEIGHT) {
        throw new IllegalArgumentException("an endpoint weight is 0 to " + MAX_WEIGHT + ": " + weight);
      }
    }
  }

  public EndpointGroup {
    Objects.requireNonNull(region, "region");
    if (trafficDial < 0 || trafficDial > 100) {
      throw new IllegalArgumentException("a traffic dial is 0 to 100: " + trafficDial);
    }
    endpoints = endpoints.stream().sorted(Comparator.comparing(Endpoint::id)).toList();
    if (endpoints.stream().map(Endpoint::id).distinct().count() != endpoints.size()) {
      throw new IllegalArgumentException("an endpoint is in a group once: " + endpoints);
    }
  }

  /** The weight of {@code id} in this group, if it is in it. */
  public Optional<Integer> weight(String id) {
    return endpoints.stream().filter(e -> e.id().equals(id)).map(Endpoint::weight).findFirst();
  }

  /** {@code eu-central-1 dial 100 [fra=255, ams=0]}, with endpoint ids shown through {@code label}. */
  public String describe(Function<String, String> label) {
    return region + " dial " + trafficDial + " " + endpoints.stream().map(e -> label.apply(e.id()) + "=" + e.weight())
        .collect(Collectors.joining(", ", "[", "]"));
  }

  @Override
  public String toString() {
    return describe(Function.identity());
  }
}
