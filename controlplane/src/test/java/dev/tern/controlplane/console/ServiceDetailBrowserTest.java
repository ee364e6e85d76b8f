package dev.tern.controlplane.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import dev.tern.policy.geo.Region;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The service detail page against a running demo world: the plan per zone with its weights and
 * explanation, each backend's evidence, latency chart and traffic dial, a drain with a reason that
 * moves the answer, a real region outage seen in the evidence, and a viewer without write
 * controls.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceDetailBrowserTest extends DemoWorldBrowserTest {

  static final LocatorAssertions.HasTextOptions FAILOVER_WAIT =
      new LocatorAssertions.HasTextOptions().setTimeout(Duration.ofSeconds(15).toMillis());
  static final LocatorAssertions.HasCountOptions COUNT_WAIT =
      new LocatorAssertions.HasCountOptions().setTimeout(Duration.ofSeconds(15).toMillis());

  @Test
  @Order(1)
  void the_page_shows_the_plan_per_zone_and_every_backend_with_evidence_chart_and_dial() {
    logInAsAdmin();
    page.locator(".answers .cell.service a.name").click();
    page.waitForURL("**#/service/" + SERVICE);
    assertThat(page.locator("main h1 .title")).hasText(SERVICE);
    assertThat(page.locator(".zone-card")).hasCount(4);
    assertThat(zoneCard("EU").locator(".weight-bar")).not().hasCount(0);
    assertThat(zoneCard("EU").locator(".explanation li").first()).isVisible();
    assertThat(page.locator(".backend-card")).hasCount(6);
    assertThat(page.locator(".backend-card .eu-badge")).hasCount(3);
    // Six demo regions each run a probe: every backend has evidence from six vantage points.
    assertThat(page.locator(".backend-card").first().locator(".evidence-table tbody tr")).hasCount(6, COUNT_WAIT);
    assertThat(page.locator(".backend-card").first().locator(".latency-chart path")).hasCount(6, COUNT_WAIT);
    assertThat(page.locator(".backend-card").first().locator(".legend li")).hasCount(6);
    assertThat(page.locator(".backend-card .dial-gauge")).hasCount(6);

    String euBackend = zoneCard("EU").locator(".weight-bar").first().getAttribute("data-backend");
    assertThat(card(euBackend).locator(".dial-zones")).containsText("EU 100 %");
    assertThat(page.locator("#error")).isHidden();
    screenshot("service");
  }

  @Test
  @Order(2)
  void an_operator_drains_with_a_reason_and_the_zone_moves_then_undrains() {
    logInAsAdmin();
    open("#/service/" + SERVICE);
    Locator euFirst = zoneCard("EU").locator(".weight-bar").first();
    assertThat(euFirst).isVisible();
    String before = euFirst.getAttribute("data-backend");

    card(before).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Drain")).click();
    Locator dialog = page.locator("dialog.reason-dialog");
    assertThat(dialog).isVisible();
    // The dialog refuses to drain without a reason.
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Drain")).click();
    assertThat(dialog).isVisible();
    dialog.getByLabel("Reason (kept in the audit log)").fill("kernel upgrade");
    screenshot("service-drain-reason");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Drain")).click();
    assertThat(dialog).isHidden();

    assertThat(card(before).locator(".drained")).hasText("DRAINED");
    assertThat(card(before).locator(".verdict")).containsText("kernel upgrade");
    assertThat(euFirst).not().hasAttribute("data-backend", before,
        new LocatorAssertions.HasAttributeOptions().setTimeout(Duration.ofSeconds(10).toMillis()));
    assertNotEquals(before, euFirst.getAttribute("data-backend"));
    screenshot("service-drained");

    card(before).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Undrain")).click();
    dialog.getByLabel("Reason (kept in the audit log)").fill("upgrade done");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Undrain")).click();
    assertThat(card(before).locator(".drained")).hasCount(0);
    assertThat(page.locator("#error")).isHidden();
  }

  @Test
  @Order(3)
  void a_region_outage_shows_in_the_verdict_the_evidence_and_the_chart() {
    logInAsAdmin();
    open("#/service/" + SERVICE);
    Locator euFirst = zoneCard("EU").locator(".weight-bar").first();
    assertThat(euFirst).isVisible();
    String backend = euFirst.getAttribute("data-backend");
    Locator card = card(backend);
    assertThat(card.locator(".health")).hasText("HEALTHY");
    Region region = Region.parse(card.locator(".facts dd").first().textContent().replace(" · ", ":")).orElseThrow();

    world.regions().stop(region).orElseThrow();
    try {
      assertThat(card.locator(".health")).hasText("UNHEALTHY", FAILOVER_WAIT);
      assertThat(card.locator(".verdict")).containsText("Seen down by");
      assertThat(card.locator(".evidence-table .opinion-down").first()).isVisible();
      assertThat(card.locator(".latency-chart .failed-mark").first()).isAttached();
      assertThat(card.locator(".dial-zones")).containsText("EU 0 %");
      screenshot("service-outage");
    } finally {
      world.regions().start(region);
    }
  }

  @Test
  @Order(4)
  void a_viewer_sees_everything_but_no_drain_button_and_the_page_reads_in_a_narrow_window() {
    logInAsViewer();
    page.setViewportSize(400, 900);
    open("#/service/" + SERVICE);
    assertThat(page.locator(".backend-card")).hasCount(6);
    assertThat(page.locator(".backend-card button")).hasCount(0);
    assertThat(page.locator(".zone-card")).hasCount(4);
    assertThat(page.locator("#error")).isHidden();
    screenshot("service-viewer-narrow");
    assertNoSidewaysScroll("the service page");
  }

  @Test
  @Order(5)
  void without_a_name_the_page_lists_the_services() {
    logInAsViewer();
    page.locator("nav a", new Page.LocatorOptions().setHasText("Service")).click();
    assertThat(page.locator("main h1")).hasText("Services");
    page.locator(".service-list a", new Page.LocatorOptions().setHasText(SERVICE)).click();
    page.waitForURL("**#/service/" + SERVICE);
    assertThat(page.locator(".zone-card")).hasCount(4);
  }

  private Locator zoneCard(String zone) {
    return page.locator(".zone-card[data-zone=\"" + zone + "\"]");
  }

  private Locator card(String backend) {
    return page.locator(".backend-card[data-backend=\"" + backend + "\"]");
  }
}
