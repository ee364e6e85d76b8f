package dev.tern.controlplane.security;

import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.http.HttpMethod;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call one endpoint: anyone, or callers whose role covers {@code role}. The access filter
 * and the OpenAPI spec both read it from here, so what the spec says is what is enforced.
 *
 * <table>
 *   <caption>How an endpoint's access is decided</caption>
 *   <tr><th>Annotation on the method</th><th>Method</th><th>Access</th></tr>
 *   <tr><td>{@link Public}</td><td>any</td><td>anyone</td></tr>
 *   <tr><td>{@link RequiresRole}{@code (R)}</td><td>any</td><td>R or above</td></tr>
 *   <tr><td>none</td><td>GET, HEAD, OPTIONS</td><td>viewer or above</td></tr>
 *   <tr><td>none</td><td>POST, PUT, PATCH, DELETE, other</td><td>admin (fails closed)</td></tr>
 * </table>
 *
 * @param role empty when the endpoint is public
 */
public record EndpointAccess(Optional<Role> role) {

  private static final Set<HttpMethod> SAFE_METHODS =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  public EndpointAccess {
    Objects.requireNonNull(role, "role");
  }

  public static EndpointAccess of(HttpMethod method, AnnotationMetadata annotations) {
    boolean isPublic = annotations.hasAnnotation(Public.class);
    Optional<Role> declared = annotations.enumValue(RequiresRole.class, Role.class);
    if (isPublic && declared.isPresent()) {
      throw new IllegalStateException("an endpoint is either @Public or @RequiresRole, not both");
    }
    if (isPublic) {
      return new EndpointAccess(Optional.empty());
    }
    return new EndpointAccess(Optional.of(declared.orElse(isSafe(method) ? Role.VIEWER : Role.ADMIN)));
  }

  /** True for methods that change something, where a cookie-borne session must prove intent. */
  public static boolean isMutating(HttpMethod method) {
    return !isSafe(method);
  }

  private static boolean isSafe(HttpMethod method) {
    return SAFE_METHODS.contains(method);
  }

  public boolean isPublic() {
    return role.isEmpty();
  }

  /** {@code public}, or the role's wire name: the value of {@code x-tern-role} in the spec. */
  public String wireName() {
    return role.map(Role::wireName).orElse("public");
  }
}
