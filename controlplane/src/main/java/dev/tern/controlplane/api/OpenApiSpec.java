package dev.tern.controlplane.api;

import dev.tern.controlplane.security.ConsoleSessions;
import dev.tern.controlplane.security.EndpointAccess;
import dev.tern.controlplane.server.Problems;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.MediaType;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import jakarta.inject.Singleton;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenAPI 3.1 description of this server, built from the routes Micronaut compiled from the
 * controllers. Each operation carries {@code x-tern-role}: {@code public}, or the least role it
 * needs, taken from {@link EndpointAccess} like the access filter, so the spec cannot disagree
 * with what is enforced. The HEAD routes Micronaut adds beside each GET are left out, as OpenAPI
 * documents usually do; the filter guards them with their GET's access.
 */
@Singleton
final class OpenApiSpec {

  static final String ROLE_EXTENSION = "x-tern-role";

  private final Router router;
  private volatile String yaml;

  OpenApiSpec(Router router) {
    this.router = router;
  }

  String yaml() {
    String spec = yaml;
    if (spec == null) {
      DumperOptions options = new DumperOptions();
      options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
      options.setSplitLines(false);
      options.setDereferenceAliases(true);
      spec = new Yaml(options).dump(document());
      yaml = spec;
    }
    return spec;
  }

  private Map<String, Object> document() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.1.0");
    doc.put("info", Map.of(
        "title", "Tern control plane",
        "version", "v1",
        "description", "Each operation names in x-tern-role the least role it needs, or public."));
    Map<String, Map<String, Object>> paths = new TreeMap<>();
    List<UriRouteInfo<?, ?>> routes = router.uriRoutes()
        .filter(route -> route.getHttpMethod() != HttpMethod.HEAD)
        .sorted(Comparator.comparing((UriRouteInfo<?, ?> r) -> r.getUriMatchTemplate().toPathString())
            .thenComparing(UriRouteInfo::getHttpMethodName))
        .toList();
    for (UriRouteInfo<?, ?> route : routes) {
      paths.computeIfAbsent(route.getUriMatchTemplate().toPathString(), p -> new LinkedHashMap<>())
          .put(route.getHttpMethodName().toLowerCase(Locale.ROOT), operation(route));
    }
    doc.put("paths", paths);
    doc.put("components", components());
    return doc;
  }

  private static Map<String, Object> operation(UriRouteInfo<?, ?> route) {
    EndpointAccess access = EndpointAccess.of(route.getHttpMethod(), route.getAnnotationMetadata());
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("operationId", route.getTargetMethod().getMethodName());
    op.put(ROLE_EXTENSION, access.wireName());
    if (!access.isPublic()) {
      op.put("security", List.of(Map.of("token", List.of()), Map.of("session", List.of())));
    }
    List<String> variables = route.getUriMatchTemplate().getVariableNames();
    if (!variables.isEmpty()) {
      op.put("parameters", variables.stream()
          .map(name -> Map.of("name", name, "in", "path", "required", true, "schema", Map.of("type", "string")))
          .toList());
    }
    if (route.getRequestBodyType().isPresent() || route.getBodyArgument().isPresent()) {
      Map<String, Object> content = new LinkedHashMap<>();
      for (MediaType type : route.getConsumes()) {
        content.put(type.toString(), Map.of());
      }
      op.put("requestBody", Map.of("required", true, "content", content));
    }
    Map<String, Object> responses = new LinkedHashMap<>();
    Map<String, Object> produced = new LinkedHashMap<>();
    for (MediaType type : route.getProduces()) {
      produced.put(type.toString(), Map.of());
    }
    responses.put("2XX", Map.of("description", "Success", "content", produced));
    responses.put("default", Map.of("description", "An error, as RFC 9457 problem details",
        "content", Map.of(Problems.MEDIA_TYPE, Map.of("schema", Map.of("$ref", "#/components/schemas/Problem")))));
    op.put("responses", responses);
    return op;
  }

  private static Map<String, Object> components() {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", "object");
    problem.put("required", List.of("type", "title", "status", "detail"));
    problem.put("properties", Map.of(
        "type", Map.of("type", "string"),
        "title", Map.of("type", "string"),
        "status", Map.of("type", "integer"),
        "detail", Map.of("type", "string")));
    return Map.of(
        "schemas", Map.of("Problem", problem),
        "securitySchemes", Map.of(
            "token", Map.of("type", "http", "scheme", "bearer",
                "description", "An API token; the server stores only its SHA-256."),
            "session", Map.of("type", "apiKey", "in", "cookie", "name", ConsoleSessions.COOKIE,
                "description", "A console session from POST /api/v1/session; requests that change "
                    + "something also send " + ConsoleSessions.CSRF_HEADER + ".")));
  }
}
