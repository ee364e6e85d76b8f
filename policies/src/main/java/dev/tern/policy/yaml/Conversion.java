package dev.tern.policy.yaml;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Continent;
import dev.tern.policy.geo.Countries;
import dev.tern.policy.validation.Spelling;
import dev.tern.policy.validation.Violation;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The state of turning one YAML document into model values: the violations found so far, where
 * each path came from in the source, and whether anything required was lost on the way.
 *
 * <p>Every conversion reports its own problem and returns empty; the caller decides whether the
 * value was required (then the document is {@linkplain #incomplete() incomplete}) or falls back to
 * a default.
 */
public final class Conversion {

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(\\.\\d+)?)%");
  private static final List<String> ZONE_NAMES = zoneNames();

  private final Node root;
  private final List<Violation> violations = new ArrayList<>();
  private final Map<String, Mark> marks = new HashMap<>();
  private boolean incomplete;

  public Conversion(Node root) {
    this.root = root;
  }

  public List<Violation> violations() {
    return violations;
  }

  /** True when something required could not be read, so the model lacks part of the document. */
  public boolean incomplete() {
    return incomplete;
  }

  public void markIncomplete() {
    incomplete = true;
  }

  /** Records where {@code path} is in the source, for violations found later on the model. */
  public void mark(String path, Node node) {
    node.getStartMark().ifPresent(m -> marks.putIfAbsent(path, m));
  }

  public void error(String path, Node node, String message) {
    Mark m = node.getStartMark().orElseThrow();
    violations.add(new Violation(path, m.getLine() + 1, m.getColumn() + 1, message));
  }

  /**
   * Places a violation found on the model at the source of its path, or of the nearest enclosing
   * path the source has (a defaulted field points at its section).
   */
  public Violation locate(Violation v) {
    String path = v.path();
    while (!path.isEmpty()) {
      Mark m = marks.get(path);
      if (m != null) {
        return v.at(m.getLine() + 1, m.getColumn() + 1);
      }
      path = path.substring(0, Math.max(0, Math.max(path.lastIndexOf('.'), path.lastIndexOf('['))));
    }
    Mark m = root.getStartMark().orElseThrow();
    return v.at(m.getLine() + 1, m.getColumn() + 1);
  }

  public Optional<String> string(String path, Node node) {
    if (node instanceof ScalarNode s && !s.getTag().equals(Tag.NULL)) {
      return Optional.of(s.getValue());
    }
    error(path, node, "expected a string, got " + describe(node));
    return Optional.empty();
  }

  public Optional<Integer> integer(String path, Node node) {
    if (node instanceof ScalarNode s && s.getTag().equals(Tag.INT)) {
      BigInteger value = parseInt(s.getValue());
      if (value.bitLength() < 32) {
        return Optional.of(value.intValue());
      }
      error(path, node, "number " + s.getValue() + " is too large");
      return Optional.empty();
    }
    String expected = node instanceof ScalarNode s && s.getTag().equals(Tag.FLOAT)
        ? "expected a whole number, got "
        : "expected a number, got ";
    error(path, node, expected + describe(node));
    return Optional.empty();
  }

  public Optional<Boolean> bool(String path, Node node) {
    if (node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
      return Optional.of(Boolean.parseBoolean(s.getValue().toLowerCase(Locale.ROOT)));
    }
    error(path, node, "expected true or false, got " + describe(node));
    return Optional.empty();
  }

  public Optional<Duration> duration(String path, Node node) {
    if (node instanceof ScalarNode s && s.getTag().equals(Tag.INT)) {
      error(path, node, "a duration needs a unit: write " + s.getValue() + "s (units: ms, s, m, h)");
      return Optional.empty();
    }
    if (node instanceof ScalarNode s && s.getTag().equals(Tag.STR)) {
      Matcher m = DURATION.matcher(s.getValue());
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        });
      }
    }
    error(path, node, "expected a duration such as 500ms, 10s, 5m or 1h, got " + describe(node));
    return Optional.empty();
  }

  /** A share from 0 to 1, written {@code 50%} or {@code 0.5}. */
  public Optional<Double> share(String path, Node node) {
    if (node instanceof ScalarNode s) {
      if (s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT)) {
        try {
          return Optional.of(Double.parseDouble(s.getValue()));
        } catch (NumberFormatException e) {
          // .inf and .nan are floats in YAML but not shares; reported below.
        }
      }
      Matcher m = PERCENT.matcher(s.getValue());
      if (s.getTag().equals(Tag.STR) && m.matches()) {
        return Optional.of(Double.parseDouble(m.group(1)) / 100);
      }
    }
    error(path, node, "expected a percentage such as 50% or a number from 0 to 1, got "
        + describe(node));
    return Optional.empty();
  }

  /** One of a fixed set of words, such as a cloud or a routing method. */
  public <T> Optional<T> choice(
      String path, Node node, String what, List<String> keys, Function<String, Optional<T>> fromKey) {
    Optional<String> text = string(path, node);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<T> value = fromKey.apply(text.get());
    if (value.isEmpty()) {
      String hint = Spelling.hint(text.get(), keys);
      error(path, node, "unknown " + what + " '" + text.get() + "'"
          + (hint.isEmpty() ? "; use one of " + String.join(", ", keys) : hint));
    }
    return value;
  }

  public Optional<ClientZone> zone(String path, Node node) {
    Optional<String> text = string(path, node);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<ClientZone> zone = ClientZone.parse(text.get());
    if (zone.isEmpty()) {
      String hint = Spelling.hint(text.get(), ZONE_NAMES);
      error(path, node, "unknown client zone '" + text.get() + "'" + (hint.isEmpty()
          ? "; use default, EU, a continent (europe, north-america, south-america, asia, africa,"
              + " oceania, antarctica) or an ISO country code such as DE"
          : hint));
    }
    return zone;
  }

  public Optional<List<Node>> sequence(String path, Node node) {
    if (node instanceof SequenceNode s) {
      List<Node> items = s.getValue();
      for (int i = 0; i < items.size(); i++) {
        mark(path + "[" + i + "]", items.get(i));
      }
      return Optional.of(items);
    }
    error(path, node, "expected a list, got " + describe(node));
    return Optional.empty();
  }

  public Optional<MappingReader> mapping(String path, Node node, List<String> keys) {
    if (node instanceof MappingNode m) {
      return Optional.of(new MappingReader(this, path, m, keys));
    }
    error(path, node, "expected a mapping (key: value), got " + describe(node));
    return Optional.empty();
  }

  /** How a node reads in a message: {@code 'abc'}, {@code nothing}, {@code a list}. */
  public static String describe(Node node) {
    return switch (node) {
      case ScalarNode s when s.getTag().equals(Tag.NULL) -> "nothing";
      case ScalarNode s -> "'" + s.getValue() + "'";
      case SequenceNode ignored -> "a list";
      default -> "a mapping";
    };
  }

  private static BigInteger parseInt(String text) {
    String t = text.startsWith("+") ? text.substring(1) : text;
    if (t.startsWith("0x")) {
      return new BigInteger(t.substring(2), 16);
    }
    if (t.startsWith("0o")) {
      return new BigInteger(t.substring(2), 8);
    }
    return new BigInteger(t);
  }

  private static List<String> zoneNames() {
    List<String> names = new ArrayList<>();
    names.add("default");
    names.add("EU");
    for (Continent c : Continent.values()) {
      names.add(c.key());
    }
    names.addAll(Countries.codes().stream().sorted().toList());
    return List.copyOf(names);
  }
}
