package dev.tern.controlplane.cli;

import dev.tern.controlplane.security.ConsoleUsers;
import dev.tern.controlplane.security.Secrets;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tern security}: make the hashes that {@code tern.security} configuration holds. */
@Command(
    name = "security",
    description = "Make API tokens and the hashes the server configuration stores instead of secrets.",
    mixinStandardHelpOptions = true,
    subcommands = {SecurityCommand.HashToken.class, SecurityCommand.HashPassword.class})
final class SecurityCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code tern security hash-token [--generate]}. */
  @Command(
      name = "hash-token",
      description = {"Print the SHA-256 of an API token read from stdin, for tern.security.tokens[].sha256.",
          "With --generate, make a new random token and print it and its hash."},
      mixinStandardHelpOptions = true)
  static final class HashToken implements Callable<Integer> {

    @Option(names = "--generate", description = "Make a new 256-bit token instead of reading one.")
    boolean generate;

    @Override
    public Integer call() throws IOException {
      if (generate) {
        String token = Secrets.randomToken();
        System.out.println("token: " + token);
        System.out.println("sha256: " + Secrets.sha256Hex(token));
        return 0;
      }
      Optional<String> token = readSecret("Token: ");
      if (token.isEmpty()) {
        System.err.println("tern security hash-token: no token on stdin; pipe one in, or use --generate.");
        return 1;
      }
      System.out.println(Secrets.sha256Hex(token.get()));
      return 0;
    }
  }

  /** {@code tern security hash-password [--cost N]}. */
  @Command(
      name = "hash-password",
      description = "Print the bcrypt hash of a password read from stdin, for tern.security.users[].bcrypt.",
      mixinStandardHelpOptions = true)
  static final class HashPassword implements Callable<Integer> {

    @Option(names = "--cost", paramLabel = "N", defaultValue = "" + ConsoleUsers.DEFAULT_COST,
        description = "bcrypt cost, 4 to 31; each step doubles the work (default: ${DEFAULT-VALUE}).")
    int cost;

    @Override
    public Integer call() throws IOException {
      if (cost < 4 || cost > 31) {
        System.err.println("tern security hash-password: --cost must be between 4 and 31.");
        return 2;
      }
      Optional<String> password = readSecret("Password: ");
      if (password.isEmpty()) {
        System.err.println("tern security hash-password: no password on stdin.");
        return 1;
      }
      if (ConsoleUsers.isTooLong(password.get())) {
        System.err.println("tern security hash-password: the password is longer than bcrypt reads ("
            + ConsoleUsers.MAX_PASSWORD_BYTES + " bytes in UTF-8); choose a shorter one.");
        return 2;
      }
      System.out.println(ConsoleUsers.hash(password.get(), cost));
      return 0;
    }
  }

  /** From the terminal without echo, or else the first line of stdin; empty when blank. */
  private static Optional<String> readSecret(String prompt) throws IOException {
    Console console = System.console();
    String secret;
    if (console != null && console.isTerminal()) {
      char[] typed = console.readPassword(prompt);
      secret = typed == null ? null : new String(typed);
    } else {
      secret = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    return Optional.ofNullable(secret).map(String::strip).filter(s -> !s.isEmpty());
  }
}
