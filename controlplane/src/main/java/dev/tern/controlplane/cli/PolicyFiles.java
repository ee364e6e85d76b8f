package dev.tern.controlplane.cli;

import dev.tern.policy.model.Policy;
import dev.tern.policy.validation.Violation;
import dev.tern.policy.yaml.ParsedPolicy;
import dev.tern.policy.yaml.PolicyParser;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads policy files for the command line and reports their violations the way compilers do. */
final class PolicyFiles {

  private PolicyFiles() {}

  /** The text of {@code file}. */
  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses and validates; prints every violation to {@code err} and returns the policy if valid. */
  static Optional<Policy> load(Path file, PrintStream err) {
    ParsedPolicy parsed = new PolicyParser().parse(read(file));
    for (Violation v : parsed.violations()) {
      err.println(v.format(file.toString()));
    }
    if (!parsed.isValid()) {
      err.println(parsed.violations().size() + " problem(s) in " + file + "; nothing was applied.");
    }
    return parsed.policy();
  }
}
