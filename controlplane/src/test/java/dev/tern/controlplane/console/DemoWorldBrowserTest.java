package dev.tern.controlplane.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import dev.tern.controlplane.demo.DemoWorld;
import dev.tern.controlplane.testing.MotoServer;
import dev.tern.controlplane.testing.Receiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every console browser test stands on: one demo world per test class, Debian's headless
 * Chromium, a fresh browser context per test, logging in, and screenshots under
 * target/screenshots for a human to look at.
 */
abstract class DemoWorldBrowserTest {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final List<String> CHROMIUM_FLAGS = List.of("--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  /** The demo's one service. */
  static final String SERVICE = "shop";

  static DemoWorld world;
  /** Where the world pages: every incident of a browser test goes to this webhook receiver. */
  static Receiver pages;
  static final String PAGES_SECRET = "browser-test-webhook-key";
  static Playwright playwright;
  static Browser browser;
  /** Route 53 (moto) serving shop's zone, so the Providers page has an account to show. */
  static MotoServer moto;

  BrowserContext context;
  Page page;

  @BeforeAll
  static void startWorldAndBrowser() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: the console browser tests need Debian's "
        + "chromium package (apt-get install -y chromium; .ci/run installs it)");
    Files.createDirectories(SCREENSHOTS);
    pages = new Receiver(200);
    moto = MotoServer.start();
    world = DemoWorld.start(DemoWorld.Options.freePorts().with(java.util.Map.of("tern.alerting.routes", List.of(
        java.util.Map.of("name", "test-hook", "sink", "webhook", "url", pages.uri("/hook").toString(),
            "secret", PAGES_SECRET)),
        "tern.providers.route53", List.of(moto.account("route53-demo", moto.createZone("tern.test."), List.of(SERVICE))))));
    world.awaitReady(Duration.ofSeconds(60));
    playwright = Playwright.create();
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(CHROMIUM)
        .setHeadless(true)
        .setArgs(CHROMIUM_FLAGS));
  }

  @AfterAll
  static void stopWorldAndBrowser() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    if (world != null) {
      world.close();
    }
    if (pages != null) {
      pages.close();
    }
    if (moto != null) {
      moto.close();
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

  void logInAsAdmin() {
    logIn(world.credentials().consoleUser(), world.credentials().consolePassword());
  }

  void logInAsViewer() {
    logIn(world.credentials().viewerUser(), world.credentials().viewerPassword());
  }

  void logIn(String username, String password) {
    page.navigate(url());
    page.getByLabel("Username").fill(username);
    page.getByLabel("Password").fill(password);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
    page.waitForURL("**#/overview");
  }

  /** Goes to a page of the console by its hash, e.g. {@code #/service/shop}, without reloading. */
  void open(String hash) {
    page.evaluate("hash => { location.hash = hash; }", hash);
  }

  /** The backend answering the demo's EU clients now, read through the page's own session. */
  String euAnswer() {
    return (String) page.evaluate("async () => (await (await fetch('/api/v1/services/" + SERVICE + "/plan')).json())"
        + ".zones.find((z) => z.zone === 'EU').answers[0].backend");
  }

  /** Fails when the page is wider than the window: the console must read in a narrow window. */
  void assertNoSidewaysScroll(String what) {
    int overflow = ((Number) page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue();
    assertEquals(0, overflow, what + " scrolls sideways at " + page.viewportSize().width + " px");
  }

  /** A full-page screenshot, target/screenshots/console-{name}.png. */
  void screenshot(String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("console-" + name + ".png"))
        .setFullPage(true));
  }

  static String url() {
    return world.urls().getFirst().toString();
  }

  /** An API path on the node the browser talks to, for calls in the page's session ({@code page.request()}). */
  static String api(String path) {
    return world.urls().getFirst().resolve(path).toString();
  }
}
