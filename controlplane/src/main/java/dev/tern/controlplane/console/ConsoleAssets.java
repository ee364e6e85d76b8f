package dev.tern.controlplane.console;

import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console's files, read once from the web-console jar. Their version is a hash of their
 * content, so a browser may keep an asset for a year: a new build changes the version and with it
 * every asset URL that index.html names.
 */
@Singleton
final class ConsoleAssets {

  static final String ROOT = "META-INF/tern-console/";
  /** Where index.html names the version; replaced when it is read. */
  static final String VERSION_MARKER = "{{version}}";

  /** One file with the media type it is served as. */
  record Asset(String name, String mediaType, byte[] content) {}

  private static final Map<String, String> MEDIA_TYPES = Map.of(
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8");
  /** Every asset; a name not listed here is not served, whatever the jar holds. */
  private static final List<String> ASSET_NAMES = List.of(
      "app.js", "api.js", "dom.js", "live.js", "dialog.js", "overview.js", "service.js",
      "policy.js", "policy-yaml.js", "world.js", "what-if.js", "timeline.js", "audit.js", "diff.js",
      "chaos.js", "alerts.js", "providers.js", "style.css");

  private final Map<String, Asset> assets = new LinkedHashMap<>();
  private final String version;
  private final byte[] index;

  ConsoleAssets() {
    MessageDigest digest = sha256();
    byte[] indexTemplate = read("index.html");
    digest.update(indexTemplate);
    for (String name : ASSET_NAMES) {
      byte[] content = read(name);
      digest.update(name.getBytes(StandardCharsets.UTF_8));
      digest.update(content);
      assets.put(name, new Asset(name, MEDIA_TYPES.get(name.substring(name.lastIndexOf('.') + 1)), content));
    }
    version = HexFormat.of().formatHex(digest.digest(), 0, 6);
    index = new String(indexTemplate, StandardCharsets.UTF_8).replace(VERSION_MARKER, version)
        .getBytes(StandardCharsets.UTF_8);
  }

  String version() {
    return version;
  }

  byte[] index() {
    return index.clone();
  }

  Optional<Asset> asset(String name) {
    return Optional.ofNullable(assets.get(name));
  }

  private static byte[] read(String name) {
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException(ROOT + name + " is missing from the classpath; rebuild the web-console module");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
