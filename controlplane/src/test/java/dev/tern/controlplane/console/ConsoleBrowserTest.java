package dev.tern.controlplane.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import dev.tern.controlplane.demo.DemoWorld;
import dev.tern.policy.geo.Region;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The console in Debian's headless Chromium against a running demo world: log in, read the
 * overview, watch a failover arrive without reload, and see what a viewer is not offered. Each
 * step saves a screenshot under target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest extends DemoWorldBrowserTest {

  /** Detection takes a few probe rounds; the page must follow within a second of the plan. */
  static final LocatorAssertions.HasTextOptions FAILOVER_WAIT =
      new LocatorAssertions.HasTextOptions().setTimeout(Duration.ofSeconds(15).toMillis());

  /** Rendering 1,000 services from navigation; see a_thousand_services_render_without_a_request_per_service. */
  static final Duration RENDER_BOUND = Duration.ofSeconds(5);

  @Test
  @Order(1)
  void a_wrong_password_is_refused_in_words() {
    page.navigate(url());
    page.getByLabel("Username").fill(world.credentials().consoleUser());
    page.getByLabel("Password").fill("not-the-password");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
    assertThat(page.locator(".form-error")).hasText("Wrong username or password.");
    screenshot("login-refused");
  }

  @Test
  @Order(2)
  void the_overview_shows_every_zone_and_follows_a_failover_without_reload() {
    logIn(world.credentials().consoleUser(), world.credentials().consolePassword());
    assertThat(page.locator("#who")).hasText(world.credentials().consoleUser() + " · admin");
    for (String zone : List.of("EU", "north-america", "asia", "default")) {
      assertThat(zoneRow(zone).locator(".answer-line").first()).isVisible();
    }
    assertThat(page.locator(".answers .cell.service .hostname")).hasText(DemoWorld.HOSTNAME);
    assertThat(page.locator(".live")).hasText("live");
    assertThat(page.locator(".cluster-health")).hasText("HEALTHY");
    assertThat(page.locator(".attention .all-clear")).isVisible();
    assertThat(page.locator(".backends .row")).hasCount(6);
    assertThat(page.locator(".backends button[data-drain=drain]")).hasCount(6);
    screenshot("overview");

    Locator euAnswer = zoneRow("EU").locator(".answer-line").first();
    String before = euAnswer.getAttribute("data-backend");
    Locator backendRow = page.locator(".backends .row[data-backend=\"" + before + "\"]");
    assertThat(backendRow.locator(".health")).hasText("HEALTHY");
    Region region = Region.parse(backendRow.locator(".where").textContent().replace(" · ", ":")).orElseThrow();
    page.evaluate("window.ternNotReloaded = true");

    world.regions().stop(region).orElseThrow();
    try {
      assertThat(backendRow.locator(".health")).hasText("UNHEALTHY", FAILOVER_WAIT);
      assertThat(zoneRow("EU").locator(".answer-line").first()).not().hasAttribute("data-backend", before,
          new LocatorAssertions.HasAttributeOptions().setTimeout(Duration.ofSeconds(15).toMillis()));
      String after = zoneRow("EU").locator(".answer-line").first().getAttribute("data-backend");
      assertNotEquals(before, after);
      assertThat(page.locator(".backends .row[data-backend=\"" + after + "\"] .health")).hasText("HEALTHY");
      assertThat(page.locator(".attention")).containsText(before + " UNHEALTHY since");
      assertEquals(Boolean.TRUE, page.evaluate("window.ternNotReloaded === true"), "the page was reloaded");
      assertThat(page.locator("#error")).isHidden();
      screenshot("overview-eu-failover");
    } finally {
      world.regions().start(region);
    }
  }

  @Test
  @Order(3)
  void a_viewer_sees_the_overview_without_write_controls() {
    logIn(world.credentials().viewerUser(), world.credentials().viewerPassword());
    assertThat(page.locator("#who")).hasText(world.credentials().viewerUser() + " · viewer");
    assertThat(page.locator(".backends .row")).hasCount(6);
    assertThat(zoneRow("EU").locator(".answer-line").first()).isVisible();
    assertThat(page.locator(".backends button")).hasCount(0);
    assertThat(page.locator("#error")).isHidden();
    screenshot("overview-viewer");
  }

  @Test
  @Order(4)
  void a_viewer_reads_the_alerts_page_but_cannot_send_a_test_alert() {
    logIn(world.credentials().viewerUser(), world.credentials().viewerPassword());
    page.locator("nav a", new Page.LocatorOptions().setHasText("Alerts")).click();
    assertThat(page.locator("main h1")).containsText("Alerts");
    assertThat(page.locator("nav a[aria-current=page]")).hasText("Alerts");
    assertThat(page.locator(".routes-table tr[data-route='test-hook']")).containsText("webhook");
    assertThat(page.locator(".routes-table tr[data-route='test-hook']")).containsText("admins only");
    assertThat(page.locator("button.send-test")).hasCount(0);
    assertThat(page.locator("nav a.soon")).hasCount(0);
  }

  @Test
  @Order(6)
  void the_console_is_usable_from_the_keyboard_in_a_narrow_window() {
    page.setViewportSize(400, 900);
    page.navigate(url());
    // The login form takes focus: type, Tab, type, Enter.
    assertThat(page.getByLabel("Username")).isFocused();
    page.keyboard().type(world.credentials().viewerUser());
    page.keyboard().press("Tab");
    page.keyboard().type(world.credentials().viewerPassword());
    page.keyboard().press("Enter");
    page.waitForURL("**#/overview");
    assertThat(page.locator(".answers .answer-line").first()).isVisible();
    assertNoSidewaysScroll("the overview");
    screenshot("overview-narrow");

    // Tab from the top of the page reaches the navigation; Enter follows a link.
    for (int i = 0; i < 10 && !"Service".equals(page.evaluate("() => document.activeElement.textContent")); i++) {
      page.keyboard().press("Tab");
    }
    assertEquals("Service", page.evaluate("() => document.activeElement.textContent"));
    assertEquals(Boolean.TRUE, page.evaluate("() => document.activeElement.matches(':focus-visible')"),
        "the focused link shows where the keyboard is");
    page.keyboard().press("Enter");
    page.waitForURL("**#/service");
    assertThat(page.locator("main h1")).hasText("Services");
  }

  @Test
  @Order(5)
  void a_thousand_services_render_without_a_request_per_service() {
    SyntheticOverview overview = new SyntheticOverview(1000);
    logIn(world.credentials().viewerUser(), world.credentials().viewerPassword());
    overview.serve(page);

    double sinceNavigation = overview.reloadAndAwaitRendered(page);
    System.out.printf("1,000 services rendered %.0f ms after navigation%n", sinceNavigation);
    assertThat(page.locator(".backends .row")).hasCount(overview.rows());
    assertThat(page.locator(".answers .row[data-service=svc-0999][data-zone=default] .health")).hasText("UNHEALTHY");
    assertThat(page.locator(".attention-list li")).hasCount(12);
    assertThat(page.locator(".attention")).containsText("and 988 more");
    // Distinct paths: a live event from an earlier test (a failback landing now) may reload one of them.
    Object apiPaths = page.evaluate("[...new Set(performance.getEntriesByType('resource')"
        + ".map(e => new URL(e.name).pathname).filter(p => p.startsWith('/api/')))].sort().join(' ')");
    assertEquals("/api/v1/backends /api/v1/cluster /api/v1/plans /api/v1/whoami", apiPaths,
        "whoami, cluster, plans and backends, and nothing per service");
    // The target is 1 s, measured by ConsoleRenderBenchmark; this bound only catches a regression
    // by an order of magnitude on a busy shared test machine.
    assertTrue(sinceNavigation < RENDER_BOUND.toMillis(), "rendering 1,000 services took " + sinceNavigation + " ms");
    // The viewport only: a full-page picture of 8,000 rows is too tall to take.
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("console-overview-1000-services.png")));
  }

  private Locator zoneRow(String zone) {
    return page.locator(".answers .row[data-service=\"" + SERVICE + "\"][data-zone=\"" + zone + "\"]");
  }
}
