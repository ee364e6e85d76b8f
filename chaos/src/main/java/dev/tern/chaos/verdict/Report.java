package dev.tern.chaos.verdict;

import java.util.List;
import java.util.Objects;

/**
 * The verdict on one run: the hypothesis, each expectation's outcome with the evidence it was
 * decided on, and the overall outcome.
 *
 * <table>
 *   <tr><th>Results</th><th>Overall</th></tr>
 *   <tr><td>any FAIL</td><td>FAIL</td></tr>
 *   <tr><td>no FAIL, any INCONCLUSIVE</td><td>INCONCLUSIVE</td></tr>
 *   <tr><td>all PASS</td><td>PASS</td></tr>
 * </table>
 */
public record Report(String scenario, String hypothesis, List<Result> results) {

  /** How one expectation, or the run as a whole, came out. */
  public enum Outcome {
    PASS,
    FAIL,
    /** Nothing recorded could decide it either way. */
    INCONCLUSIVE
  }

  /** One expectation: what was expected, how it came out, and why, in words. */
  public record Result(String expectation, Outcome outcome, String evidence) {
    public Result {
      Objects.requireNonNull(expectation, "expectation");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(evidence, "evidence");
    }
  }

  public Report {
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(hypothesis, "hypothesis");
    results = List.copyOf(results);
  }

  public Outcome overall() {
    if (results.stream().anyMatch(r -> r.outcome() == Outcome.FAIL)) {
      return Outcome.FAIL;
    }
    return results.stream().anyMatch(r -> r.outcome() == Outcome.INCONCLUSIVE) ? Outcome.INCONCLUSIVE : Outcome.PASS;
  }
}
