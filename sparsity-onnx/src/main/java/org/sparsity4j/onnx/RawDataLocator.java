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
 */
final class RawDataLocator {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LEN = 2;
    private static final int WIRE_FIXED32 = 5;

    private final ByteBuffer buf;
    private final Set<String> wanted;
    private final Map<String, long[]> found = new HashMap<>();

    private RawDataLocator(ByteBuffer buf, Set<String> wanted) {
        this.buf = buf;
        this.wanted = wanted;
    }

    /**
     * Locates the raw_data of the wanted tensors in a model file.
     *
     * @param file the model file
     * @param wanted tensor paths
     * @return path to {offset, length} of the raw_data bytes, for each wanted path found
     * @throws IOException on I/O errors or a malformed file
     */
    public static Map<String, long[]> locate(Path file, Set<String> wanted) throws IOException {
        if (wanted.isEmpty()) {
            return Map.of();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            RawDataLocator l = new RawDataLocator(map, wanted);
            l.model(0, map.limit());
            return l.found;
        }
    }

    private void model(int start, int end) throws IOException {
        int p = start;
        while (p < end) {
            long tag = varint(p);
            p = pos;
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 7 && wire == WIRE_LEN) {
                int len = (int) varint(p);
                p = pos;
                graph(TensorPaths.GRAPH, p, p + len);
                p += len;
            } else {
                p = skip(p, wire);
            }
        }
    }

    private void graph(String path, int start, int end) throws IOException {
        int p = start;
        int init = 0;
        int node = 0;
        while (p < end) {
            long tag = varint(p);
            p = pos;
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if ((field == 5 || field == 1) && wire == WIRE_LEN) {
                int len = (int) varint(p);
                p = pos;
                if (field == 5) {
                    tensor(TensorPaths.initializer(path, init++), p, p + len);
                } else {
                    node(TensorPaths.node(path, node++), p, p + len);
                }
                p += len;
            } else {
                p = skip(p, wire);
            }
        }
    }

    private void node(String path, int start, int end) throws IOException {
        int p = start;
        int attr = 0;
        while (p < end) {
            long tag = varint(p);
            p = pos;
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 5 && wire == WIRE_LEN) {
                int len = (int) varint(p);
                p = pos;
                attribute(TensorPaths.attribute(path, attr++), p, p + len);
                p += len;
            } else {
                p = skip(p, wire);
            }
        }
    }

    private void attribute(String path, int start, int end) throws IOException {
        int p = start;
        int tensors = 0;
        int graphs = 0;
        while (p < end) {
            long tag = varint(p);
            p = pos;
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if ((field == 5 || field == 6 || field == 10 || field == 11) && wire == WIRE_LEN) {
                int len = (int) varint(p);
                p = pos;
                switch (field) {
                    case 5:
                        tensor(TensorPaths.attrTensor(path), p, p + len);
                        break;
                    case 6:
                        graph(TensorPaths.attrGraph(path), p, p + len);
                        break;
                    case 10:
                        tensor(TensorPaths.attrTensors(path, tensors++), p, p + len);
                        break;
                    default:
                        graph(TensorPaths.attrGraphs(path, graphs++), p, p + len);
                }
                p += len;
            } else {
                p = skip(p, wire);
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
                int len = (int) varint(p);
                p = pos;
                found.put(path, new long[] {p, len});
                p += len;
            } else {
                p = skip(p, wire);
            }
        }
    }

    private int pos;

    private long varint(int p) throws IOException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= buf.limit()) {
                throw new IOException("truncated varint at byte offset " + p);
            }
            byte b = buf.get(p++);
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                pos = p;
                return result;
            }
        }
        throw new IOException("malformed varint at byte offset " + p);
    }

    private int skip(int p, int wire) throws IOException {
        switch (wire) {
            case WIRE_VARINT:
                varint(p);
                return pos;
            case WIRE_FIXED64:
                return p + 8;
            case WIRE_LEN: {
                long len = varint(p);
                return (int) (pos + len);
            }
            case WIRE_FIXED32:
                return p + 4;
            default:
                throw new IOException("unsupported wire type " + wire + " at byte offset " + p);
        }
    }
}
