package dev.tern.policy.yaml;

import dev.tern.policy.validation.Violation;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionEndEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;

/**
 * A first pass over the YAML event stream that refuses text built to exhaust the loader before a
 * node tree is built: too many aliases to lists or mappings (the "billion laughs" bomb, whose
 * expansion doubles with every level) and nesting deep enough to overflow the stack.
 *
 * <p>The event parser keeps its own stack, so this pass is safe on any input; the composer that
 * follows is recursive and is only run on text that passed.
 */
final class YamlScreen {

  static final int MAX_COLLECTION_ALIASES = 50;
  static final int MAX_DEPTH = 40;

  private YamlScreen() {}

  static Optional<Violation> check(String text, LoadSettings settings) {
    Set<Anchor> collectionAnchors = new HashSet<>();
    int aliases = 0;
    int depth = 0;
    for (Event e : new Parse(settings).parseString(text)) {
      switch (e) {
        case CollectionStartEvent start -> {
          depth++;
          if (depth > MAX_DEPTH) {
            return Optional.of(at(start, "lists and mappings are nested more than " + MAX_DEPTH
                + " levels deep; a policy never needs that, so the file is refused"));
          }
          start.getAnchor().ifPresent(collectionAnchors::add);
        }
        case CollectionEndEvent ignored -> depth--;
        case ScalarEvent scalar -> scalar.getAnchor().ifPresent(collectionAnchors::remove);
        case AliasEvent alias when collectionAnchors.contains(alias.getAlias()) -> {
          aliases++;
          if (aliases > MAX_COLLECTION_ALIASES) {
            return Optional.of(at(alias, "more than " + MAX_COLLECTION_ALIASES + " aliases (*name)"
                + " to lists or mappings; this looks like a YAML bomb (billion laughs), so the file"
                + " is refused: write the repeated parts out instead"));
          }
        }
        default -> { }
      }
    }
    return Optional.empty();
  }

  private static Violation at(Event e, String message) {
    Mark m = e.getStartMark().orElseThrow();
    return new Violation("", m.getLine() + 1, m.getColumn() + 1, message);
  }
}
