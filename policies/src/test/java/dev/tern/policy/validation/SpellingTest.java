package dev.tern.policy.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpellingTest {

  private static final List<String> KNOWN =
      List.of("weight", "priority", "aws", "azure", "gcp", "eu-central-1", "EU", "DE", "europe");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(nullValues = "none", value = {
      "wieght,       weight",
      "weigth,       weight",
      "priorty,      priority",
      "awz,          aws",
      "eu-centrl-1,  eu-central-1",
      "eu,           EU",
      "de,           DE",
      "Europe,       europe",
      "weight,       none",
      "capacity,     none",
      "xx,           none",
      "gcpx-west,    none",
  })
  void suggests_only_a_close_known_word(String typed, String expected) {
    assertEquals(expected, Spelling.closest(typed, KNOWN).orElse(null));
  }
}
