package dev.tern.controlplane.server;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import io.micronaut.context.env.yaml.YamlPropertySourceLoader;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running control-plane node: the Micronaut context and its HTTP server. {@code tern server}
 * starts one and waits for {@link #awaitStop()}; tests start one and {@link #close()} it.
 */
public final class TernServer implements AutoCloseable {

  /**
   * Order of the {@code --config} file among property sources: above the bundled
   * application.yml (-300), below environment variables (-200) and system properties (-100).
   */
  static final int CONFIG_FILE_ORDER = -250;

  private static final Logger LOG = LoggerFactory.getLogger(TernServer.class);

  private final ApplicationContext context;
  private final EmbeddedServer server;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closing = new AtomicBoolean();

  private TernServer(ApplicationContext context, EmbeddedServer server) {
    this.context = context;
    this.server = server;
  }

  /**
   * Starts a node with the bundled defaults, overridden by {@code configFile} (YAML, Micronaut
   * configuration keys) when given.
   *
   * @throws IOException when the configuration file cannot be read
   */
  public static TernServer start(Optional<Path> configFile) throws IOException {
    List<PropertySource> sources = new ArrayList<>();
    if (configFile.isPresent()) {
      sources.add(read(configFile.get()));
    }
    return start(sources, List.of());
  }

  /**
   * Starts a node with the bundled defaults overridden by {@code properties} (Micronaut
   * configuration keys, nested maps and lists as YAML would give them), and {@code beans}
   * registered as singletons before any other bean is created: how {@code tern demo} runs
   * several nodes in one process and hands each the parts of the world it shares with them.
   */
  public static TernServer start(Map<String, Object> properties, List<Object> beans) {
    return start(List.of(PropertySource.of("tern-properties", properties, CONFIG_FILE_ORDER)), beans);
  }

  private static TernServer start(List<PropertySource> sources, List<Object> beans) {
    ApplicationContext context = ApplicationContext.builder()
        .deduceEnvironment(false)
        .banner(false)
        .propertySources(sources.toArray(PropertySource[]::new))
        .singletons(beans.toArray())
        .build();
    try {
      context.start();
      EmbeddedServer server = context.getBean(EmbeddedServer.class);
      server.start();
      LOG.info("Tern control plane listening on {}", server.getURI());
      return new TernServer(context, server);
    } catch (RuntimeException e) {
      if (context.isRunning()) {
        context.close();
      }
      throw e;
    }
  }

  private static PropertySource read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Map<String, Object> values = new YamlPropertySourceLoader().read(file.toString(), in);
      return PropertySource.of(file.toString(), values, CONFIG_FILE_ORDER);
    }
  }

  public URI uri() {
    return server.getURI();
  }

  public int port() {
    return server.getPort();
  }

  /** The running context, for tests and for components started beside the HTTP server. */
  public ApplicationContext context() {
    return context;
  }

  /** Blocks until {@link #close()} has stopped the node. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** Stops accepting requests, lets the context release its beans, and wakes {@link #awaitStop()}. */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    try {
      LOG.info("Tern control plane stopping");
      server.stop();
      if (context.isRunning()) {
        context.close();
      }
    } finally {
      stopped.countDown();
    }
  }
}
