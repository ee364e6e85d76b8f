package dev.tern.controlplane.console;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import java.util.List;
import java.util.StringJoiner;

/**
 * The overview's two bulk lists for many services at once, as the API would answer them: every
 * service with one backend per client zone, the default zone's backend unhealthy. Installed on a
 * page with {@link #serve}, it stands in for {@code GET /api/v1/plans} and {@code GET
 * /api/v1/backends} only; login, the cluster and the event stream stay real.
 */
public final class SyntheticOverview {

  public static final List<String> ZONES = List.of("EU", "north-america", "asia", "default");

  private final int services;
  private final String plans;
  private final String backends;

  public SyntheticOverview(int services) {
    this.services = services;
    StringJoiner plans = new StringJoiner(",", "[", "]");
    StringJoiner backends = new StringJoiner(",", "[", "]");
    for (int i = 0; i < services; i++) {
      String name = "svc-%04d".formatted(i);
      StringJoiner answers = new StringJoiner(",", "[", "]");
      for (int z = 0; z < ZONES.size(); z++) {
        String address = "10.0.%d.%d".formatted(i / 250, i % 250);
        answers.add("{\"zone\":\"%s\",\"mode\":\"NORMAL\",\"answers\":[{\"backend\":\"b%d\",\"address\":\"%s\","
            .formatted(ZONES.get(z), z, address) + "\"weight\":1000,\"standing\":\"HEALTHY\"}],\"explanation\":[]}");
        backends.add(("{\"service\":\"%s\",\"name\":\"b%d\",\"cloud\":\"aws\",\"region\":\"eu-central-1\","
            + "\"jurisdiction\":\"EU\",\"address\":\"%s\",\"weight\":1,\"priority\":1,\"capacity\":1,\"health\":\"%s\","
            + "\"downVantages\":[],\"evidence\":[]}").formatted(name, z, address, z == 3 ? "UNHEALTHY" : "HEALTHY"));
      }
      plans.add(("{\"service\":\"%s\",\"hostname\":\"%s.tern.test\",\"version\":1,\"policyVersion\":1,\"ttl\":30,"
          + "\"decidedAt\":\"2026-01-01T00:00:00Z\",\"zones\":%s}").formatted(name, name, answers));
    }
    this.plans = plans.toString();
    this.backends = backends.toString();
  }

  /** Answers the page's plans and backends requests with this list from now on. */
  public void serve(Page page) {
    page.route("**/api/v1/plans", route -> route.fulfill(new Route.FulfillOptions()
        .setContentType("application/json").setBody(plans)));
    page.route("**/api/v1/backends", route -> route.fulfill(new Route.FulfillOptions()
        .setContentType("application/json").setBody(backends)));
  }

  /**
   * Reloads the page and waits until every answer row is in the document and a frame has been
   * painted; returns the milliseconds from navigation to then. A function, not an expression: the
   * console's CSP forbids evaluating strings in the page.
   */
  public double reloadAndAwaitRendered(Page page) {
    page.reload();
    page.waitForFunction("() => document.querySelectorAll('.answers .row').length === " + services * ZONES.size());
    return ((Number) page.evaluate("() => new Promise(done => requestAnimationFrame(() => done(performance.now())))"))
        .doubleValue();
  }

  public int rows() {
    return services * ZONES.size();
  }
}
