package club.makapix.vts.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small MaxMind DB files (format 2.0) for tests, so they need no third-party database.
 *
 * <p>The file is what the format specification describes: a binary search tree over the 128 bits
 * of an IPv6 address (24-bit records), 16 zero bytes, a data section, then the marker
 * {@code \xAB\xCD\xEFMaxMind.com} and a metadata map. IPv4 networks live at {@code ::/96}, as in
 * MaxMind's own databases, so {@code ip_version} is 6 and both families can be looked up. (MaxMind
 * also aliases {@code ::ffff:0:0/96} to them; Java needs no alias, as it reads IPv4-mapped IPv6
 * literals as IPv4 addresses.)
 *
 * <p>Record values may be {@link String} (UTF-8 string), {@link Boolean}, {@link Map} with string
 * keys, {@link List} (array) and the unsigned integers {@link Uint16}, {@link Uint32},
 * {@link Uint64}: the types a country database uses. Where networks overlap, the most specific one
 * wins, whatever the order they were added in.
 */
public final class MmdbWriter {
    /** The format keeps integer widths apart (geoip2 reads geoname_id as a uint32, for one). */
    public record Uint16(int value) {}

    public record Uint32(long value) {}

    public record Uint64(long value) {}

    private static final int RECORD_BITS = 24;
    private static final byte[] METADATA_MARKER = {
        (byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};
    private static final int DATA_SECTION_SEPARATOR = 16;

    private final String databaseType;
    private final List<Network> networks = new ArrayList<>();

    /** @param databaseType e.g. {@code GeoLite2-Country}; geoip2 picks the lookups it allows by it */
    public MmdbWriter(String databaseType) {
        this.databaseType = databaseType;
    }

    /** A network (CIDR, IPv4 or IPv6) whose country is {@code isoCode}, nothing else known. */
    public MmdbWriter add(String cidr, String isoCode) {
        return add(cidr, Map.of("country", Map.of("iso_code", isoCode)));
    }

    /** A network (CIDR, IPv4 or IPv6) and the record a lookup inside it returns. */
    public MmdbWriter add(String cidr, Map<String, ?> record) {
        networks.add(Network.parse(cidr, record));
        return this;
    }

    public Path write(Path file) throws IOException {
        Node root = buildTree();
        List<Node> nodes = numberBreadthFirst(root);

        DataSection data = new DataSection();
        Map<Map<String, ?>, Integer> recordOffsets = new HashMap<>();
        for (Network network : networks) {
            recordOffsets.computeIfAbsent(network.record(), data::append);
        }

        long nodeCount = nodes.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Node node : nodes) {
            writeRecord(out, recordValue(node.left, nodeCount, recordOffsets));
            writeRecord(out, recordValue(node.right, nodeCount, recordOffsets));
        }
        out.write(new byte[DATA_SECTION_SEPARATOR]);
        out.write(data.bytes());
        out.write(METADATA_MARKER);
        out.write(DataSection.encode(metadata(nodeCount)));
        return Files.write(file, out.toByteArray());
    }

    private Map<String, Object> metadata(long nodeCount) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("binary_format_major_version", new Uint16(2));
        metadata.put("binary_format_minor_version", new Uint16(0));
        metadata.put("build_epoch", new Uint64(Instant.now().getEpochSecond()));
        metadata.put("database_type", databaseType);
        metadata.put("description", Map.of("en", "VTS test fixture"));
        metadata.put("ip_version", new Uint16(6));
        metadata.put("languages", List.of("en"));
        metadata.put("node_count", new Uint32(nodeCount));
        metadata.put("record_size", new Uint16(RECORD_BITS));
        return metadata;
    }

    // ---- search tree ----

    /** A tree node; each side is null (no data), another Node, or the Network whose record applies. */
    private static final class Node {
        int number;
        Object left;
        Object right;

        Node(Object both) {
            left = both;
            right = both;
        }

        Object get(int bit) {
            return bit == 0 ? left : right;
        }

        void set(int bit, Object child) {
            if (bit == 0) {
                left = child;
            } else {
                right = child;
            }
        }
    }

    private Node buildTree() {
        Node root = new Node(null);
        // Wider networks first, so narrower ones carve their part out of them.
        List<Network> widestFirst = new ArrayList<>(networks);
        widestFirst.sort(Comparator.comparingInt(Network::prefixLength));
        for (Network network : widestFirst) {
            Node node = root;
            for (int depth = 0; depth < network.prefixLength() - 1; depth++) {
                int bit = network.bit(depth);
                if (!(node.get(bit) instanceof Node)) {
                    // Split a leaf: both halves keep what the whole had.
                    node.set(bit, new Node(node.get(bit)));
                }
                node = (Node) node.get(bit);
            }
            node.set(network.bit(network.prefixLength() - 1), network);
        }
        return root;
    }

    /** The root must be node 0; any numbering of the rest works, breadth-first reads naturally. */
    private static List<Node> numberBreadthFirst(Node root) {
        List<Node> ordered = new ArrayList<>();
        Deque<Node> queue = new ArrayDeque<>(List.of(root));
        while (!queue.isEmpty()) {
            Node node = queue.removeFirst();
            node.number = ordered.size();
            ordered.add(node);
            for (Object child : new Object[] {node.left, node.right}) {
                if (child instanceof Node childNode) {
                    queue.addLast(childNode);
                }
            }
        }
        return ordered;
    }

    private static long recordValue(Object child, long nodeCount, Map<Map<String, ?>, Integer> recordOffsets) {
        if (child == null) {
            return nodeCount; // "no data for this address"
        }
        if (child instanceof Node node) {
            return node.number;
        }
        // Data pointers count from the end of the tree, past the 16-byte separator.
        return nodeCount + DATA_SECTION_SEPARATOR + recordOffsets.get(((Network) child).record());
    }

    private static void writeRecord(ByteArrayOutputStream out, long value) {
        if (value >= 1L << RECORD_BITS) {
            throw new IllegalStateException("database too large for " + RECORD_BITS + "-bit records");
        }
        out.write((int) (value >>> 16));
        out.write((int) (value >>> 8));
        out.write((int) value);
    }

    // ---- networks ----

    /** A network as the first {@code prefixLength} bits of a 16-byte (IPv6) address. */
    private record Network(byte[] address, int prefixLength, Map<String, ?> record) {
        static Network parse(String cidr, Map<String, ?> record) {
            String[] parts = cidr.split("/", 2);
            byte[] bytes;
            try {
                bytes = InetAddress.getByName(parts[0]).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address: " + cidr, e);
            }
            int prefix = Integer.parseInt(parts[1]);
            if (bytes.length == 4) {
                // IPv4 a.b.c.d/n is ::a.b.c.d/(96+n) in the IPv6 tree.
                byte[] inIpv6 = new byte[16];
                System.arraycopy(bytes, 0, inIpv6, 12, 4);
                bytes = inIpv6;
                prefix += 96;
            }
            if (prefix < 1 || prefix > 128) {
                throw new IllegalArgumentException("prefix length out of range: " + cidr);
            }
            return new Network(bytes, prefix, record);
        }

        int bit(int index) {
            return (address[index / 8] >> (7 - index % 8)) & 1;
        }
    }

    // ---- data section ----

    /** Encodes values in the format's typed fields: a control byte (type, size), then the payload. */
    private static final class DataSection {
        private static final int STRING = 2;
        private static final int UINT16 = 5;
        private static final int UINT32 = 6;
        private static final int MAP = 7;
        private static final int UINT64 = 9;
        private static final int ARRAY = 11;
        private static final int BOOLEAN = 14;

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** Appends one value and returns its offset in the section. */
        int append(Object value) {
            int offset = out.size();
            out.writeBytes(encode(value));
            return offset;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        static byte[] encode(Object value) {
            ByteArrayOutputStream field = new ByteArrayOutputStream();
            if (value instanceof String text) {
                byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                writeControl(field, STRING, utf8.length);
                field.writeBytes(utf8);
            } else if (value instanceof Boolean flag) {
                writeControl(field, BOOLEAN, flag ? 1 : 0); // the size is the value; no payload
            } else if (value instanceof Uint16 number) {
                writeUnsigned(field, UINT16, number.value());
            } else if (value instanceof Uint32 number) {
                writeUnsigned(field, UINT32, number.value());
            } else if (value instanceof Uint64 number) {
                writeUnsigned(field, UINT64, number.value());
            } else if (value instanceof Map<?, ?> map) {
                writeControl(field, MAP, map.size()); // a map's size counts pairs, not bytes
                map.forEach((key, item) -> {
                    field.writeBytes(encode((String) key));
                    field.writeBytes(encode(item));
                });
            } else if (value instanceof List<?> list) {
                writeControl(field, ARRAY, list.size());
                list.forEach(item -> field.writeBytes(encode(item)));
            } else {
                throw new IllegalArgumentException("no MaxMind DB type for " + value.getClass());
            }
            return field.toByteArray();
        }

        /** Unsigned integers are big-endian with leading zero bytes left out (0 has no payload). */
        private static void writeUnsigned(ByteArrayOutputStream field, int type, long value) {
            byte[] bytes = BigInteger.valueOf(value).toByteArray();
            int skip = 0;
            while (skip < bytes.length && bytes[skip] == 0) {
                skip++;
            }
            writeControl(field, type, bytes.length - skip);
            field.write(bytes, skip, bytes.length - skip);
        }

        /**
         * Type in the top 3 bits (0 = "extended": the type minus 7 follows in the next byte), size in
         * the low 5 bits; sizes from 29 up continue in 1 to 3 bytes after the type bytes.
         */
        private static void writeControl(ByteArrayOutputStream field, int type, int size) {
            int sizeBits;
            byte[] sizeExtra;
            if (size < 29) {
                sizeBits = size;
                sizeExtra = new byte[0];
            } else if (size < 285) {
                sizeBits = 29;
                sizeExtra = new byte[] {(byte) (size - 29)};
            } else if (size < 65_821) {
                sizeBits = 30;
                int rest = size - 285;
                sizeExtra = new byte[] {(byte) (rest >>> 8), (byte) rest};
            } else {
                sizeBits = 31;
                int rest = size - 65_821;
                sizeExtra = new byte[] {(byte) (rest >>> 16), (byte) (rest >>> 8), (byte) rest};
            }
            if (type <= 7) {
                field.write((type << 5) | sizeBits);
            } else {
                field.write(sizeBits);
                field.write(type - 7);
            }
            field.writeBytes(sizeExtra);
        }
    }
}
