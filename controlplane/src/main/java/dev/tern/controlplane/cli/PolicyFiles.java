package dev.tern.controlplane.cli;

import dev.tern.policy.model.Policy;
import dev.tern.policy.validation.Violation;
import dev.tern.policy.yaml.ParsedPolicy;
import dev.tern.policy.yaml.PolicyParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads policy files for the command line and reports their violations the way compilers do. */
final class PolicyFiles {

  /** The example policy shipped in the jar, used when no file is given. */
  static final String BUNDLED_EXAMPLE = "examples/global-shop.yaml";

  private PolicyFiles() {}

  /** The text of {@code file}, or of the bundled example when the file is empty. */
  static String read(Optional<Path> file) {
    if (file.isPresent()) {
      try {
        return Files.readString(file.get(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file.get() + ": " + e.getMessage(), e);
      }
    }
    try (InputStream in = PolicyFiles.class.getClassLoader().getResourceAsStream(BUNDLED_EXAMPLE)) {
      if (in == null) {
        throw new IllegalStateException("the bundled example " + BUNDLED_EXAMPLE + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String name(Optional<Path> file) {
    return file.map(Path::toString).orElse(BUNDLED_EXAMPLE);
  }

  /** Parses and validates; prints every violation to {@code err} and returns the policy if valid. */
  static Optional<Policy> load(Optional<Path> file, PrintStream err) {
    ParsedPolicy parsed = new PolicyParser().parse(read(file));
    for (Violation v : parsed.violations()) {
      err.println(v.format(name(file)));
    }
    if (!parsed.isValid()) {
      err.println(parsed.violations().size() + " problem(s) in " + name(file) + "; nothing was applied.");
    }
    return parsed.policy();
  }
}
