package dev.tern.policy.yaml;

import dev.tern.policy.model.Policy;
import dev.tern.policy.validation.Violation;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What parsing a policy file gave: the policy when it is valid, otherwise every violation found,
 * in source order.
 *
 * @param policy present if and only if {@code violations} is empty
 */
public record ParsedPolicy(Optional<Policy> policy, List<Violation> violations) {

  public ParsedPolicy {
    Objects.requireNonNull(policy, "policy");
    violations = List.copyOf(violations);
    if (policy.isPresent() != violations.isEmpty()) {
      throw new IllegalArgumentException("a policy is present exactly when there are no violations");
    }
  }

  static ParsedPolicy valid(Policy policy) {
    return new ParsedPolicy(Optional.of(policy), List.of());
  }

  static ParsedPolicy invalid(List<Violation> violations) {
    return new ParsedPolicy(Optional.empty(), violations);
  }

  public boolean isValid() {
    return policy.isPresent();
  }
}
