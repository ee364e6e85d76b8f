package dev.tern.controlplane.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The Providers page against a demo world whose shop is served by Route 53 (moto): the account's
 * standing, a dry run an operator asks for, and a viewer who may only look.
 */
class ProvidersBrowserTest extends DemoWorldBrowserTest {

  static final LocatorAssertions.ContainsTextOptions WAIT =
      new LocatorAssertions.ContainsTextOptions().setTimeout(Duration.ofSeconds(30).toMillis());

  @Test
  void an_operator_sees_each_account_serving_the_plan_and_asks_for_a_dry_run() {
    logInAsAdmin();
    page.locator("nav a", new Page.LocatorOptions().setHasText("Providers")).click();
    assertThat(page.locator("nav a[aria-current=page]")).hasText("Providers");
    Locator row = page.locator(".providers-table tbody tr[data-provider=route53-demo]");
    assertThat(row).containsText("route53", WAIT);
    assertThat(row).containsText("shop");
    // Serving the committed plan: no error, and no newer version pending (once the first sync is in).
    assertThat(row.locator(".outcome")).hasClass(java.util.regex.Pattern.compile("outcome-pass"),
        new LocatorAssertions.HasClassOptions().setTimeout(Duration.ofSeconds(30).toMillis()));
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Dry run of route53-demo for shop")).click();
    assertThat(page.locator("pre.dry-run")).containsText("route53-demo serves shop plan v", WAIT);
    assertThat(page.locator("pre.dry-run")).containsText("nothing to change");
    assertThat(page.locator("#error")).isHidden();
    screenshot("providers");
    page.setViewportSize(400, 900);
    assertNoSidewaysScroll("the providers page");
    screenshot("providers-narrow");
  }

  @Test
  void a_viewer_sees_the_standing_but_no_dry_run() {
    logInAsViewer();
    open("#/providers");
    Locator row = page.locator(".providers-table tbody tr[data-provider=route53-demo]");
    assertThat(row).containsText("operators only", WAIT);
    assertThat(row.locator("button")).hasCount(0);
  }
}
