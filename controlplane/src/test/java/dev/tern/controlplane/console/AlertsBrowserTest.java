package dev.tern.controlplane.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import dev.tern.policy.geo.Region;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The Alerts page against a demo world paging a webhook receiver: an incident shown open with
 * what failed and its delivery, then resolved; and an admin's test alert reaching the receiver.
 */
class AlertsBrowserTest extends DemoWorldBrowserTest {

  static final LocatorAssertions.ContainsTextOptions WAIT =
      new LocatorAssertions.ContainsTextOptions().setTimeout(Duration.ofSeconds(40).toMillis());

  @Test
  void an_incident_shows_open_with_its_delivery_then_resolved_and_an_admin_sends_a_test_alert() {
    logInAsAdmin();
    open("#/alerts");
    assertThat(page.locator(".live")).hasText("live");
    String eu = euAnswer();
    Region region = Region.parse((String) page.evaluate("async () => { const b = (await (await "
        + "fetch('/api/v1/services/shop/backends')).json()).find((x) => x.name === '" + eu + "'); return b.cloud + ':' + b.region; }"))
        .orElseThrow();
    world.regions().stop(region);
    try {
      Locator incident = page.locator("details.incident-open").first();
      assertThat(incident.locator("summary")).containsText("traffic moved away from " + eu, WAIT);
      incident.locator("summary").click();
      assertThat(incident.locator(".incident-timeline")).containsText("trigger to test-hook: delivered", WAIT);
      assertThat(incident.locator(".incident-changes")).containsText(eu);
      screenshot("alerts-open");
    } finally {
      world.regions().start(region);
    }
    assertThat(page.locator("details.incident").first().locator(".outcome")).containsText("RESOLVED", WAIT);

    int before = pages.requests().size();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send test alert through test-hook")).click();
    assertThat(page.locator(".test-result")).hasText("test-hook: the test alert was delivered.");
    assertEquals(before + 1, pages.requests().size());
    assertEquals(true, pages.requests().getLast().body().contains("Test alert from Tern"));
    assertThat(page.locator("#error")).isHidden();
    page.setViewportSize(400, 900);
    assertNoSidewaysScroll("the alerts page");
    screenshot("alerts-narrow");
  }
}
