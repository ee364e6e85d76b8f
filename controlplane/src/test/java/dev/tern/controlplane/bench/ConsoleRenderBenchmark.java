package dev.tern.controlplane.bench;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import dev.tern.controlplane.console.SyntheticOverview;
import dev.tern.controlplane.demo.DemoWorld;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How long the console's overview takes to show 1,000 services in Debian's headless Chromium:
 * from navigation until every row is in the document and the next frame is painted, over a real
 * demo world whose plans and backends lists are replaced by 1,000 synthetic services. Also splits
 * each load into its phases from the page's own performance marks.
 *
 * <pre>./mvnw -B -q -pl controlplane -am -Pbench-console test-compile [-Dbench.rounds=N] [-Dbench.services=N]</pre>
 */
public final class ConsoleRenderBenchmark {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final List<String> CHROMIUM_FLAGS = List.of("--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run");
  static final int WARMUP = 3;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int services = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    SyntheticOverview overview = new SyntheticOverview(services);
    try (DemoWorld world = DemoWorld.start(DemoWorld.Options.freePorts());
        Playwright playwright = Playwright.create()) {
      world.awaitReady(Duration.ofSeconds(60));
      Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
          .setExecutablePath(CHROMIUM).setHeadless(true).setArgs(CHROMIUM_FLAGS));
      BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
      Page page = context.newPage();
      page.navigate(world.urls().getFirst().toString());
      page.getByLabel("Username").fill(world.credentials().viewerUser());
      page.getByLabel("Password").fill(world.credentials().viewerPassword());
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
      page.waitForURL("**#/overview");
      overview.serve(page);

      double[] total = new double[rounds];
      double[] untilData = new double[rounds];
      double[] script = new double[rounds];
      double[] layoutAndPaint = new double[rounds];
      for (int i = -WARMUP; i < rounds; i++) {
        double painted = overview.reloadAndAwaitRendered(page);
        if (i < 0) {
          continue;
        }
        List<?> marks = (List<?>) page.evaluate("() => ['tern:overview:render', 'tern:overview:rendered']"
            + ".map(n => performance.getEntriesByName(n).at(-1).startTime)");
        double renderStart = ((Number) marks.get(0)).doubleValue();
        double renderEnd = ((Number) marks.get(1)).doubleValue();
        total[i] = painted;
        untilData[i] = renderStart;
        script[i] = renderEnd - renderStart;
        layoutAndPaint[i] = painted - renderEnd;
      }
      System.out.printf("overview of %,d services (%,d answer rows, %,d backend rows), %d loads after %d warm-up loads%n",
          services, overview.rows(), overview.rows(), rounds, WARMUP);
      print("navigation → painted", total);
      print("  navigation → data in hand", untilData);
      print("  building the rows (script)", script);
      print("  style, layout and first paint", layoutAndPaint);
      browser.close();
    }
  }

  private static void print(String what, double[] millis) {
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    System.out.printf("%-34s median %5.0f ms   p95 %5.0f ms   min %5.0f   max %5.0f%n", what,
        quantile(sorted, 0.5), quantile(sorted, 0.95), sorted[0], sorted[sorted.length - 1]);
  }

  private static double quantile(double[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  }
}
