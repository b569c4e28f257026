package org.sparsity4j.core.compress;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.sparsity4j.core.tensor.ElementType;

/**
 * Reads the golden vectors recorded from cuSPARSELt (test resources {@code cusparselt-golden/}); the
 * record format is described in {@code docs/compressed-format.md}.
 */
final class GoldenRecords {
    /** Every golden file, one per element type. */
    static final String[] FILES = {"golden-fp32.bin.gz", "golden-fp16.bin.gz", "golden-bf16.bin.gz",
        "golden-int8.bin.gz", "golden-e4m3.bin.gz", "golden-e5m2.bin.gz"};

    /** One cuSPARSELt run. */
    static final class Record {
        String file;
        int index;
        ElementType type;
        Order order;
        Op op;
        Operand operand;
        int rows;
        int cols;
        long ld;
        /** 0: success; 1: descriptor refused; 2: size query failed; 3: prune failed; 4: compress failed;
         *  5: prune check failed; 9: the process crashed (status = stage it crashed in, +100: skipped). */
        int stage;
        int status;
        int checkValid;
        String name;
        long compressedSize;
        long compressedBufferSize;
        byte[] input;
        /** Output on a buffer filled with 0x00 before the call. */
        byte[] output;
        /** Output on a buffer filled with 0xFF, where it differs from {@link #output}; else null. */
        byte[] outputOnOnes;

        @Override
        public String toString() {
            return file + "#" + index + " " + name + " " + type + " " + rows + "x" + cols + " " + order + " " + op
                    + " operand " + operand + " stage " + stage;
        }
    }

    private GoldenRecords() {
    }

    static ElementType typeOf(int cudaDataType) {
        switch (cudaDataType) {
            case 0:
                return ElementType.FP32;
            case 2:
                return ElementType.FP16;
            case 14:
                return ElementType.BF16;
            case 3:
                return ElementType.INT8;
            case 28:
                return ElementType.FP8_E4M3;
            case 29:
                return ElementType.FP8_E5M2;
            default:
                throw new IllegalArgumentException("unknown cudaDataType " + cudaDataType);
        }
    }

    static int cudaDataType(ElementType t) {
        switch (t) {
            case FP32:
                return 0;
            case FP16:
                return 2;
            case BF16:
                return 14;
            case INT8:
                return 3;
            case FP8_E4M3:
                return 28;
            default:
                return 29;
        }
    }

    static List<Record> read(String file) {
        try (InputStream raw = GoldenRecords.class.getResourceAsStream("/cusparselt-golden/" + file)) {
            if (raw == null) {
                throw new IllegalStateException("missing test resource cusparselt-golden/" + file);
            }
            DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16));
            byte[] magic = new byte[8];
            in.readFully(magic);
            if (!"S4JGOLD1".equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new IllegalStateException(file + ": bad magic");
            }
            List<Record> out = new ArrayList<>();
            while (true) {
                int recordMagic;
                try {
                    recordMagic = le32(in);
                } catch (EOFException end) {
                    return out;
                }
                if (recordMagic != 0x31434552) {
                    throw new IllegalStateException(file + " record " + out.size() + ": bad record magic");
                }
                Record r = new Record();
                r.file = file;
                r.index = out.size();
                r.type = typeOf(in.readUnsignedByte());
                r.order = in.readUnsignedByte() == 0 ? Order.ROW_MAJOR : Order.COLUMN_MAJOR;
                r.op = in.readUnsignedByte() == 0 ? Op.NON_TRANSPOSE : Op.TRANSPOSE;
                r.operand = in.readUnsignedByte() == 1 ? Operand.A : Operand.B;
                r.rows = le32(in);
                r.cols = le32(in);
                r.ld = le64(in);
                r.stage = le32(in);
                r.status = le32(in);
                r.checkValid = le32(in);
                byte[] name = new byte[Short.toUnsignedInt(Short.reverseBytes(in.readShort()))];
                in.readFully(name);
                r.name = new String(name, StandardCharsets.US_ASCII);
                r.compressedSize = le64(in);
                r.compressedBufferSize = le64(in);
                r.input = bytes(in);
                r.output = bytes(in);
                if (in.readUnsignedByte() != 0) {
                    r.outputOnOnes = bytes(in);
                }
                out.add(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int le32(DataInputStream in) throws IOException {
        return Integer.reverseBytes(in.readInt());
    }

    private static long le64(DataInputStream in) throws IOException {
        return Long.reverseBytes(in.readLong());
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        long n = le64(in);
        byte[] b = new byte[Math.toIntExact(n)];
        in.readFully(b);
        return b;
    }

    /** Little-endian view helper for tests. */
    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
