package dev.tern.controlplane.cli;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tern status}: the cluster and the services, as one node sees them. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the cluster (leader, term, members, lag) and every service's plan version.")
final class StatusCommand implements Callable<Integer> {

  @Mixin
  RemoteOptions remote;

  @Override
  public Integer call() throws IOException {
    HttpResponse<String> cluster = remote.send("GET", "/api/v1/cluster", null, null);
    if (cluster.statusCode() != 200) {
      System.err.println("tern status: " + RemoteOptions.problem(cluster));
      return 1;
    }
    String c = cluster.body();
    System.out.printf("node %s: %s, leader %s, term %s, commit index %s, applied %s%n", field(c, "node"),
        "true".equals(field(c, "leader")) ? "leader" : "follower", field(c, "leaderId"), field(c, "term"),
        field(c, "commitIndex"), field(c, "lastApplied"));
    System.out.printf("members %s, connected %s, lag behind the leader %s%n", array(c, "members"), array(c, "connected"),
        object(c, "lag"));
    HttpResponse<String> services = remote.send("GET", "/api/v1/services", null, null);
    if (services.statusCode() != 200) {
      System.err.println("tern status: " + RemoteOptions.problem(services));
      return 1;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{[^{}]*}").matcher(services.body());
    while (m.find()) {
      String s = m.group();
      System.out.printf("  %-20s %-40s %-9s policy v%s plan v%s%n", field(s, "name"), field(s, "hostname"),
          field(s, "method"), field(s, "policyVersion"), field(s, "planVersion"));
    }
    return 0;
  }

  private static String field(String json, String key) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\":(\"([^\"]*)\"|[^,}\\]]*)").matcher(json);
    return m.find() ? (m.group(2) != null ? m.group(2) : m.group(1)) : "-";
  }

  private static String object(String json, String key) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\":(\\{[^}]*})").matcher(json);
    return m.find() ? m.group(1).replace("\"", "") : "{}";
  }

  private static String array(String json, String key) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\":\\[([^\\]]*)]").matcher(json);
    return m.find() ? "[" + m.group(1).replace("\"", "") + "]" : "[]";
  }
}
