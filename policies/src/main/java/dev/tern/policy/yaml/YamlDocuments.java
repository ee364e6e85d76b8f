package dev.tern.policy.yaml;

import dev.tern.policy.validation.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * YAML text to document nodes for Tern's file formats (policies, chaos scenarios), safely: the
 * text is bounded in size, alias bombs and runaway nesting are refused before anything is built,
 * and a syntax error becomes one violation at its line, worded for the usual causes. Never throws
 * on any input.
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
      return new Refused(Violation.at("", "the " + what + " is larger than 3 MiB; split it or look for"
          + " generated content that ran away"));
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
    } catch (YamlEngineException e) {
      return new Refused(Violation.at("", "invalid YAML: " + e.getMessage()));
    }
    return new Documents(documents);
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
