package dev.tern.policy.routing;

import dev.tern.policy.geo.ClientZone;
import java.util.List;
import java.util.Objects;

/**
 * What clients of one zone are answered with, and why.
 *
 * @param explanation the engine's reasoning, one readable line per choice
 */
public record ZoneAnswer(ClientZone zone, Mode mode, List<WeightedAnswer> answers, List<String> explanation) {

  /** How the zone's answer came about. */
  public enum Mode {
    /** Chosen by the routing method among eligible backends. */
    NORMAL,
    /** No eligible backend: the allowed backends are served anyway (fail open, within residency). */
    FAIL_OPEN,
    /** No eligible backend and the residency rule says answer nothing: NODATA. */
    NO_ANSWER
  }

  public ZoneAnswer {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(mode, "mode");
    answers = List.copyOf(answers);
    explanation = List.copyOf(explanation);
  }

  /** True when both answer the same backends with the same weights. */
  public boolean sameAnswersAs(ZoneAnswer other) {
    if (other.answers.size() != answers.size()) {
      return false;
    }
    for (int i = 0; i < answers.size(); i++) {
      WeightedAnswer a = answers.get(i);
      WeightedAnswer b = other.answers.get(i);
      if (!a.backend().equals(b.backend()) || a.weight() != b.weight() || !a.address().equals(b.address())) {
        return false;
      }
    }
    return true;
  }

  public int totalWeight() {
    int sum = 0;
    for (WeightedAnswer a : answers) {
      sum += a.weight();
    }
    return sum;
  }

  public boolean contains(String backend) {
    for (WeightedAnswer a : answers) {
      if (a.backend().equals(backend)) {
        return true;
      }
    }
    return false;
  }
}
