package dev.tern.policy.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.validation.Violation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever text arrives, parsing answers with a result, never an exception. */
class PolicyParserPropertiesTest {

  private final PolicyParser parser = new PolicyParser();

  @Property(tries = 500)
  void arbitrary_text_never_throws(@ForAll String text) {
    ParsedPolicy result = parser.parse(text);

    assertEquals(result.policy().isPresent(), result.violations().isEmpty());
  }

  @Property(tries = 1000)
  void a_damaged_policy_is_answered_with_positioned_violations(@ForAll("damagedPolicies") String text) {
    ParsedPolicy result = parser.parse(text);

    for (Violation v : result.violations()) {
      assertTrue(v.hasPosition(), v::toString);
    }
  }

  /** The test policy with one character deleted, replaced or inserted somewhere. */
  @Provide
  Arbitrary<String> damagedPolicies() {
    String base = PolicyParserTest.BASE;
    Arbitrary<Integer> at = Arbitraries.integers().between(0, base.length() - 1);
    Arbitrary<Character> ch = Arbitraries.of(' ', '\t', ':', '-', '[', ']', '{', '"', '\'', '&', '*', '#', '\n', 'x', '0');
    Arbitrary<Integer> edit = Arbitraries.integers().between(0, 2);
    return net.jqwik.api.Combinators.combine(at, ch, edit).as((i, c, e) -> switch (e) {
      case 0 -> base.substring(0, i) + base.substring(i + 1);
      case 1 -> base.substring(0, i) + c + base.substring(i + 1);
      default -> base.substring(0, i) + c + base.substring(i);
    });
  }
}
