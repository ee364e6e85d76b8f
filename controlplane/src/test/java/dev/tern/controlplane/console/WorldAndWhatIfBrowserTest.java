package dev.tern.controlplane.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.Page;
import dev.tern.policy.geo.Region;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The World page (backends by cloud and region, the probe latency heat map) and the What-if page
 * against a running demo world, at desktop width and at 400 px.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorldAndWhatIfBrowserTest extends DemoWorldBrowserTest {

  static final Set<String> EU = Set.of("aws-frankfurt", "azure-amsterdam", "gcp-belgium");
  static final List<String> BACKENDS =
      List.of("aws-frankfurt", "azure-amsterdam", "gcp-belgium", "aws-virginia", "azure-virginia", "gcp-singapore");
  static final LocatorAssertions.HasCountOptions PROBE_WAIT =
      new LocatorAssertions.HasCountOptions().setTimeout(Duration.ofSeconds(15).toMillis());

  @Test
  @Order(1)
  void the_world_shows_every_backend_with_the_eu_ones_marked_and_a_full_latency_heat_map() {
    logInAsAdmin();
    open("#/world");
    assertThat(page.locator(".world-backend")).hasCount(6);
    assertThat(page.locator(".world-backend .eu-badge")).hasCount(3);
    for (String eu : EU) {
      assertThat(page.locator(".world-backend[data-backend=\"shop/" + eu + "\"] .eu-badge")).hasText("EU-resident");
    }
    assertThat(page.locator(".heatmap tbody tr")).hasCount(6);
    assertThat(page.locator(".heatmap thead th.heat-col")).hasCount(6);
    assertThat(page.locator(".heatmap td.heat-cell[data-latency]")).hasCount(36, PROBE_WAIT);
    assertThat(page.locator(".heat-legend li")).hasCount(8);
    assertThat(page.locator(".live")).hasText("live");
    screenshot("world");

    page.setViewportSize(400, 900);
    assertNoSidewaysScroll("the world page");
    screenshot("world-400");
  }

  @Test
  @Order(2)
  void a_stopped_region_shows_as_down_in_its_backends_heat_map_column() {
    logInAsAdmin();
    open("#/world");
    assertThat(page.locator(".heatmap td.heat-cell[data-latency]")).hasCount(36, PROBE_WAIT);
    Region singapore = Region.parse("gcp:asia-southeast1").orElseThrow();
    Locator column = page.locator(".heatmap td.heat-cell[data-backend=\"shop/gcp-singapore\"]");
    world.regions().stop(singapore).orElseThrow();
    try {
      assertThat(column.and(page.locator(".heat-down"))).hasCount(6, PROBE_WAIT);
      assertThat(column.first()).containsText("down");
      assertThat(page.locator(".world-backend[data-backend=\"shop/gcp-singapore\"] .health")).hasText("UNHEALTHY");
      screenshot("world-region-down");
    } finally {
      world.regions().start(singapore);
    }
  }

  @Test
  @Order(3)
  void failing_the_eu_zones_backend_shows_eu_moving_to_another_eu_backend_with_residency_stated() {
    logInAsAdmin();
    String current = euAnswer();
    open("#/what-if");
    page.locator("input[value=\"shop/" + current + "\"]").check();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show what would happen")).click();

    Locator eu = page.locator(".wi-zone[data-zone=\"EU\"]");
    assertThat(eu.locator(".wi-now .answer-line").first()).hasAttribute("data-backend", current);
    Locator then = eu.locator(".wi-then .answer-line").first();
    assertThat(then).isVisible();
    String next = then.getAttribute("data-backend");
    assertNotEquals(current, next);
    assertTrue(EU.contains(next), "EU moved outside the EU: " + next);
    assertThat(eu.locator(".wi-residency")).hasText("EU clients stay on EU backends: yes");
    assertThat(page.locator(".wi-note")).containsText("Nothing was changed");
    assertThat(page.locator(".wi-diff")).containsText("- " + current);
    assertThat(page.locator("#error")).isHidden();
    assertEquals(current, euAnswer(), "the what-if changed the plan");
    screenshot("what-if");

    page.setViewportSize(400, 900);
    assertNoSidewaysScroll("the what-if page");
    screenshot("what-if-400");
  }

  @Test
  @Order(4)
  void a_viewer_can_fail_every_eu_region_and_sees_eu_served_by_eu_backends_only() {
    logInAsViewer();
    open("#/what-if");
    for (String region : List.of("aws:eu-central-1", "azure:westeurope", "gcp:europe-west1")) {
      page.locator("input[data-kind=region][value=\"" + region + "\"]").check();
    }
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show what would happen")).click();

    Locator eu = page.locator(".wi-zone[data-zone=\"EU\"]");
    assertThat(eu.locator(".wi-mode")).hasText("fail-open, residency fallback");
    assertThat(eu.locator(".wi-residency")).hasText("EU clients stay on EU backends: yes");
    for (String backend : eu.locator(".wi-then .answer-line").all().stream().map(l -> l.getAttribute("data-backend")).toList()) {
      assertTrue(EU.contains(backend), "EU answered by " + backend);
    }
    assertThat(page.locator("#error")).isHidden();
    screenshot("what-if-viewer");
  }

  @Test
  @Order(5)
  void an_empty_what_if_is_refused_in_words() {
    logInAsViewer();
    open("#/what-if");
    assertThat(page.locator("input[data-kind=backend]")).hasCount(6);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show what would happen")).click();
    assertThat(page.locator(".wi-status")).hasText("Choose at least one backend, region or cloud to fail.");
  }
}
