package dev.tern.policy.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.policy.validation.PolicyValidator;
import dev.tern.policy.validation.Violation;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Jazzer fuzz target for the policy parser and, through it, the validator: whatever bytes arrive
 * as a policy file, parsing answers with a {@link ParsedPolicy}, never an exception, and every
 * violation is placed at a line and column of the text and names where in the policy it is.
 *
 * <p>The seeds are the files under {@code PolicyParserFuzzTestInputs/} beside this class: valid
 * policies that touch every section. Without {@code JAZZER_FUZZ} only they run, as regression
 * inputs; see docs/reliability.md for fuzzing.
 */
class PolicyParserFuzzTest {

  private static final String NO_SERVICE_DOCUMENT = "the policy has no Service document";
  private static final String SEEDS =
      "PolicyParserFuzzTestInputs/any_text_gets_a_result_and_every_violation_is_placed";

  private final PolicyParser parser = new PolicyParser();
  private final PolicyValidator validator = new PolicyValidator();

  @Tag("fuzz")
  @FuzzTest(maxDuration = "20s")
  @DictionaryEntries({
      "kind: Service", "kind: ZoneTable", "---", "name: ", "hostname: ", "ttl: ", "routing:",
      "method: ", "failover", "weighted", "latency", "geo", "tolerance: ", "clientZones: ", "backends:",
      "  - name: ", "cloud: ", "aws", "azure", "gcp", "region: ", "eu-central-1", "westeurope",
      "jurisdiction: ", "EU", "US", "address: ", "192.0.2.10", "2001:db8::1", "weight: ", "priority: ",
      "capacity: ", "healthCheck:", "kind: https", "kind: dns", "kind: tcp", "port: ", "path: ",
      "expectStatus: ", "bodyContains: ", "host: ", "caCertificate: ", "keepAlive: ", "maxBodyBytes: ",
      "query: ", "queryType: ", "interval: ", "timeout: ", "residency:", "zone: ", "allow: ",
      "whenNoneHealthy: ", "health:", "failAfter: ", "recoverAfter: ", "quorum: ", "staleAfter: ",
      "failbackDelay: ", "guardrails:", "minHealthyBackends: ", "maxAutoDrainShare: ",
      "maxPlanChangesPerMinute: ", "demand:", "discovery:", "exclude: ", "pin: ", "entries:", "cidr: ",
      "198.51.100.0/24", "default", "north-america", "10s", "500ms", "5m", "50%", "&a ", "*a", "<<: ",
      "!!str ", "!!int ", "[", "]", "{", "}", "\"", "'", "|", ">", "# ", "~", "null", "true", "1e9"})
  void any_text_gets_a_result_and_every_violation_is_placed(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);

    ParsedPolicy result = parser.parse(text);

    assertEquals(result.violations().isEmpty(), result.isValid());
    int lines = lineCount(text);
    for (Violation v : result.violations()) {
      assertTrue(v.line() >= 1 && v.line() <= lines + 1,
          () -> "line outside the text (" + lines + " lines): " + v);
      assertTrue(v.column() >= 1, () -> "no column: " + v);
      assertTrue(!v.message().isBlank(), () -> "no message: " + v);
      assertTrue(!v.path().isEmpty() || isAboutTheWholeFile(v, result.violations()),
          () -> "no path for a problem inside the policy: " + v);
    }
    result.policy().ifPresent(policy ->
        assertEquals(List.of(), validator.validate(policy), "the validator rejects what the parser accepted"));
  }

  /** The seeds (the {@code .yaml} files; crash inputs have other names) are valid policies. */
  @Test
  void the_seeds_are_valid_policies() throws IOException, URISyntaxException {
    Path dir = Path.of(PolicyParserFuzzTest.class.getResource(SEEDS).toURI());
    List<Path> seeds;
    try (Stream<Path> files = Files.list(dir)) {
      seeds = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(seeds.size() >= 3, "seeds in " + dir);
    for (Path seed : seeds) {
      ParsedPolicy result = parser.parse(Files.readString(seed));
      assertEquals(List.of(), result.violations(), seed.getFileName().toString());
    }
  }

  /**
   * A violation without a path is about the file as a whole: text that cannot be read as YAML
   * (then nothing else is reported), or a file without a Service document.
   */
  private static boolean isAboutTheWholeFile(Violation v, List<Violation> all) {
    return all.size() == 1 || v.message().startsWith(NO_SERVICE_DOCUMENT);
  }

  /** Lines as YAML counts them: LF, CR LF, CR and the Unicode line breaks each end one. */
  private static int lineCount(String text) {
    int lines = 1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
        continue;
      }
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        lines++;
      }
    }
    return lines;
  }
}
