package dev.tern.controlplane.api;

import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import dev.tern.policy.validation.Violation;
import dev.tern.policy.yaml.ParsedPolicy;
import dev.tern.policy.yaml.PolicyParser;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * {@code POST /api/v1/policies:validate}: checks a policy file without applying it, as
 * {@code tern policy validate} does. It changes nothing, so a viewer may call it.
 */
@Controller("/api/v1")
final class PolicyValidationController {

  static final String APPLICATION_YAML = "application/yaml";

  /** The verdict on one policy file. */
  @Serdeable
  record PolicyValidation(boolean valid, List<ViolationView> violations) {}

  /** One problem in the file, placed at its line and column (0 when unknown). */
  @Serdeable
  record ViolationView(String path, int line, int column, String message) {
    static ViolationView of(Violation v) {
      return new ViolationView(v.path(), v.line(), v.column(), v.message());
    }
  }

  private final PolicyParser parser = new PolicyParser();

  @Post(uri = "/policies:validate", consumes = {APPLICATION_YAML, MediaType.TEXT_PLAIN})
  @ExecuteOn(TaskExecutors.BLOCKING)
  @RequiresRole(Role.VIEWER)
  PolicyValidation validatePolicy(@Body String policyYaml) {
    ParsedPolicy parsed = parser.parse(policyYaml);
    return new PolicyValidation(parsed.isValid(),
        parsed.violations().stream().map(ViolationView::of).toList());
  }
}
