package org.sparsity4j.core.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparsity4j.core.tensor.ElementType;

/**
 * Compares the compressor byte for byte with cuSPARSELt's own output (golden vectors recorded on an
 * H100 with cuSPARSELt 0.8.0 by {@code src/test/gpu/gen_golden.sh}).
 */
class GoldenVectorTest {

    static Stream<Arguments> files() {
        List<Arguments> out = new ArrayList<>();
        for (String file : new String[] {"golden-fp32.bin.gz", "golden-fp16.bin.gz", "golden-bf16.bin.gz",
            "golden-int8.bin.gz", "golden-e4m3.bin.gz", "golden-e5m2.bin.gz"}) {
            out.add(Arguments.of(file, false));
            out.add(Arguments.of(file, true));
        }
        return out.stream();
    }

    /** Every record, with the scalar kernels and with the Vector API kernels. */
    @ParameterizedTest(name = "{0} simd={1}")
    @MethodSource("files")
    void matchesCuSparseLtByteForByte(String file, boolean simd) {
        boolean previous = SimdSwitch.set(simd);
        try {
            matchesCuSparseLt(file);
        } finally {
            SimdSwitch.set(previous);
        }
    }

    private static void matchesCuSparseLt(String file) {
        List<GoldenRecords.Record> records = GoldenRecords.read(file);
        List<String> failures = new ArrayList<>();
        Set<String> shapes = new HashSet<>();
        int compared = 0;
        int refused = 0;
        for (GoldenRecords.Record r : records) {
            try {
                if (r.stage == 0) {
                    check(r);
                    compared++;
                    if (r.operand == Operand.A && r.name.startsWith("rand")) {
                        shapes.add(r.rows + "x" + r.cols);
                    }
                } else if (r.stage == 1 || r.stage == 9) {
                    // refused by the descriptor, or cuSPARSELt crashed: the format must refuse too
                    assertThrows(IllegalArgumentException.class,
                            () -> CompressedFormat.forSm90(r.type, r.rows, r.cols, r.order, r.op, r.operand), r.toString());
                    refused++;
                } else {
                    fail("unexpected stage " + r.stage + " status " + r.status + " in " + r);
                }
            } catch (AssertionError | RuntimeException e) {
                failures.add(r + ": " + e.getMessage());
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + records.size() + " records fail, first: "
                + failures.subList(0, Math.min(5, failures.size())));
        assertTrue(compared >= 50, file + ": only " + compared + " records compared");
        assertTrue(shapes.size() >= 20, file + ": only " + shapes.size() + " distinct random shapes");
        assertTrue(refused > 0, file + ": no refused configuration recorded");
    }

    private static void check(GoldenRecords.Record r) {
        assertEquals(0, r.checkValid, "cusparseLtSpMMAPruneCheck2 found the recorded input invalid");
        CompressedFormat f = CompressedFormat.forSm90(r.type, r.rows, r.cols, r.order, r.op, r.operand);
        assertEquals(r.compressedSize, f.compressedSize(), "compressed size");
        byte[] out = SparseCompressor.compress(f, r.input);
        int diff = firstDifference(r.output, out);
        if (diff >= 0) {
            fail("first differing byte " + diff + " (" + (diff < f.valuesBytes() ? "values" : "metadata + "
                    + (diff - f.valuesBytes())) + "): cuSPARSELt 0x" + Integer.toHexString(r.output[diff] & 0xFF)
                    + ", ours 0x" + Integer.toHexString(out[diff] & 0xFF));
        }
        // the bytes cuSPARSELt leaves untouched are exactly [writtenBytes, compressedSize)
        for (int i = 0; i < out.length; i++) {
            boolean untouched = r.outputOnOnes != null && r.outputOnOnes[i] != r.output[i];
            assertEquals(i >= f.writtenBytes(), untouched, "byte " + i + " written by cuSPARSELt?");
        }
        // decompression inverts cuSPARSELt's own buffer
        byte[] dense = new byte[r.input.length];
        SparseCompressor.decompress(f, r.output, dense);
        assertArrayEquals(r.output, SparseCompressor.compress(f, dense), "compress(decompress(cuSPARSELt output))");
        int es = r.type.byteSize();
        for (int i = 0; i < r.input.length / es; i++) {
            int want = bits(r.input, i, es);
            int got = bits(dense, i, es);
            if (want != got && !(got == 0 && countsAsZero(r.type, want)) && !fp32Saturated(r.type, want, got)) {
                fail("decompressed element " + i + " is 0x" + Integer.toHexString(got) + ", input 0x"
                        + Integer.toHexString(want));
            }
        }
    }

    /** Values cuSPARSELt treats as zero when it chooses kept positions (not encoded unless chosen). */
    static boolean countsAsZero(ElementType t, int bits) {
        switch (t) {
            case FP32:
                return (bits & 0x7F80_0000) == 0;
            case FP16:
            case BF16:
                return (bits & 0x7FFF) == 0;
            case INT8:
                return bits == 0;
            default:
                return (bits & 0x7F) == 0;
        }
    }

    /** The documented FP32 exception: 0x7F7FF000 (either sign) comes back as infinity. */
    private static boolean fp32Saturated(ElementType t, int want, int got) {
        return t == ElementType.FP32 && (want & 0x7FFF_FFFF) == 0x7F7F_F000 && (got & 0x7FFF_FFFF) == 0x7F80_0000;
    }

    static int bits(byte[] a, int i, int es) {
        int v = 0;
        for (int b = es - 1; b >= 0; b--) {
            v = v << 8 | (a[i * es + b] & 0xFF);
        }
        return v;
    }

    private static int firstDifference(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return Math.min(a.length, b.length);
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return -1;
    }
}
