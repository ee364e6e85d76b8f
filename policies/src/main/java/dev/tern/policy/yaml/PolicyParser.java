package dev.tern.policy.yaml;

import dev.tern.policy.geo.ZoneTable;
import dev.tern.policy.model.Policy;
import dev.tern.policy.model.Service;
import dev.tern.policy.validation.PolicyValidator;
import dev.tern.policy.validation.Violation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a policy file: one or more YAML documents, each {@code kind: Service} or {@code kind:
 * ZoneTable}, into a {@link Policy}, with every problem placed at its line and column.
 *
 * <p>Parsing runs in three steps, and never throws on any input:
 *
 * <ol>
 *   <li>YAML syntax, and refusal of alias bombs and runaway nesting: the first such problem is
 *       the only violation, since nothing after it can be trusted.
 *   <li>Shape: unknown or repeated keys, wrong types, missing keys, unknown words, regions and
 *       zones, durations, CIDRs, repeated service names and hostnames.
 *   <li>Semantics: {@link PolicyValidator} on each service whose document was read whole, its
 *       violations placed at the source of their path.
 * </ol>
 */
public final class PolicyParser {

  private static final List<String> KINDS = List.of("Service", "ZoneTable");

  private final PolicyValidator validator = new PolicyValidator();

  /** Parses and validates a policy file; the result holds the policy or every violation. */
  public ParsedPolicy parse(String yamlText) {
    Objects.requireNonNull(yamlText, "yamlText");
    YamlDocuments.Composed composed = YamlDocuments.compose(yamlText, "policy file");
    if (composed instanceof YamlDocuments.Refused refused) {
      return ParsedPolicy.invalid(List.of(refused.violation()));
    }
    List<Node> documents = ((YamlDocuments.Documents) composed).nodes();
    return read(documents);
  }

  private ParsedPolicy read(List<Node> documents) {
    List<Violation> violations = new ArrayList<>();
    List<Service> services = new ArrayList<>();
    Optional<ZoneTable> zoneTable = Optional.empty();
    Node firstZoneTable = null;
    Map<String, String> hostnames = new HashMap<>();
    List<String> names = new ArrayList<>();
    int serviceDocuments = 0;
    int unknownDocuments = 0;

    for (int i = 0; i < documents.size(); i++) {
      Node root = documents.get(i);
      if (root instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
        continue;
      }
      Conversion c = new Conversion(root);
      String documentPath = "documents[" + i + "]";
      Optional<String> kind = kind(c, documentPath, root);
      if (kind.isEmpty()) {
        unknownDocuments++;
        violations.addAll(c.violations());
        continue;
      }
      MappingNode mapping = (MappingNode) root;
      if (kind.get().equals("Service")) {
        serviceDocuments++;
        String path = stringValue(mapping, "name").map(n -> "services." + n).orElse(documentPath);
        MappingReader doc = new MappingReader(c, path, mapping, ServiceReader.SERVICE_KEYS);
        Optional<Service> service = new ServiceReader(c).read(doc);
        checkUnique(c, doc, names, hostnames);
        if (service.isPresent()) {
          services.add(service.get());
          validator.validate(service.get()).forEach(v -> c.violations().add(c.locate(v)));
        }
      } else if (firstZoneTable != null) {
        Node kindNode = valueNode(mapping, "kind").orElseThrow();
        c.error(documentPath + ".kind", kindNode, "only one ZoneTable document is allowed; move"
            + " these entries into the ZoneTable at line " + line(firstZoneTable));
      } else {
        firstZoneTable = root;
        MappingReader doc = new MappingReader(c, "zoneTable", mapping, ZoneTableReader.KEYS);
        zoneTable = new ZoneTableReader(c).read(doc);
      }
      violations.addAll(c.violations());
    }

    if (serviceDocuments == 0 && unknownDocuments == 0) {
      int line = documents.isEmpty() ? 1 : line(documents.getFirst());
      violations.add(new Violation("", line, 1, "the policy has no Service document; add at least"
          + " one document with kind: Service"));
    }
    if (!violations.isEmpty()) {
      violations.sort(Comparator.comparingInt(Violation::line).thenComparingInt(Violation::column));
      return ParsedPolicy.invalid(violations);
    }
    return ParsedPolicy.valid(new Policy(services, zoneTable.orElse(ZoneTable.EMPTY)));
  }

  /** The document's kind, or empty after reporting why it has none the parser knows. */
  private static Optional<String> kind(Conversion c, String documentPath, Node root) {
    if (!(root instanceof MappingNode mapping)) {
      c.error(documentPath, root, "a policy document must be a mapping that starts with"
          + " kind: Service or kind: ZoneTable, got " + Conversion.describe(root));
      return Optional.empty();
    }
    Optional<Node> kindNode = valueNode(mapping, "kind");
    if (kindNode.isEmpty()) {
      c.error(documentPath + ".kind", root, "missing required key 'kind'; start the document with"
          + " kind: Service or kind: ZoneTable");
      return Optional.empty();
    }
    return c.choice(documentPath + ".kind", kindNode.get(), "kind", KINDS,
        word -> Optional.of(word).filter(KINDS::contains));
  }

  /**
   * Service names and hostnames must be unique across the file. The validator checks the same on
   * a whole policy; here the repeat is known by its place in the source, so it is reported there.
   */
  private static void checkUnique(
      Conversion c, MappingReader doc, List<String> names, Map<String, String> hostnames) {
    Optional<String> name = doc.optional("name").flatMap(PolicyParser::scalar);
    name.ifPresent(n -> {
      if (names.contains(n)) {
        c.error(doc.path("name"), doc.optional("name").orElseThrow(),
            PolicyValidator.duplicateServiceName(n));
      }
      names.add(n);
    });
    doc.optional("hostname").flatMap(PolicyParser::scalar).ifPresent(h -> {
      String owner = hostnames.putIfAbsent(PolicyValidator.hostnameKey(h), name.orElse("?"));
      if (owner != null) {
        c.error(doc.path("hostname"), doc.optional("hostname").orElseThrow(),
            PolicyValidator.duplicateHostname(h, owner));
      }
    });
  }

  private static Optional<Node> valueNode(MappingNode mapping, String key) {
    return mapping.getValue().stream()
        .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key))
        .map(t -> t.getValueNode())
        .findFirst();
  }

  private static Optional<String> stringValue(MappingNode mapping, String key) {
    return valueNode(mapping, key).flatMap(PolicyParser::scalar);
  }

  private static Optional<String> scalar(Node node) {
    return node instanceof ScalarNode s && !s.getTag().equals(Tag.NULL)
        ? Optional.of(s.getValue())
        : Optional.empty();
  }

  private static int line(Node node) {
    return node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
  }
}
