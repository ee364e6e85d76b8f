package dev.tern.controlplane.dns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small IPv4 country database in the MaxMind DB format (search tree with 24-bit
 * records, data section, metadata), so the GeoIP lookup is tested against the real reader
 * without any downloaded database. Networks must not overlap.
 */
final class CountryDatabase {

  private CountryDatabase() {}

  private static final class TreeNode {
    final Object[] child = new Object[2];
    int id;
  }

  private record Leaf(int dataOffset) {}

  /** Writes {@code networks} (CIDR → ISO country code) to {@code file} as a GeoLite2-Country database. */
  static void write(Path file, Map<String, String> networks) throws IOException {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    Map<String, Integer> offsets = new LinkedHashMap<>();
    TreeNode root = new TreeNode();
    for (Map.Entry<String, String> e : networks.entrySet()) {
      Integer offset = offsets.get(e.getValue());
      if (offset == null) {
        offset = data.size();
        offsets.put(e.getValue(), offset);
        map(data, 1);
        string(data, "country");
        map(data, 1);
        string(data, "iso_code");
        string(data, e.getValue());
      }
      String[] parts = e.getKey().split("/");
      byte[] address = InetAddress.getByName(parts[0]).getAddress();
      int prefix = Integer.parseInt(parts[1]);
      TreeNode node = root;
      for (int bit = 0; bit < prefix; bit++) {
        int b = (address[bit / 8] >> (7 - bit % 8)) & 1;
        if (bit == prefix - 1) {
          node.child[b] = new Leaf(offset);
        } else {
          if (!(node.child[b] instanceof TreeNode)) {
            node.child[b] = new TreeNode();
          }
          node = (TreeNode) node.child[b];
        }
      }
    }
    List<TreeNode> nodes = new ArrayList<>();
    Deque<TreeNode> queue = new ArrayDeque<>(List.of(root));
    while (!queue.isEmpty()) {
      TreeNode n = queue.removeFirst();
      n.id = nodes.size();
      nodes.add(n);
      for (Object c : n.child) {
        if (c instanceof TreeNode t) {
          queue.addLast(t);
        }
      }
    }
    int nodeCount = nodes.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (TreeNode n : nodes) {
      for (Object c : n.child) {
        int value = c instanceof TreeNode t ? t.id : c instanceof Leaf l ? nodeCount + 16 + l.dataOffset() : nodeCount;
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
      }
    }
    out.write(new byte[16]);
    out.writeBytes(data.toByteArray());
    out.write(new byte[] {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF});
    out.writeBytes("MaxMind.com".getBytes(StandardCharsets.US_ASCII));
    map(out, 9);
    string(out, "binary_format_major_version");
    unsigned(out, 5, 2);
    string(out, "binary_format_minor_version");
    unsigned(out, 5, 0);
    string(out, "build_epoch");
    unsigned(out, 9, 1);
    string(out, "database_type");
    string(out, "GeoLite2-Country");
    string(out, "description");
    map(out, 1);
    string(out, "en");
    string(out, "Tern test countries");
    string(out, "ip_version");
    unsigned(out, 5, 4);
    string(out, "languages");
    control(out, 11, 1);
    string(out, "en");
    string(out, "node_count");
    unsigned(out, 6, nodeCount);
    string(out, "record_size");
    unsigned(out, 5, 24);
    Files.write(file, out.toByteArray());
  }

  private static void control(ByteArrayOutputStream out, int type, int size) {
    if (type <= 7) {
      out.write((type << 5) | size);
    } else {
      out.write(size);
      out.write(type - 7);
    }
  }

  private static void map(ByteArrayOutputStream out, int pairs) {
    control(out, 7, pairs);
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    control(out, 2, bytes.length);
    out.writeBytes(bytes);
  }

  private static void unsigned(ByteArrayOutputStream out, int type, long value) {
    int n = 0;
    for (long v = value; v != 0; v >>>= 8) {
      n++;
    }
    control(out, type, n);
    for (int i = n - 1; i >= 0; i--) {
      out.write((int) (value >>> (8 * i)));
    }
  }
}
