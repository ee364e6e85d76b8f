package dev.tern.controlplane.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chaos page against a running demo world: a dry run, a real run that shows as active, the
 * kill switch ending it with its report, and a viewer who may only read.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosBrowserTest extends DemoWorldBrowserTest {

  static final LocatorAssertions.HasTextOptions RUN_WAIT =
      new LocatorAssertions.HasTextOptions().setTimeout(Duration.ofSeconds(20).toMillis());

  static String scenario(String backend) {
    return """
        kind: ChaosScenario
        name: console-outage
        hypothesis: When the EU backend fails, EU clients move to another EU backend.
        targets:
          backends: [shop/%s]
        fault:
          kind: outage
        duration: 5m
        injector: demo
        expect:
          failoverWithin: 10s
        """.formatted(backend);
  }

  @Test
  @Order(1)
  void an_operator_dry_runs_runs_and_reverts_with_the_kill_switch_then_reads_the_report() {
    logInAsAdmin();
    open("#/chaos");
    assertThat(page.locator(".live")).hasText("live");
    assertThat(page.locator(".runs-count")).hasText("No runs yet.");
    String eu = euAnswer();
    page.getByLabel("Scenario YAML").fill(scenario(eu));

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Dry run")).click();
    assertThat(page.locator(".start-result")).hasText("Dry run: console-outage would hit shop/" + eu + "; nothing was injected.");
    assertThat(page.locator(".runs-count")).hasText("No runs yet.");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Run…")).click();
    Locator dialog = page.locator("dialog.reason-dialog");
    dialog.getByLabel("Reason (kept in the audit log)").fill("game day");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Run")).click();
    assertThat(page.locator(".start-result")).containsText("Started console-outage-");
    Locator run = page.locator("tr[data-run].run-active");
    assertThat(run.locator(".outcome")).containsText("ACTIVE until");
    assertThat(run.locator(".targets")).hasText("shop/" + eu);
    screenshot("chaos-active");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revert every active fault")).click();
    dialog.getByLabel("Reason (kept in the audit log)").fill("customer call");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Revert all")).click();
    assertThat(page.locator(".kill-result")).hasText("1 run reverted.");
    Locator ended = page.locator("tr[data-run]").first();
    assertThat(ended.locator(".outcome")).hasText("ABORTED", RUN_WAIT);

    ended.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Show report")).click();
    Locator report = page.locator("tr.report-row .run-report");
    assertThat(report.locator(".run-timeline")).containsText("fault injected: outage on shop/" + eu);
    assertThat(report.locator(".run-timeline")).containsText("the kill switch, by " + world.credentials().consoleUser());
    assertThat(report.locator(".run-results")).containsText("residency");
    assertThat(page.locator("#error")).isHidden();
    screenshot("chaos-report");
  }

  @Test
  @Order(2)
  void a_viewer_reads_runs_and_reports_but_cannot_start_one_or_pull_the_kill_switch() {
    logInAsViewer();
    open("#/chaos");
    assertThat(page.locator("tr[data-run]").first().locator(".outcome")).hasText("ABORTED");
    assertThat(page.locator(".kill-switch-bar")).containsText("need the operator role");
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revert every active fault"))).hasCount(0);
    assertThat(page.locator("#scenario-yaml")).hasCount(0);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show report")).first().click();
    assertThat(page.locator(".run-report .run-results")).containsText("residency");
    page.setViewportSize(400, 900);
    assertNoSidewaysScroll("the chaos page");
    screenshot("chaos-viewer-narrow");
  }

  @Test
  @Order(3)
  void the_catalogue_shows_schedules_runs_a_scenario_and_an_operator_aborts_it_then_reads_the_drawn_timeline() {
    String eu;
    logInAsAdmin();
    open("#/chaos");
    eu = euAnswer();
    String yaml = scenario(eu).replace("name: console-outage", "name: weekday-eu") + """
        schedule:
          cron: "0 3 * * mon-fri"
          timeZone: Europe/Berlin
          concurrency: forbid
        """;
    // Added as an admin's automation would, with a token.
    var put = new dev.tern.controlplane.testing.Http(world.urls().getFirst()).send("PUT",
        "/api/v1/chaos/scenarios/weekday-eu?reason=game+day", "application/yaml", yaml,
        "Authorization", "Bearer " + world.credentials().adminToken());
    org.junit.jupiter.api.Assertions.assertEquals(200, put.statusCode(), put.body());

    Locator row = page.locator("tr[data-scenario='weekday-eu']");
    assertThat(row.locator(".schedule")).hasText("0 3 * * mon-fri (Europe/Berlin), concurrency forbid");
    assertThat(row.locator(".next")).not().hasText("—");
    assertThat(page.locator(".scenarios-count")).hasText("1 scenario in the catalogue.");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Pause weekday-eu")).click();
    Locator dialog = page.locator("dialog.reason-dialog");
    dialog.getByLabel("Reason (kept in the audit log)").fill("release freeze");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Pause")).click();
    assertThat(row.locator(".next")).hasText("paused");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Run now weekday-eu")).click();
    dialog.getByLabel("Reason (kept in the audit log)").fill("game day");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Run")).click();
    assertThat(page.locator(".scenario-result")).containsText("Started weekday-eu-");
    Locator active = page.locator("tr[data-run].run-active");
    assertThat(active.locator(".outcome")).containsText("ACTIVE until");
    // Long enough in for the probes, the verdict, the decision and the DNS to show in the report.
    page.waitForTimeout(6000);
    active.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(java.util.regex.Pattern.compile("^Abort "))).click();
    dialog.getByLabel("Reason (kept in the audit log)").fill("seen enough");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Abort")).click();
    Locator ended = page.locator("tr[data-run]").first();
    assertThat(ended.locator(".outcome")).hasText("ABORTED", RUN_WAIT);

    ended.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Show report")).click();
    Locator report = page.locator("tr.report-row .run-report").first();
    assertThat(report.locator(".run-timeline")).containsText("aborted by " + world.credentials().consoleUser() + ": seen enough");
    assertThat(report.locator(".run-timeline")).containsText("first failed probe: shop/" + eu);
    assertThat(report.locator(".run-timeline")).containsText("decision: plan v");
    assertThat(report.locator(".timeline-drawing .fault-window")).hasCount(1);
    assertThat(report.locator(".timeline-drawing .mark-inject")).hasCount(1);
    assertThat(report.locator(".timeline-drawing .mark-heal")).hasCount(1);
    assertThat(page.locator("#error")).isHidden();
    screenshot("chaos-catalogue");
  }
}
