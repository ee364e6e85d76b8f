package dev.tern.controlplane.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import dev.tern.controlplane.demo.DemoWorld;
import dev.tern.policy.geo.Region;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
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
class ConsoleBrowserTest {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final List<String> CHROMIUM_FLAGS = List.of("--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static final String SERVICE = "shop";
  /** Detection takes a few probe rounds; the page must follow within a second of the plan. */
  static final LocatorAssertions.HasTextOptions FAILOVER_WAIT =
      new LocatorAssertions.HasTextOptions().setTimeout(Duration.ofSeconds(15).toMillis());

  static DemoWorld world;
  static Playwright playwright;
  static Browser browser;

  BrowserContext context;
  Page page;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: the console browser tests need Debian's "
        + "chromium package (apt-get install -y chromium; .ci/run installs it)");
    Files.createDirectories(SCREENSHOTS);
    world = DemoWorld.start(DemoWorld.Options.freePorts());
    world.awaitReady(Duration.ofSeconds(60));
    playwright = Playwright.create();
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(CHROMIUM)
        .setHeadless(true)
        .setArgs(CHROMIUM_FLAGS));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    if (world != null) {
      world.close();
    }
  }

  @BeforeEach
  void newPage() {
    context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
    page = context.newPage();
  }

  @AfterEach
  void closePage() {
    context.close();
  }

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
    assertThat(page.locator(".answers th.service .hostname")).hasText(DemoWorld.HOSTNAME);
    assertThat(page.locator(".live")).hasText("live");
    assertThat(page.locator(".cluster-health")).hasText("HEALTHY");
    assertThat(page.locator(".backends tbody tr")).hasCount(6);
    assertThat(page.locator(".backends button[data-drain=drain]")).hasCount(6);
    screenshot("overview");

    Locator euAnswer = zoneRow("EU").locator(".answer-line").first();
    String before = euAnswer.getAttribute("data-backend");
    Locator backendRow = page.locator(".backends tr[data-backend=\"" + before + "\"]");
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
      assertThat(page.locator(".backends tr[data-backend=\"" + after + "\"] .health")).hasText("HEALTHY");
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
    assertThat(page.locator(".backends tbody tr")).hasCount(6);
    assertThat(zoneRow("EU").locator(".answer-line").first()).isVisible();
    assertThat(page.locator(".backends button")).hasCount(0);
    assertThat(page.locator("#error")).isHidden();
    screenshot("overview-viewer");
  }

  @Test
  @Order(4)
  void the_navigation_names_the_pages_still_to_come() {
    logIn(world.credentials().viewerUser(), world.credentials().viewerPassword());
    page.locator("nav a", new Page.LocatorOptions().setHasText("What-if")).click();
    assertThat(page.locator("main h1")).hasText("What-if");
    assertThat(page.locator("main")).containsText("Coming soon.");
    assertThat(page.locator("nav a[aria-current=page]")).hasText("What-if");
  }

  private void logIn(String username, String password) {
    page.navigate(url());
    page.getByLabel("Username").fill(username);
    page.getByLabel("Password").fill(password);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
    page.waitForURL("**#/overview");
  }

  private Locator zoneRow(String zone) {
    return page.locator(".answers tr[data-service=\"" + SERVICE + "\"][data-zone=\"" + zone + "\"]");
  }

  private void screenshot(String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("console-" + name + ".png"))
        .setFullPage(true));
  }

  private static String url() {
    return world.urls().getFirst().toString();
  }
}
