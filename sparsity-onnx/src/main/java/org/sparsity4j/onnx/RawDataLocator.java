package org.sparsity4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Finds where the {@code raw_data} bytes of given tensors lie in a serialized model file, by
 * walking the protobuf wire format without decoding tensor contents. Tensors are named by their
 * structural path (see {@link TensorPaths}), the same path the model traversal uses.
 *
 * <p>It follows protobuf's parsing rules where they decide a path: a singular message field that
 * occurs more than once (the model's {@code graph}, an attribute's {@code g}) is one message merged
 * from all occurrences, so the indices of its repeated fields (initializers, nodes, attributes...)
 * continue across occurrences; of a repeated {@code raw_data} the last occurrence counts. Unknown
 * fields of every wire type, groups included, are skipped.
 */
final class RawDataLocator {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LEN = 2;
    private static final int WIRE_START_GROUP = 3;
    private static final int WIRE_END_GROUP = 4;
    private static final int WIRE_FIXED32 = 5;

    private final ByteBuffer buf;
    private final Set<String> wanted;
    private final Map<String, long[]> found = new HashMap<>();
    /** Per message path: counts of its repeated fields so far, continued when the message occurs again. */
    private final Map<String, int[]> counters = new HashMap<>();
    private final String name;

    private RawDataLocator(ByteBuffer buf, Set<String> wanted, String name) {
        this.buf = buf;
        this.wanted = wanted;
        this.name = name;
    }

    private int[] counters(String path) {
        return counters.computeIfAbsent(path, k -> new int[2]);
    }

    /**
     * Locates the raw_data of the wanted tensors in a model file.
     *
     * @param file the model file
     * @param wanted tensor paths
     * @param name what the file is, for messages (e.g. "model file m.onnx")
     * @return path to {offset, length} of the raw_data bytes, for each wanted path found
     * @throws OnnxInputException if the file is not well-formed protobuf (the message names the byte offset)
     * @throws IOException on I/O errors
     */
    public static Map<String, long[]> locate(Path file, Set<String> wanted, String name) throws IOException {
        if (wanted.isEmpty()) {
            return Map.of();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            RawDataLocator l = new RawDataLocator(map, wanted, name);
            l.model(0, map.limit());
            return l.found;
        }
    }

    private OnnxInputException malformed(String what, long offset) {
        return new OnnxInputException(name + ": " + what + " at byte offset " + offset);
    }

    private void model(int start, int end) throws IOException {
        int p = start;
        while (p < end) {
            long tag = varint(p);
            p = pos;
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 7 && wire == WIRE_LEN) {
                int len = length(p);
                p = pos;
                graph(TensorPaths.GRAPH, p, p + len);
                p += len;
            } else {
                p = skip(p, tag);
            }
        }
    }

    private void graph(String path, int start, int end) throws IOException {
        int p = start;
        int[] count = counters(path); // initializers, nodes
        while (p < end) {
            long tag = varint(p);
            p = pos;
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if ((field == 5 || field == 1) && wire == WIRE_LEN) {
                int len = length(p);
                p = pos;
                if (field == 5) {
                    tensor(TensorPaths.initializer(path, count[0]++), p, p + len);
                } else {
                    node(TensorPaths.node(path, count[1]++), p, p + len);
                }
                p += len;
            } else {
                p = skip(p, tag);
            }
        }
    }

    private void node(String path, int start, int end) throws IOException {
        int p = start;
        int[] count = counters(path); // attributes
        while (p < end) {
            long tag = varint(p);
            p = pos;
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 5 && wire == WIRE_LEN) {
                int len = length(p);
                p = pos;
                attribute(TensorPaths.attribute(path, count[0]++), p, p + len);
                p += len;
            } else {
                p = skip(p, tag);
            }
        }
    }

    private void attribute(String path, int start, int end) throws IOException {
        int p = start;
        int[] count = counters(path); // tensors, graphs
        while (p < end) {
            long tag = varint(p);
            p = pos;
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if ((field == 5 || field == 6 || field == 10 || field == 11) && wire == WIRE_LEN) {
                int len = length(p);
                p = pos;
                switch (field) {
                    case 5:
                        tensor(TensorPaths.attrTensor(path), p, p + len);
                        break;
                    case 6:
                        graph(TensorPaths.attrGraph(path), p, p + len);
                        break;
                    case 10:
                        tensor(TensorPaths.attrTensors(path, count[0]++), p, p + len);
                        break;
                    default:
                        graph(TensorPaths.attrGraphs(path, count[1]++), p, p + len);
                }
                p += len;
            } else {
                p = skip(p, tag);
            }
        }
    }

    private void tensor(String path, int start, int end) throws IOException {
        if (!wanted.contains(path)) {
            return;
        }
        int p = start;
        while (p < end) {
            long tag = varint(p);
            p = pos;
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 9 && wire == WIRE_LEN) {
                int len = length(p);
                p = pos;
                found.put(path, new long[] {p, len});
                p += len;
            } else {
                p = skip(p, tag);
            }
        }
    }

    private int pos;

    private long varint(int p) {
        long result = 0;
        int at = p;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= buf.limit()) {
                throw malformed("truncated varint", at);
            }
            byte b = buf.get(p++);
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                pos = p;
                return result;
            }
        }
        throw malformed("malformed varint", at);
    }

    /** Reads a length prefix at p and checks that the bytes it announces lie inside the file. */
    private int length(int p) {
        long len = varint(p);
        if (len < 0 || len > buf.limit() - pos) {
            throw malformed("length " + len + " runs past the end of the file", p);
        }
        return (int) len;
    }

    /** Skips the value of a field whose tag was read before p; returns the offset after it. */
    private int skip(int p, long tag) {
        int wire = (int) (tag & 7);
        int end;
        switch (wire) {
            case WIRE_VARINT:
                varint(p);
                return pos;
            case WIRE_FIXED64:
                end = p + 8;
                break;
            case WIRE_LEN: {
                int len = length(p);
                return pos + len;
            }
            case WIRE_START_GROUP:
                return skipGroup(p, tag >>> 3);
            case WIRE_FIXED32:
                end = p + 4;
                break;
            default:
                throw malformed(wire == WIRE_END_GROUP ? "end-group tag without a start-group tag"
                        : "invalid wire type " + wire, p);
        }
        if (end > buf.limit()) {
            throw malformed("truncated fixed-width field", p);
        }
        return end;
    }

    /** Skips a group's fields up to its end-group tag (nested groups included); returns the offset after it. */
    private int skipGroup(int start, long field) {
        int p = start;
        while (true) {
            if (p >= buf.limit()) {
                throw malformed("group of field " + field + " without an end-group tag", start);
            }
            long tag = varint(p);
            p = pos;
            if ((tag & 7) == WIRE_END_GROUP) {
                if (tag >>> 3 != field) {
                    throw malformed("end-group tag of field " + (tag >>> 3) + " inside a group of field " + field, p);
                }
                return p;
            }
            p = skip(p, tag);
        }
    }
}
