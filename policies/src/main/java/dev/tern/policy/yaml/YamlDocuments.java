package dev.tern.policy.yaml;

import dev.tern.policy.validation.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * YAML text to document nodes for Tern's file formats (policies, chaos scenarios), safely: the
 * text is bounded in size, alias bombs and runaway nesting are refused before anything is built,
 * and a syntax error becomes one violation at its line, worded for the usual causes; a refusal of
 * the whole file is placed at its first line. Never throws on any input.
 */
public final class YamlDocuments {

  /** About 3 MiB of text: far beyond any real file, small enough to parse in milliseconds. */
  public static final int MAX_CODE_POINTS = 3 * 1024 * 1024;

  private static final LoadSettings SETTINGS = LoadSettings.builder()
      .setLabel("tern")
      .setSchema(new CoreSchema())
      .setMaxAliasesForCollections(YamlScreen.MAX_COLLECTION_ALIASES)
      .setCodePointLimit(MAX_CODE_POINTS)
      .build();

  /** What composing gave: every document's root node, or the one reason there are none. */
  public sealed interface Composed permits Documents, Refused {}

  /** The documents' root nodes, in file order (an empty document is a null scalar). */
  public record Documents(List<Node> nodes) implements Composed {
    public Documents {
      nodes = List.copyOf(nodes);
    }
  }

  /** The text could not be read as YAML at all; nothing after this problem can be trusted. */
  public record Refused(Violation violation) implements Composed {}

  private YamlDocuments() {}

  /** Composes every document of {@code text}; {@code what} names the file in messages ("policy file"). */
  public static Composed compose(String text, String what) {
    if (text.length() > MAX_CODE_POINTS && text.codePointCount(0, text.length()) > MAX_CODE_POINTS) {
      return new Refused(new Violation("", 1, 1, "the " + what + " is larger than 3 MiB; split it or"
          + " look for generated content that ran away"));
    }
    List<Node> documents = new ArrayList<>();
    try {
      Optional<Violation> refused = YamlScreen.check(text, SETTINGS);
      if (refused.isPresent()) {
        return new Refused(refused.get());
      }
      new Compose(SETTINGS).composeAllFromString(text).forEach(documents::add);
    } catch (MarkedYamlEngineException e) {
      return new Refused(syntaxError(e));
    } catch (ReaderException e) {
      return new Refused(unreadableCharacter(text, e));
    } catch (YamlEngineException e) {
      return new Refused(new Violation("", 1, 1, "invalid YAML: " + e.getMessage()));
    }
    return new Documents(documents);
  }

  /**
   * A character YAML does not allow in its text (a control character such as NUL, or half of a
   * surrogate pair), placed at its line and column: the reader reports only its position among
   * the text's code points.
   */
  private static Violation unreadableCharacter(String text, ReaderException e) {
    int line = 1;
    int column = 1;
    int i = 0;
    for (int codePoints = 0; codePoints < e.getPosition(); codePoints++) {
      int next = i + Character.charCount(text.codePointAt(i));
      if (next >= text.length()) {
        break; // half a pair at the very end is reported one past it
      }
      char c = text.charAt(i);
      if (c == '\n' || (c == '\r' && text.charAt(next) != '\n')) {
        line++;
        column = 1;
      } else if (c != '\r') {
        column++;
      }
      i = next;
    }
    return new Violation("", line, column, ("invalid YAML: the character U+%1$04X is not allowed in YAML"
        + " text; remove it, or write it escaped in a double-quoted string: \"\\u%1$04X\"")
        .formatted(e.getCodePoint()));
  }

  /** One violation for YAML that does not parse, worded for the usual causes. */
  private static Violation syntaxError(MarkedYamlEngineException e) {
    String problem = e.getProblem();
    String context = e.getContext() == null ? "" : e.getContext();
    Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
    String message;
    if (problem.contains("(TAB)")) {
      message = "a tab character here; YAML indentation must use spaces, not tabs";
    } else if (context.contains("quoted scalar") && problem.contains("end of stream")) {
      mark = e.getContextMark().or(() -> e.getProblemMark());
      message = "a quoted string starts here but is never closed; add the closing quote";
    } else if (problem.startsWith("mapping values are not allowed")) {
      message = "unexpected ':'; check the indentation of this line, or quote a value that"
          + " contains ': '";
    } else {
      message = (context.isEmpty() ? "" : context + ": ") + problem;
    }
    String text = "invalid YAML: " + message;
    return mark
        .map(m -> new Violation("", m.getLine() + 1, m.getColumn() + 1, text))
        .orElse(Violation.at("", text));
  }
}
