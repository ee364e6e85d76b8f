package dev.tern.controlplane.cli;

import dev.tern.policy.model.Policy;
import dev.tern.policy.model.Service;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tern policy diff} and {@code tern policy apply}: a policy file against the running cluster. */
final class RemotePolicyCommands {

  private RemotePolicyCommands() {}

  /** One {@code kind: Service} document of a file, as text. */
  record ServiceDocument(String name, String yaml) {}

  /**
   * Splits a validated file into its service documents (the API takes one service per request).
   * Documents are separated by {@code ---} lines, as the parser reads them.
   */
  static List<ServiceDocument> services(String text, Policy policy) {
    List<ServiceDocument> out = new ArrayList<>();
    Pattern name = Pattern.compile("(?m)^name:\\s*['\"]?([a-z0-9-]+)");
    for (String doc : text.split("(?m)^---\\s*$")) {
      if (!doc.matches("(?s).*(?m)^kind:\\s*Service\\s*$.*")) {
        continue;
      }
      Matcher m = name.matcher(doc);
      if (m.find()) {
        out.add(new ServiceDocument(m.group(1), doc.strip() + "\n"));
      }
    }
    List<String> expected = policy.services().stream().map(Service::name).toList();
    if (!out.stream().map(ServiceDocument::name).toList().equals(expected)) {
      throw new IllegalArgumentException("could not split the file into its services " + expected
          + "; keep each service in its own document starting with kind: Service");
    }
    return out;
  }

  /** Dry-runs every service of the file and prints the plan changes; returns false on any error. */
  static boolean preview(RemoteOptions remote, List<ServiceDocument> docs) throws IOException {
    boolean ok = true;
    for (ServiceDocument d : docs) {
      HttpResponse<String> r = remote.send("PUT", "/api/v1/services/" + d.name() + "?dryRun=true", "application/yaml", d.yaml());
      if (r.statusCode() != 200) {
        System.err.println(d.name() + ": " + RemoteOptions.problem(r));
        ok = false;
        continue;
      }
      if (!r.body().contains("\"valid\":true")) {
        System.err.println(d.name() + ": the cluster refuses this policy: " + r.body());
        ok = false;
        continue;
      }
      System.out.println(planDiff(r.body()));
    }
    return ok;
  }

  /** The {@code planDiff} lines of a dry-run answer, as text. */
  static String planDiff(String json) {
    Matcher m = Pattern.compile("\"planDiff\":\\[(.*)]").matcher(json);
    if (!m.find()) {
      return "";
    }
    List<String> lines = new ArrayList<>();
    Matcher s = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
    while (s.find()) {
      lines.add(s.group(1).replace("\\\"", "\""));
    }
    return String.join("\n", lines);
  }

  /** {@code tern policy diff FILE}: what applying the file would change, like kubectl diff. */
  @Command(name = "diff", mixinStandardHelpOptions = true,
      description = "Show how each service's plan would change if FILE were applied; nothing is committed.")
  static final class Diff implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "Policy YAML file.")
    Path file;

    @Mixin
    RemoteOptions remote;

    @Override
    public Integer call() throws IOException {
      Optional<Policy> policy = PolicyFiles.load(file, System.err);
      if (policy.isEmpty()) {
        return 1;
      }
      return preview(remote, services(PolicyFiles.read(file), policy.get())) ? 0 : 1;
    }
  }

  /** {@code tern policy apply FILE --reason R}: validate, preview, then commit every service of the file. */
  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = "Validate FILE, show each plan change, then commit every service in it (admin).")
  static final class Apply implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "Policy YAML file.")
    Path file;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; written to the audit log.")
    String reason;

    @Mixin
    RemoteOptions remote;

    @Override
    public Integer call() throws IOException {
      Optional<Policy> policy = PolicyFiles.load(file, System.err);
      if (policy.isEmpty()) {
        return 1;
      }
      List<ServiceDocument> docs = services(PolicyFiles.read(file), policy.get());
      if (!preview(remote, docs)) {
        System.err.println("nothing was applied.");
        return 1;
      }
      String why = URLEncoder.encode(reason, StandardCharsets.UTF_8);
      for (ServiceDocument d : docs) {
        HttpResponse<String> r = remote.send("PUT", "/api/v1/services/" + d.name() + "?reason=" + why, "application/yaml", d.yaml());
        if (r.statusCode() != 200) {
          System.err.println(d.name() + ": " + RemoteOptions.problem(r));
          return 1;
        }
        System.out.println(d.name() + ": applied, " + r.body().replaceAll(".*\"policyVersion\":(\\d+).*", "policy version $1"));
      }
      return 0;
    }
  }
}
