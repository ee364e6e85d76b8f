package dev.tern.controlplane.console;

import dev.tern.controlplane.security.Public;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.exceptions.HttpStatusException;

/**
 * Serves the web console: {@code /} is its page, {@code /assets/{version}/{name}} its scripts and
 * styles. The files are public (they hold no data; every API call they make is checked), and
 * every answer carries headers that keep the page from running injected script or being framed.
 *
 * <p>index.html is revalidated on every load; assets are cached for a year under their content
 * version, and an asset asked for under another version is 404 rather than served stale or new.
 */
@Controller
final class ConsoleController {

  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      + "frame-ancestors 'none'";
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";

  private final ConsoleAssets assets;

  ConsoleController(ConsoleAssets assets) {
    this.assets = assets;
  }

  @Get(produces = MediaType.TEXT_HTML)
  @Public
  HttpResponse<byte[]> index() {
    return secured(HttpResponse.ok(assets.index()))
        .contentType(MediaType.TEXT_HTML + ";charset=utf-8")
        .header("Cache-Control", "no-cache");
  }

  @Get("/assets/{version}/{name}")
  @Public
  HttpResponse<byte[]> asset(String version, String name) {
    ConsoleAssets.Asset asset = assets.asset(name)
        .filter(a -> version.equals(assets.version()))
        .orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND,
            "no console asset " + name + " in version " + version + "; reload the page"));
    return secured(HttpResponse.ok(asset.content()))
        .contentType(asset.mediaType())
        .header("Cache-Control", IMMUTABLE);
  }

  private static <T> MutableHttpResponse<T> secured(MutableHttpResponse<T> response) {
    return response
        .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .header("X-Frame-Options", "DENY")
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "same-origin");
  }
}
