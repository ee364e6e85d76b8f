package dev.tern.controlplane.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The policy editor against a running demo world: line numbers, a problem shown at its line, an
 * edit through the form that rewrites one line and shows the plan change, apply with a reason that
 * lands in the audit log, a draft kept across navigation, and a viewer who cannot apply.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyEditorBrowserTest extends DemoWorldBrowserTest {

  static final LocatorAssertions.HasTextOptions CHECK_WAIT =
      new LocatorAssertions.HasTextOptions().setTimeout(Duration.ofSeconds(10).toMillis());

  @Test
  @Order(1)
  void a_problem_is_shown_at_its_line_and_the_list_leads_to_it() {
    logInAsAdmin();
    open("#/policy/" + SERVICE);
    Locator text = page.locator("#policy-yaml");
    assertThat(text).hasValue(Pattern.compile("name: shop"));
    assertThat(page.locator(".validation-status")).hasText("Valid", CHECK_WAIT);
    assertThat(page.locator(".plan-diff pre")).hasText("shop: no change");
    String yaml = text.inputValue();
    List<String> lines = yaml.lines().toList();
    assertThat(page.locator(".gutter li")).hasCount(yaml.split("\n", -1).length);

    int ttlLine = lines.indexOf("ttl: 5") + 1;
    assertTrue(ttlLine > 0, yaml);
    text.fill(yaml.replace("ttl: 5", "ttl: 0"));

    assertThat(page.locator(".validation-status")).hasText("1 problem", CHECK_WAIT);
    assertThat(page.locator(".gutter li.has-problem")).hasCount(1);
    assertThat(page.locator(".gutter li.has-problem")).hasAttribute("data-line", String.valueOf(ttlLine));
    Locator problem = page.locator(".violations button");
    assertThat(problem).containsText("line " + ttlLine + ", services.shop.ttl");
    assertThat(page.getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Page.GetByRoleOptions().setName("Apply…")))
        .isDisabled();
    problem.click();
    assertThat(text).isFocused();
    screenshot("policy-error");
    int caret = ((Number) page.evaluate("() => document.getElementById('policy-yaml').selectionStart")).intValue();
    assertEquals(ttlLine, text.inputValue().substring(0, caret).split("\n", -1).length, "the caret is on the problem's line");

    text.fill(yaml);
    assertThat(page.locator(".validation-status")).hasText("Valid", CHECK_WAIT);
    assertThat(page.locator(".gutter li.has-problem")).hasCount(0);
  }

  @Test
  @Order(2)
  void a_form_edit_rewrites_one_line_shows_the_plan_change_and_applies_with_a_reason() {
    logInAsAdmin();
    open("#/policy/" + SERVICE);
    Locator text = page.locator("#policy-yaml");
    assertThat(page.locator(".validation-status")).hasText("Valid", CHECK_WAIT);
    String euBackend = euAnswer();
    // Weights count under weighted routing (the demo routes by latency): every zone spreads out.
    String latency = "  method: latency\n  tolerance: 20ms\n";
    assertTrue(text.inputValue().contains(latency), text.inputValue());
    text.fill(text.inputValue().replace(latency, "  method: weighted\n"));
    assertThat(page.locator(".validation-status")).hasText("Valid", CHECK_WAIT);
    assertThat(page.locator(".plan-diff pre")).containsText("EU (changed)",
        new LocatorAssertions.ContainsTextOptions().setTimeout(Duration.ofSeconds(10).toMillis()));
    String before = text.inputValue();

    // Weight 0 makes the EU zone's backend a cold spare: the others share EU.
    Locator weight = page.locator("[data-field=\"weight:" + euBackend + "\"]");
    weight.fill("0");
    weight.press("Tab");

    String after = text.inputValue();
    List<String> added = after.lines().filter(l -> !before.lines().toList().contains(l)).toList();
    assertEquals(List.of("    weight: 0"), added, "the form inserts one line and touches nothing else");
    assertEquals(before.lines().count() + 1, after.lines().count());
    assertTrue(after.contains("healthCheck: &check") && after.contains("healthCheck: *check"), "anchors survive");
    assertTrue(after.contains("# Short, so that resolvers"), "comments survive");
    Locator diff = page.locator(".plan-diff pre");
    assertThat(diff.locator(".diff-removed")).containsText(new String[] {euBackend},
        new LocatorAssertions.ContainsTextOptions().setTimeout(Duration.ofSeconds(10).toMillis()));
    screenshot("policy-diff");

    page.getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Page.GetByRoleOptions().setName("Apply…")).click();
    Locator dialog = page.locator("dialog.reason-dialog");
    dialog.getByLabel("Reason (kept in the audit log)").fill("EU off " + euBackend + " for maintenance");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Apply")).click();
    assertThat(page.locator(".apply-state")).hasText(Pattern.compile("Applied as policy version \\d+\\."), CHECK_WAIT);
    assertThat(page.locator(".plan-diff pre")).hasText("shop: no change", CHECK_WAIT);
    assertThat(text).hasValue(Pattern.compile("weight: 0"));
    screenshot("policy-applied");

    APIResponse audit = page.request().get(api("/api/v1/audit?limit=1000"));
    assertEquals(200, audit.status());
    String entries = audit.text();
    assertTrue(entries.contains("\"action\":\"service.replace\"") && entries.contains("EU off " + euBackend + " for maintenance")
        && entries.contains("weight: 0"), entries);
  }

  @Test
  @Order(3)
  void an_unapplied_draft_survives_leaving_the_page_and_is_offered_back() {
    logInAsAdmin();
    open("#/policy/" + SERVICE);
    Locator text = page.locator("#policy-yaml");
    assertThat(page.locator(".validation-status")).hasText("Valid", CHECK_WAIT);
    String draft = text.inputValue().replace("ttl: 5", "ttl: 9");
    text.fill(draft);
    open("#/overview");
    assertThat(page.locator(".answers .answer-line").first()).isVisible();
    open("#/policy/" + SERVICE);
    assertThat(page.locator(".draft-notice")).isVisible();
    page.getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Page.GetByRoleOptions().setName("Restore draft")).click();
    assertThat(text).hasValue(draft);
    assertThat(page.locator(".draft-notice")).isHidden();
  }

  @Test
  @Order(4)
  void a_viewer_can_check_a_policy_but_cannot_apply_it() {
    logInAsViewer();
    open("#/policy/" + SERVICE);
    Locator text = page.locator("#policy-yaml");
    assertThat(page.locator(".validation-status")).hasText("Valid", CHECK_WAIT);
    assertThat(page.locator(".role-note")).containsText("needs the admin role");
    assertThat(page.getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Page.GetByRoleOptions().setName("Apply…")))
        .hasCount(0);
    assertThat(page.locator(".policy-form")).hasCount(0);
    text.fill(text.inputValue().replace("ttl: 5", "ttl: 0"));
    assertThat(page.locator(".validation-status")).hasText("1 problem", CHECK_WAIT);
    screenshot("policy-viewer");

    Object status = page.evaluate("async () => (await fetch('/api/v1/services/shop?reason=x', {method: 'PUT',"
        + " headers: {'Content-Type': 'application/yaml', 'X-CSRF-Token': sessionStorage.getItem('tern.csrf')},"
        + " body: document.getElementById('policy-yaml').value})).status");
    assertEquals(403, ((Number) status).intValue(), "the API refuses a viewer's apply whatever the page shows");
  }

  @Test
  @Order(5)
  void the_editor_reads_in_a_narrow_window() {
    logInAsAdmin();
    page.setViewportSize(400, 900);
    open("#/policy/" + SERVICE);
    assertThat(page.locator(".validation-status")).hasText("Valid", CHECK_WAIT);
    assertEquals(0, ((Number) page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue(),
        "the page scrolls sideways at 400 px");
    screenshot("policy-narrow");
  }

  /** The backend answering EU clients now, from the API in the page's own session. */
  private String euAnswer() {
    String plan = page.request().get(api("/api/v1/services/" + SERVICE + "/plan")).text();
    Matcher eu = Pattern.compile("\"zone\":\"EU\",\"mode\":\"\\w+\",\"answers\":\\[\\{\"backend\":\"([^\"]+)\"").matcher(plan);
    assertTrue(eu.find(), plan);
    return eu.group(1);
  }
}
