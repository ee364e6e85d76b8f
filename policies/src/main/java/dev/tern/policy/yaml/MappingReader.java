package dev.tern.policy.yaml;

import dev.tern.policy.validation.Spelling;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * One YAML mapping read against the keys valid at its position. Unknown and repeated keys are
 * reported when it is created; every value read records where it came from.
 */
public final class MappingReader {

  private final Conversion conversion;
  private final String path;
  private final MappingNode node;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

  public MappingReader(Conversion conversion, String path, MappingNode node, List<String> keys) {
    this.conversion = conversion;
    this.path = path;
    this.node = node;
    for (NodeTuple t : node.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode key)) {
        conversion.error(path, t.getKeyNode(), "keys must be plain words, got "
            + Conversion.describe(t.getKeyNode()));
        continue;
      }
      String name = key.getValue();
      if (!keys.contains(name)) {
        String hint = Spelling.hint(name, keys);
        conversion.error(path(name), key, "unknown key '" + name + "'"
            + (hint.isEmpty() ? "; valid keys here: " + String.join(", ", keys) : hint));
      } else if (entries.putIfAbsent(name, t) != null) {
        conversion.error(path(name), key, "key '" + name + "' appears twice; keep one");
      }
    }
  }

  public String path(String key) {
    return path + "." + key;
  }

  public Conversion conversion() {
    return conversion;
  }

  /** The keys present, in document order. */
  public List<String> keys() {
    return List.copyOf(entries.keySet());
  }

  public Node keyNode(String key) {
    return entries.get(key).getKeyNode();
  }

  /** The scalar keys of a mapping node, for mappings whose keys are data rather than fields. */
  public static List<String> scalarKeys(Node node) {
    if (!(node instanceof MappingNode m)) {
      return List.of();
    }
    return m.getValue().stream()
        .map(NodeTuple::getKeyNode)
        .flatMap(k -> k instanceof ScalarNode s ? Stream.of(s.getValue()) : Stream.empty())
        .toList();
  }

  /**
   * The value of {@code key} if present. A scalar value marks its path where the value is; a list
   * or mapping where its key is, so a violation about a whole section points at its name.
   */
  public Optional<Node> optional(String key) {
    NodeTuple t = entries.get(key);
    if (t == null) {
      return Optional.empty();
    }
    conversion.mark(path(key), t.getValueNode() instanceof ScalarNode ? t.getValueNode() : t.getKeyNode());
    return Optional.of(t.getValueNode());
  }

  /** The value of {@code key}, or a violation and an incomplete document when it is missing. */
  public Optional<Node> required(String key) {
    Optional<Node> value = optional(key);
    if (value.isEmpty()) {
      conversion.error(path(key), node, "missing required key '" + key + "'");
      conversion.markIncomplete();
    }
    return value;
  }

  /** Marks the document incomplete when a required value was missing or unreadable. */
  public <T> Optional<T> require(Optional<T> value) {
    if (value.isEmpty()) {
      conversion.markIncomplete();
    }
    return value;
  }

  public Optional<String> requiredString(String key) {
    return require(required(key).flatMap(n -> conversion.string(path(key), n)));
  }

  public Optional<String> string(String key) {
    return optional(key).flatMap(n -> conversion.string(path(key), n));
  }

  public int integer(String key, int fallback) {
    return optional(key).flatMap(n -> conversion.integer(path(key), n)).orElse(fallback);
  }

  public boolean bool(String key, boolean fallback) {
    return optional(key).flatMap(n -> conversion.bool(path(key), n)).orElse(fallback);
  }

  public Duration duration(String key, Duration fallback) {
    return optional(key).flatMap(n -> conversion.duration(path(key), n)).orElse(fallback);
  }

  public Optional<List<Node>> sequence(String key) {
    return optional(key).flatMap(n -> conversion.sequence(path(key), n));
  }

  public Optional<MappingReader> mapping(String key, List<String> keys) {
    return optional(key).flatMap(n -> conversion.mapping(path(key), n, keys));
  }
}
