package dev.tern.chaos.scenario;

import dev.tern.policy.validation.Violation;
import java.util.List;

/** The result of reading a scenario file: every scenario, or every violation (never both). */
public record ParsedScenarios(List<Scenario> scenarios, List<Violation> violations) {

  public ParsedScenarios {
    scenarios = List.copyOf(scenarios);
    violations = List.copyOf(violations);
  }

  static ParsedScenarios valid(List<Scenario> scenarios) {
    return new ParsedScenarios(scenarios, List.of());
  }

  static ParsedScenarios invalid(List<Violation> violations) {
    return new ParsedScenarios(List.of(), violations);
  }

  public boolean isValid() {
    return violations.isEmpty();
  }
}
