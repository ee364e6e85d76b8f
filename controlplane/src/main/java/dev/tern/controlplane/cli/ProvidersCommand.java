package dev.tern.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tern providers}: the cloud accounts serving the plans, and what they would change (docs/providers/). */
@Command(
    name = "providers",
    description = "Cloud provider accounts: their standing per service, and dry runs.",
    mixinStandardHelpOptions = true,
    subcommands = {ProvidersCommand.Status.class, ProvidersCommand.DryRun.class})
final class ProvidersCommand implements Runnable {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code tern providers status}: per account and service, the plan version served and the last error. */
  @Command(name = "status", description = "Per account and service: the plan version served, the last sync, the last error.",
      mixinStandardHelpOptions = true)
  static final class Status implements Callable<Integer> {

    @Mixin
    RemoteOptions remote;

    @Override
    public Integer call() throws IOException {
      HttpResponse<String> r = remote.send("GET", "/api/v1/providers", "application/json", "");
      if (r.statusCode() != 200) {
        System.err.println(RemoteOptions.problem(r));
        return 1;
      }
      JsonNode all = JSON.readTree(r.body());
      if (all.isEmpty()) {
        System.out.println("no provider account has reconciled on the node answering (only the leader reconciles)");
        return 0;
      }
      int failing = 0;
      for (JsonNode s : all) {
        boolean failed = s.hasNonNull("lastError");
        failing += failed ? 1 : 0;
        System.out.printf("%-24s %-22s %-16s v%-6d %s%s%n", s.path("provider").asText(), s.path("kind").asText(),
            s.path("service").asText(), s.path("appliedVersion").asLong(),
            s.hasNonNull("lastSync") ? "synced " + s.path("lastSync").asText() : "never synced",
            (failed ? "  FAILING: " + s.path("lastError").asText() : "")
                + (s.path("driftCorrected").asLong() > 0 ? "  drift corrected " + s.path("driftCorrected").asLong() : ""));
      }
      return failing == 0 ? 0 : 1;
    }
  }

  /** {@code tern providers dry-run ACCOUNT --service NAME}: the changes it would make, applying none. */
  @Command(name = "dry-run", description = "Print the changes an account would make to serve a service's committed plan;"
      + " nothing is applied (needs an operator token).", mixinStandardHelpOptions = true)
  static final class DryRun implements Callable<Integer> {

    @Parameters(paramLabel = "ACCOUNT", description = "The provider account's name in tern.providers.")
    String account;

    @Option(names = "--service", required = true, paramLabel = "NAME", description = "The service it serves.")
    String service;

    @Mixin
    RemoteOptions remote;

    @Override
    public Integer call() throws IOException {
      HttpResponse<String> r = remote.send("POST", "/api/v1/providers/" + URLEncoder.encode(account, StandardCharsets.UTF_8)
          + "/dry-run?service=" + URLEncoder.encode(service, StandardCharsets.UTF_8), "application/json", "");
      if (r.statusCode() != 200) {
        System.err.println(RemoteOptions.problem(r));
        return 1;
      }
      JsonNode dry = JSON.readTree(r.body());
      JsonNode changes = dry.path("changes");
      System.out.println(account + " for " + service + " plan v" + dry.path("planVersion").asLong() + ": "
          + (changes.isEmpty() ? "nothing to change" : changes.size() + " change" + (changes.size() == 1 ? "" : "s")));
      changes.forEach(c -> System.out.println("  " + c.asText()));
      return 0;
    }
  }
}
