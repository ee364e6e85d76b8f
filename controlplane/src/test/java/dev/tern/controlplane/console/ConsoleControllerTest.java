package dev.tern.controlplane.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.testing.Http;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the control plane serves the console: versioned assets, caching and security headers. */
@MicronautTest
class ConsoleControllerTest {

  private static final Pattern ASSET_URL = Pattern.compile("/assets/([0-9a-f]{12})/([a-z-]+\\.(?:js|css))");

  @Inject
  EmbeddedServer server;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(server.getURI());
  }

  @Test
  void the_page_is_public_revalidated_and_names_its_assets_by_version() {
    HttpResponse<String> page = http.get("/");
    assertEquals(200, page.statusCode(), page.body());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertEquals("no-cache", page.headers().firstValue("Cache-Control").orElse(""));
    assertFalse(page.body().contains(ConsoleAssets.VERSION_MARKER), "the version marker was replaced");
    assertSecured(page);

    Matcher urls = ASSET_URL.matcher(page.body());
    List<String> found = urls.results().map(m -> m.group(2)).toList();
    assertEquals(List.of("style.css", "app.js"), found);
  }

  @Test
  void every_asset_is_served_under_the_current_version_with_a_year_of_cache() {
    String version = version();
    for (String name : List.of("app.js", "api.js", "overview.js", "style.css")) {
      HttpResponse<String> asset = http.get("/assets/" + version + "/" + name);
      assertEquals(200, asset.statusCode(), name);
      assertEquals(name.endsWith(".js") ? "text/javascript;charset=utf-8" : "text/css;charset=utf-8",
          asset.headers().firstValue("Content-Type").orElse("").replace(" ", ""), name);
      assertEquals("public, max-age=31536000, immutable", asset.headers().firstValue("Cache-Control").orElse(""));
      assertSecured(asset);
    }
  }

  @Test
  void an_asset_under_another_version_or_name_is_not_found() {
    String version = version();
    assertEquals(404, http.get("/assets/000000000000/app.js").statusCode());
    assertEquals(404, http.get("/assets/" + version + "/index.html").statusCode());
    assertEquals(404, http.get("/assets/" + version + "/..%2Fapplication.yml").statusCode());
  }

  @Test
  void the_api_stays_closed_to_a_caller_without_credentials() {
    assertEquals(401, http.get("/api/v1/plans").statusCode());
    assertEquals(401, http.get("/api/v1/whoami").statusCode());
  }

  private String version() {
    Matcher m = ASSET_URL.matcher(http.get("/").body());
    assertTrue(m.find());
    return m.group(1);
  }

  private static void assertSecured(HttpResponse<String> response) {
    String csp = response.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("default-src 'self'"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertFalse(csp.contains("unsafe-inline"), csp);
    assertTrue(csp.contains("object-src 'none'"), csp);
    assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElse(""));
    assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""));
    assertEquals("same-origin", response.headers().firstValue("Referrer-Policy").orElse(""));
  }
}
