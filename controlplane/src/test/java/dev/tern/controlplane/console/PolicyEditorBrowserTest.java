package dev.tern.controlplane.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The policy editor against a running demo world: the YAML with line numbers, a problem marked on
 * its line as it is typed, a form edit that changes one line, the plan diff, Apply with a reason
 * reaching the audit log, and what a viewer is not offered.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyEditorBrowserTest extends DemoWorldBrowserTest {

  @Test
  @Order(1)
  void the_form_edits_change_only_their_lines_and_keep_comments_and_anchors() {
    logInAsAdmin();
    open("#/policy");
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(SERVICE).setExact(true))).isVisible();

    String source = String.join("\n",
        "kind: Service",
        "backends:",
        "  - name: fra   # Frankfurt",
        "    address: 192.0.2.1",
        "    weight: 3   # most of EU",
        "    healthCheck: &check",
        "      kind: http",
        "  - name: iad",
        "    address: 192.0.2.2",
        "    healthCheck: *check",
        "residency:",
        "  - zone: EU",
        "    allow:",
        "      - EU",
        "health:",
        "  quorum: 2",
        "");
    @SuppressWarnings("unchecked")
    Map<String, Object> edited = (Map<String, Object>) page.evaluate("""
        async (source) => {
          const url = document.querySelector('script[type=module]').src.replace('app.js', 'policy-yaml.js');
          const y = await import(url);
          return {
            weight: y.setBackendValue(source, 'fra', 'weight', 7),
            inserted: y.setBackendValue(source, 'fra', 'priority', 2),
            order: y.setFailoverOrder(source, ['iad', 'fra']),
            allow: y.setResidencyAllow(source, 'EU', ['EU', 'CH']),
            when: y.setWhenNoneHealthy(source, 'EU', 'answer-nothing'),
            unknown: y.setBackendValue(source, 'nowhere', 'weight', 1),
            backends: JSON.stringify(y.readBackends(source)),
            residency: JSON.stringify(y.readResidency(source)),
          };
        }""", source);

    assertEquals(source.replace("    weight: 3   # most", "    weight: 7   # most"), edited.get("weight"));
    assertEquals(source.replace("    weight: 3   # most of EU\n", "    weight: 3   # most of EU\n    priority: 2\n"),
        edited.get("inserted"), "a missing key goes among the plain values, before the anchored mapping");
    assertEquals(source.replace("    weight: 3   # most of EU\n", "    weight: 3   # most of EU\n    priority: 2\n")
        .replace("    healthCheck: *check\n", "    healthCheck: *check\n    priority: 1\n"), edited.get("order"));
    assertEquals(source.replace("      - EU\n", "      - EU\n      - CH\n"), edited.get("allow"),
        "a block list stays a block list");
    assertEquals(source.replace("  - zone: EU\n", "  - zone: EU\n    whenNoneHealthy: answer-nothing\n"), edited.get("when"));
    assertEquals(source, edited.get("unknown"), "an edit it cannot place leaves the text alone");
    assertEquals("[{\"name\":\"fra\",\"jurisdiction\":null,\"weight\":3,\"priority\":null},"
        + "{\"name\":\"iad\",\"jurisdiction\":null,\"weight\":null,\"priority\":null}]", edited.get("backends"));
    assertEquals("[{\"zone\":\"EU\",\"allow\":[\"EU\"],\"whenNoneHealthy\":null}]", edited.get("residency"));
  }

  @Test
  @Order(2)
  void an_admin_sees_a_problem_on_its_line_edits_through_the_form_and_applies_with_a_reason() {
    logInAsAdmin();
    open("#/policy/" + SERVICE);
    Locator yaml = page.getByLabel("YAML");
    assertThat(yaml).hasValue(Pattern.compile("kind: Service[\\s\\S]*name: shop"));
    String original = yaml.inputValue();
    List<String> lines = original.lines().toList();
    assertThat(page.locator(".gutter .ln")).hasCount(original.split("\n", -1).length);
    assertThat(page.locator(".gutter .ln").first()).hasText("1");
    assertThat(page.locator(".check-status")).hasText("Valid");
    assertThat(page.locator(".plan-diff")).hasText("No change: the routing plan would stay as it is.");
    assertTrue(page.locator("button.apply").isDisabled(), "nothing to apply while the text is unchanged");

    int ttlLine = lines.indexOf("ttl: 5") + 1;
    assertTrue(ttlLine > 0, "the demo policy has ttl: 5");
    yaml.fill(original.replace("\nttl: 5\n", "\nttl: 0\n"));
    Locator marker = page.locator(".gutter .ln[data-line=\"" + ttlLine + "\"] .marker");
    assertThat(marker).isVisible();
    assertThat(page.locator(".gutter .marker")).hasCount(1);
    assertThat(marker).hasAttribute("aria-label", Pattern.compile("^Problem on line " + ttlLine + ": services\\.shop\\.ttl: .+"));
    Locator violation = page.locator(".violations button.violation");
    assertThat(violation).hasCount(1);
    assertThat(violation).hasText(Pattern.compile("^line " + ttlLine + ", services\\.shop\\.ttl: .*\\d"));
    assertTrue(page.locator("button.apply").isDisabled(), "an invalid text cannot be applied");
    violation.click();
    int caret = ((Number) page.evaluate("() => document.getElementById('policy-yaml').selectionStart")).intValue();
    int lineStart = String.join("\n", lines.subList(0, ttlLine - 1)).length() + 1;
    assertEquals(lineStart, caret, "activating the problem puts the caret at the start of its line");
    screenshot("policy-error");

    yaml.fill(original);
    assertThat(page.locator(".check-status")).hasText("Valid");
    assertThat(page.locator(".gutter .marker")).hasCount(0);

    // Weighted routing instead of latency, and the backend answering EU a cold spare (weight 0)
    // through the form: the EU answer spreads over the other EU backends, so the plan changes.
    String weighted = original.replace("  method: latency\n  tolerance: 20ms\n", "  method: weighted\n");
    yaml.fill(weighted);
    assertThat(page.locator(".check-status")).hasText("Valid");
    String spare = euAnswer();
    page.getByLabel("Weight of " + spare).fill("0");
    assertThat(yaml).hasValue(Pattern.compile("- name: " + spare + "\\n(    .*\\n)*?    weight: 0\\n"));
    String expected = yaml.inputValue();
    assertEquals(weighted, expected.replaceFirst("\n    weight: 0\n", "\n"), "the form added one line and changed nothing else");
    assertThat(page.locator(".check-status")).hasText("Valid");
    assertThat(page.locator(".plan-diff .diff-zone").first()).hasText(Pattern.compile("^EU "));
    assertThat(page.locator(".plan-diff .diff-removed, .plan-diff .diff-changed").first()).containsText(spare);
    assertThat(page.locator("button.apply")).isEnabled();
    screenshot("policy-diff");

    String reason = "Keep " + spare + " as a cold spare during its maintenance";
    page.locator("button.apply").click();
    page.getByLabel("Reason (kept in the audit log)").fill(reason);
    page.locator("dialog").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Apply").setExact(true)).click();
    assertThat(page.locator(".applied")).hasText(Pattern.compile("^Applied as policy version \\d+$"));
    assertThat(yaml).hasValue(expected);
    assertThat(page.locator(".policy-meta")).hasText(Pattern.compile("policy version \\d+"));
    assertThat(page.locator("button.apply")).isDisabled();
    assertThat(page.locator(".plan-diff")).hasText("No change: the routing plan would stay as it is.",
        new LocatorAssertions.HasTextOptions().setTimeout(10_000));
    assertThat(page.locator("#error")).isHidden();
    screenshot("policy-applied");

    @SuppressWarnings("unchecked")
    Map<String, Object> entry = (Map<String, Object>) page.evaluate("""
        async (reason) => {
          const response = await fetch('/api/v1/audit?limit=1000');
          const entries = await response.json();
          return entries.find((e) => e.reason === reason) || null;
        }""", reason);
    assertNotNull(entry, "the audit log holds the change with its reason");
    assertEquals(world.credentials().consoleUser(), entry.get("actor"));
    assertEquals(expected, entry.get("after"), "the audit entry keeps the new YAML");

    // And in the console's audit log, with the change as a diff.
    open("#/audit");
    Locator row = page.locator("tr[data-sequence]", new Page.LocatorOptions().setHasText(reason));
    assertThat(row.locator(".action")).hasText("service.replace");
    row.locator("button.diff-toggle").click();
    Locator added = page.locator("#audit-diff-" + row.getAttribute("data-sequence") + " .diff-added");
    assertThat(added.filter(new Locator.FilterOptions().setHasText("weight: 0"))).hasCount(1);
    assertThat(added.filter(new Locator.FilterOptions().setHasText("method: weighted"))).hasCount(1);
    screenshot("policy-applied-audit");
  }

  @Test
  @Order(3)
  void a_viewer_checks_text_but_gets_no_apply_and_no_form_and_the_api_refuses_a_put() {
    logInAsViewer();
    open("#/policy/" + SERVICE);
    Locator yaml = page.getByLabel("YAML");
    assertThat(yaml).hasValue(Pattern.compile("kind: Service"));
    assertThat(page.locator(".check-status")).hasText("Valid");
    assertThat(page.locator("button.apply")).hasCount(0);
    assertThat(page.locator(".policy-side input, .policy-side select, .policy-form")).hasCount(0);
    assertThat(page.locator(".read-only-note")).isVisible();

    String original = yaml.inputValue();
    int line = original.lines().toList().indexOf("ttl: 5") + 1;
    yaml.fill(original.replace("\nttl: 5\n", "\nttl: 0\n"));
    assertThat(page.locator(".gutter .ln[data-line=\"" + line + "\"] .marker")).isVisible();
    page.locator(".violations button.violation").click();
    screenshot("policy-viewer");

    Object status = page.evaluate("""
        async (yaml) => {
          const response = await fetch('/api/v1/services/shop?reason=viewer+tries', {
            method: 'PUT', body: yaml,
            headers: { 'Content-Type': 'application/yaml', 'X-CSRF-Token': sessionStorage.getItem('tern.csrf') },
          });
          return response.status;
        }""", original);
    assertEquals(403, ((Number) status).intValue());
  }

  @Test
  @Order(4)
  void at_400_pixels_the_editor_fits_the_keyboard_can_leave_it_the_form_reorders_failover_and_a_draft_survives_leaving() {
    page.setViewportSize(400, 900);
    logInAsAdmin();
    open("#/policy/" + SERVICE);
    Locator yaml = page.getByLabel("YAML");
    assertThat(page.locator(".check-status")).hasText("Valid");

    yaml.focus();
    yaml.evaluate("t => t.setSelectionRange(0, 0)");
    page.keyboard().press("Tab");
    assertThat(yaml).hasValue(Pattern.compile("^  # The service"));
    assertEquals("policy-yaml", page.evaluate("() => document.activeElement.id"), "Tab indents inside the editor");
    page.keyboard().press("Escape");
    page.keyboard().press("Tab");
    assertNotEquals("policy-yaml", page.evaluate("() => document.activeElement.id"), "Escape, then Tab leaves the editor");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Move azure-amsterdam up in the failover order")).click();
    assertThat(page.locator(".backend-edit").first()).hasAttribute("data-backend", "azure-amsterdam");
    // The first test made one EU backend a cold spare, so a weight line may stand before the priority.
    assertThat(yaml).hasValue(Pattern.compile("address: 127\\.0\\.1\\.1\\n(    weight: 0\\n)?    priority: 2\\n"
        + "    healthCheck: &check\\n[\\s\\S]*address: 127\\.0\\.1\\.2\\n    healthCheck: \\*check\\n(    weight: 0\\n)?"
        + "    priority: 1\\n"));
    assertEquals("Move azure-amsterdam down in the failover order",
        page.evaluate("() => document.activeElement.getAttribute('aria-label')"), "focus stays with the moved backend");
    assertThat(page.locator(".check-status")).hasText("Valid");

    String reordered = yaml.inputValue();
    String edited = "# " + "a long comment line that must scroll sideways rather than wrap ".repeat(4) + "\n" + reordered;
    yaml.fill(edited);
    assertThat(page.locator(".gutter .ln")).hasCount(reordered.split("\n", -1).length + 1);

    open("#/overview");
    assertThat(page.locator(".cluster-health")).isVisible();
    open("#/policy/" + SERVICE);
    assertThat(page.locator(".draft-notice")).isVisible();
    assertThat(page.locator(".check-status")).hasText("Valid");
    assertNotEquals(edited, yaml.inputValue(), "the page opens on the applied policy");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Restore draft")).click();
    assertThat(yaml).hasValue(edited);
    assertThat(page.locator(".draft-notice")).isHidden();
    Object widths = page.evaluate("""
        () => {
          const t = document.getElementById('policy-yaml');
          t.scrollTop = t.scrollHeight;
          t.dispatchEvent(new Event('scroll'));
          return [document.documentElement.scrollWidth, t.scrollWidth > t.clientWidth,
                  document.querySelector('.gutter').scrollTop === t.scrollTop, t.scrollTop > 0];
        }""");
    assertEquals(List.of(400, true, true, true), widths,
        "[page width, long line scrolls inside the editor, gutter scrolled with the text, text scrolled]");
    yaml.evaluate("t => { t.scrollTop = 0; t.dispatchEvent(new Event('scroll')); }");
    assertThat(page.locator(".check-status")).hasText("Valid");
    screenshot("policy-narrow");
  }
}
