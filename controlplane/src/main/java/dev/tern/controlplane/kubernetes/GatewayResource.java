package dev.tern.controlplane.kubernetes;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ListMeta;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.util.List;
import java.util.Optional;

/**
 * The Gateway API's {@code Gateway} ({@code gateway.networking.k8s.io/v1}), as much of it as discovery reads: its
 * metadata, its status addresses, and its conditions. client-java has no model for it (it is a custom resource);
 * Gson fills these fields and ignores the rest.
 */
final class GatewayResource implements KubernetesObject {

  static final String GROUP = "gateway.networking.k8s.io";
  static final String VERSION = "v1";
  static final String PLURAL = "gateways";

  private String apiVersion;
  private String kind;
  private V1ObjectMeta metadata;
  private Status status;

  /** {@code status}: the addresses the Gateway was given and its conditions. */
  static final class Status {
    private List<Address> addresses;
    private List<Condition> conditions;
  }

  /** One {@code status.addresses[]} entry: {@code type} IPAddress or Hostname, and its value. */
  static final class Address {
    private String type;
    private String value;
  }

  /** One {@code status.conditions[]} entry. */
  static final class Condition {
    private String type;
    private String status;
  }

  GatewayResource() {}

  @Override
  public String getApiVersion() {
    return apiVersion;
  }

  @Override
  public String getKind() {
    return kind;
  }

  @Override
  public V1ObjectMeta getMetadata() {
    return metadata;
  }

  /** The first address the Gateway was given, if any. */
  Optional<String> address() {
    return status == null || status.addresses == null ? Optional.empty()
        : status.addresses.stream().map(a -> a.value).filter(v -> v != null && !v.isBlank()).findFirst();
  }

  /** Whether the Gateway's {@code Programmed} condition is {@code True}: its data plane is serving. */
  boolean programmed() {
    return status != null && status.conditions != null && status.conditions.stream()
        .anyMatch(c -> "Programmed".equals(c.type) && "True".equals(c.status));
  }

  /** A list of Gateways, as the API server answers a list call. */
  static final class GatewayList implements KubernetesListObject {
    private String apiVersion;
    private String kind;
    private V1ListMeta metadata;
    private List<GatewayResource> items;

    @Override
    public String getApiVersion() {
      return apiVersion;
    }

    @Override
    public String getKind() {
      return kind;
    }

    @Override
    public V1ListMeta getMetadata() {
      return metadata;
    }

    @Override
    public List<GatewayResource> getItems() {
      return items == null ? List.of() : items;
    }
  }
}
