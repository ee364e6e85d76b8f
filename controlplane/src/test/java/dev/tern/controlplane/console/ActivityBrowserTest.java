package dev.tern.controlplane.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import dev.tern.policy.geo.Region;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The timeline and the audit log against a running demo world: a real failover arriving on the
 * timeline without reload with its detection and decision times, its link opening the audit log
 * at its entry, a drain found by the filters, and a policy change shown as a line diff.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActivityBrowserTest extends DemoWorldBrowserTest {

  static final LocatorAssertions.IsVisibleOptions FAILOVER_WAIT =
      new LocatorAssertions.IsVisibleOptions().setTimeout(Duration.ofSeconds(20).toMillis());

  @Test
  @Order(1)
  void a_failover_arrives_on_the_timeline_and_links_to_its_audit_entry() {
    logInAsAdmin();
    open("#/timeline");
    assertThat(page.locator(".live")).hasText("live");
    assertThat(page.locator(".timeline-entry").first()).isVisible();
    page.evaluate("() => { window.ternNotReloaded = true; }");
    String euBackend = euAnswer();
    Region region = regionOf(euBackend);

    world.regions().stop(region).orElseThrow();
    try {
      Locator failover = page.locator(".timeline-entry[data-kind=failover]").first();
      assertThat(failover).isVisible(FAILOVER_WAIT);
      assertThat(failover.locator(".entry-service")).hasText(SERVICE);
      assertThat(failover.locator(".entry-cause")).containsText(euBackend + " UNHEALTHY");
      assertThat(failover.locator(".entry-times")).containsText("ms from detection to decision");
      assertThat(failover.locator(".entry-changes")).containsText("- " + euBackend);
      // The leader and term that decided it, as the cluster recorded them.
      Matcher decider = Pattern.compile("by (\\S+), term (\\d+)").matcher(failover.locator(".entry-decider")
          .textContent());
      assertTrue(decider.matches(), failover.locator(".entry-decider").textContent());
      String cluster = page.request().get(api("/api/v1/cluster")).text();
      assertTrue(cluster.contains("\"" + decider.group(2) + "\":\"" + decider.group(1) + "\""),
          "term " + decider.group(2) + " led by " + decider.group(1) + " in " + cluster);
      assertEquals(Boolean.TRUE, page.evaluate("() => window.ternNotReloaded === true"), "the page was reloaded");
      screenshot("timeline");

      String auditLink = failover.locator(".entry-audit").getAttribute("href");
      failover.locator(".entry-audit").click();
      page.waitForURL("**" + auditLink);
      String sequence = auditLink.substring(auditLink.lastIndexOf('/') + 1);
      Locator row = page.locator("tr.highlighted[data-sequence=\"" + sequence + "\"]");
      assertThat(row).isVisible();
      assertThat(row.locator(".action")).hasText("plan.failover");
      assertThat(row.locator(".reason")).containsText(euBackend + " UNHEALTHY");
      assertThat(page.locator("#audit-diff-" + sequence)).isVisible();
      assertThat(page.locator("#error")).isHidden();
      screenshot("audit");
    } finally {
      world.regions().start(region);
    }
  }

  @Test
  @Order(2)
  void a_drain_is_found_by_the_filters_with_its_actor_and_reason() {
    logInAsAdmin();
    String backend = "gcp-singapore";
    assertEquals(200, write("PUT", "/api/v1/services/" + SERVICE + "/backends/" + backend + "/drain?reason=disk+swap", null));
    assertEquals(200, write("DELETE", "/api/v1/services/" + SERVICE + "/backends/" + backend + "/drain?reason=swap+done", null));
    open("#/audit");
    Locator drain = page.locator("tr[data-sequence]", new Page.LocatorOptions().setHasText("disk swap")).first();
    assertThat(drain).isVisible();
    assertThat(drain.locator(".actor")).hasText(world.credentials().consoleUser());
    assertThat(drain.locator(".action")).hasText("backend.drain");
    assertThat(drain.locator(".target")).hasText(SERVICE + "/" + backend);

    page.getByLabel("Action").fill("backend.");
    page.getByLabel("Action").press("Enter");
    assertThat(page.locator("tr[data-sequence]")).hasCount(2);
    List<String> actions = page.locator("tr[data-sequence] .action").allTextContents();
    assertEquals(List.of("backend.undrain", "backend.drain"), actions, "newest first, only backend actions");

    page.getByLabel("Words").fill("no such words anywhere");
    page.getByLabel("Words").press("Enter");
    assertThat(page.locator(".audit-count")).hasText("No entries match.");
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Clear")).click();
    assertThat(page.locator("tr[data-sequence]").first()).isVisible();
    assertTrue(page.locator("tr[data-sequence]").count() > 2);
  }

  @Test
  @Order(3)
  void a_policy_change_shows_as_a_line_diff_with_the_unchanged_lines_folded() {
    logInAsAdmin();
    String yaml = (String) page.evaluate("async () => (await (await fetch('/api/v1/services/shop')).json()).yaml");
    assertTrue(yaml.contains("ttl: 5"), yaml);
    assertEquals(200, write("PUT", "/api/v1/services/" + SERVICE + "?reason=longer+ttl+for+the+resolvers",
        Map.of("yaml", yaml.replace("ttl: 5", "ttl: 7"))));
    open("#/audit");
    Locator row = page.locator("tr[data-sequence]", new Page.LocatorOptions().setHasText("longer ttl for the resolvers"));
    assertThat(row.locator(".action")).hasText("service.replace");
    row.locator("button.diff-toggle").click();
    Locator diff = page.locator("#audit-diff-" + row.getAttribute("data-sequence"));
    assertThat(diff).isVisible();
    assertThat(diff.locator(".diff-removed")).hasText("- ttl: 5");
    assertThat(diff.locator(".diff-added")).hasText("+ ttl: 7");
    assertThat(diff.locator(".diff-folded").first()).containsText("unchanged lines");
    assertThat(row.locator("button.diff-toggle")).hasAttribute("aria-expanded", "true");
    screenshot("audit-diff");
  }

  @Test
  @Order(4)
  void both_pages_read_in_a_narrow_window() {
    logInAsViewer();
    page.setViewportSize(400, 900);
    for (String hash : List.of("#/timeline", "#/audit")) {
      open(hash);
      assertThat(page.locator(".live")).hasText("live");
      assertThat(page.locator(hash.equals("#/timeline") ? ".timeline-entry" : "tr[data-sequence]").first()).isVisible();
      assertNoSidewaysScroll(hash);
      screenshot(hash.substring(2) + "-narrow");
    }
  }

  /** A write from the page's own session (cookie and CSRF token), as the console makes it; returns the status. */
  private int write(String method, String path, Map<String, String> yamlBody) {
    Object status = page.evaluate("async ([method, path, yaml]) => (await fetch(path, {method, headers: yaml"
        + " ? {'Content-Type': 'application/yaml', 'X-CSRF-Token': sessionStorage.getItem('tern.csrf')}"
        + " : {'X-CSRF-Token': sessionStorage.getItem('tern.csrf')}, body: yaml || undefined})).status",
        List.of(method, path, yamlBody == null ? "" : yamlBody.get("yaml")));
    return ((Number) status).intValue();
  }

  private Region regionOf(String backend) {
    String backends = page.request().get(api("/api/v1/services/" + SERVICE + "/backends")).text();
    Matcher m = Pattern.compile("\"name\":\"" + Pattern.quote(backend) + "\",\"cloud\":\"(\\w+)\",\"region\":\"([\\w-]+)\"")
        .matcher(backends);
    assertTrue(m.find(), backends);
    return Region.parse(m.group(1) + ":" + m.group(2)).orElseThrow();
  }
}
