package dev.tern.controlplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.tern.controlplane.security.Secrets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SecurityCommandTest {

  record Run(int exit, String out, String err) {}

  private static Run tern(String stdin, String... args) {
    InputStream oldIn = System.in;
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = new CommandLine(new TernCommand()).execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setIn(oldIn);
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void hash_token_prints_the_sha256_of_the_token_on_stdin() {
    Run run = tern("test\n", "security", "hash-token");
    assertEquals(0, run.exit(), run.err());
    assertEquals("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n", run.out());
  }

  @Test
  void hash_token_generate_prints_a_fresh_token_and_its_hash() {
    Run first = tern("", "security", "hash-token", "--generate");
    Run second = tern("", "security", "hash-token", "--generate");
    assertEquals(0, first.exit(), first.err());
    String[] lines = first.out().split("\n");
    assertTrue(lines[0].startsWith("token: "), first.out());
    String token = lines[0].substring("token: ".length());
    assertEquals(43, token.length(), "256 bits in URL-safe Base64");
    assertEquals("sha256: " + Secrets.sha256Hex(token), lines[1]);
    assertNotEquals(first.out(), second.out(), "each token is new");
  }

  @Test
  void hash_token_without_input_says_what_to_do() {
    Run run = tern("", "security", "hash-token");
    assertEquals(1, run.exit());
    assertTrue(run.err().contains("--generate"), run.err());
  }

  @Test
  void hash_password_prints_a_bcrypt_hash_that_verifies() {
    Run run = tern("s3cret passphrase\n", "security", "hash-password", "--cost", "4");
    assertEquals(0, run.exit(), run.err());
    String hash = run.out().strip();
    assertTrue(hash.startsWith("$2a$04$"), hash);
    assertTrue(BCrypt.verifyer().verify("s3cret passphrase".toCharArray(), hash.toCharArray()).verified);
  }

  @Test
  void hash_password_refuses_a_password_longer_than_bcrypt_reads() {
    Run run = tern("x".repeat(73) + "\n", "security", "hash-password", "--cost", "4");
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("longer than bcrypt reads (72 bytes in UTF-8)"), run.err());
    assertEquals("", run.out());
  }
}
