package org.sparsity4j.core.compress;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.testutil.Gen;

/**
 * {@link SparseCompressor#checkMetadata}: compressor output passes in every proven orientation of every
 * type; each of the 16 codes of a group's nibble is accepted exactly when it is a code of the pattern,
 * and refused with the message decompression gives; FP32's second copy must agree; the untouched tail
 * and the values are not judged; parallel checks name the same group as a sequential one would.
 */
class MetadataCheckTest {

    /** Every proven orientation of every type (the round-trip test's list). */
    @ParameterizedTest
    @MethodSource("org.sparsity4j.core.compress.RoundTripPropertyTest#orientations")
    void everyCodeOfAGroupIsJudgedAsDecompressionJudgesIt(ElementType type, Order order, Op op, Operand operand) {
        String name = "metacheck-" + type + "-" + order + "-" + op + "-" + operand;
        int unit = CompressedFormat.dimensionUnit(type);
        boolean fp32 = type == ElementType.FP32;
        int groupSize = fp32 ? 2 : 4;
        for (int k = 0; k < 6; k++) {
            SplittableRandom rnd = Gen.random(name, k);
            // the first two: whole metadata tiles in every orientation (the word-at-a-time path), then any
            int rows = k < 2 ? 128 * (1 + k) : unit * (1 + rnd.nextInt(160 / unit));
            int cols = k < 2 ? 256 : unit * (1 + rnd.nextInt(160 / unit));
            CompressedFormat f = CompressedFormat.forSm90(type, rows, cols, order, op, operand);
            String where = Gen.seedOf(name, k) + " " + f;
            byte[] good = SparseCompressor.compress(f, randomValid(f, rnd));
            assertDoesNotThrow(() -> SparseCompressor.checkMetadata(f, good), where + ": compressor output refused");

            int[] outerPart = SparseCompressor.outerPart(f);
            int[] groupPart = SparseCompressor.groupPart(f);
            int groups = f.reductionExtent() / groupSize;
            if (k < 2 && !fp32) {
                // whole tiles: the codes fill the first outer * groups / 2 metadata bytes (the fast path)
                assertTrue(SparseCompressor.allCodesValid(good, f.metadataOffset(), (long) f.outerExtent() * groups / 2),
                        where);
            }
            int firstCopy = 512 * ((f.outerExtent() + 63) / 64) * ((groups + 7) / 8);
            for (int trial = 0; trial < 4; trial++) {
                int p = rnd.nextInt(f.outerExtent());
                int g = rnd.nextInt(groups);
                int nibble = outerPart[p] + groupPart[g];
                int second = firstCopy + SparseCompressor.fp32SecondCopyIndex(p, g, f.outerExtent());
                boolean hasSecond = fp32 && f.metadataOffset() + (second >> 1) < f.metadataOffset() + f.metadataBytes();
                for (int code = 0; code < 16; code++) {
                    byte[] c = good.clone();
                    putNibble(c, f.metadataOffset(), nibble, code);
                    if (hasSecond) {
                        putNibble(c, f.metadataOffset(), second, code);
                    }
                    String what = where + ", group (" + p + ", " + g + ") code 0x" + Integer.toHexString(code);
                    boolean valid = fp32 ? code == 0x4 || code == 0xE : (code & 3) < (code >> 2);
                    String checkError = checkError(f, c);
                    String decompressError = decompressError(f, c);
                    if (valid) {
                        assertEquals(null, checkError, what + ": a valid code refused");
                        assertEquals(null, decompressError, what + ": decompression refused a valid code");
                    } else {
                        assertEquals(decompressError, checkError, what + ": not the message decompression gives");
                        int[] rc = f.groupsAlongColumns() ? new int[] {p, groupSize * g} : new int[] {groupSize * g, p};
                        assertTrue(checkError.contains("invalid metadata code 0x" + Integer.toHexString(code)
                                + " at byte offset " + (f.metadataOffset() + (nibble >> 1)) + " (group at row " + rc[0]
                                + ", column " + rc[1] + ")"), what + ": " + checkError);
                    }
                }
            }
            // several invalid codes: decompression names the one checkMetadata names (the first in its
            // order), whatever order its kernel meets them in
            for (int trial = 0; trial < 6; trial++) {
                byte[] c = good.clone();
                StringBuilder groupsHit = new StringBuilder();
                for (int bad = 0; bad < 2 + trial % 3; bad++) {
                    int p = rnd.nextInt(f.outerExtent());
                    int g = rnd.nextInt(groups);
                    int code = fp32 ? 0x0 : new int[] {0x0, 0x5, 0xA, 0xF, 0x1, 0x6}[rnd.nextInt(6)];
                    putNibble(c, f.metadataOffset(), outerPart[p] + groupPart[g], code);
                    int second = firstCopy + SparseCompressor.fp32SecondCopyIndex(p, g, f.outerExtent());
                    if (fp32 && (second >> 1) < f.metadataBytes()) {
                        putNibble(c, f.metadataOffset(), second, code);
                    }
                    groupsHit.append(" (").append(p).append(", ").append(g).append(')');
                }
                String checkError = checkError(f, c);
                assertTrue(checkError != null, where + groupsHit);
                assertEquals(checkError, decompressError(f, c), where + ", invalid codes at" + groupsHit);
            }
        }
    }

    /** The word-at-a-time scan: every code in every nibble of a word and of the byte tail, exhaustively. */
    @Test
    void theWordScanJudgesEveryCodeInEveryNibblePosition() {
        for (int length = 1; length <= 19; length++) {
            for (int nibble = 0; nibble < 2 * length; nibble++) {
                for (int code = 0; code < 16; code++) {
                    byte[] b = new byte[3 + length + 5];
                    java.util.Arrays.fill(b, (byte) 0x00); // code 0 outside the scanned range: invalid
                    for (int i = 3; i < 3 + length; i++) {
                        b[i] = (byte) 0xE4; // (0, 1) and (2, 3)
                    }
                    putNibble(b, 3, nibble, code);
                    boolean valid = (code & 3) < (code >> 2);
                    assertEquals(valid, SparseCompressor.allCodesValid(b, 3, length),
                            length + " bytes, nibble " + nibble + ", code 0x" + Integer.toHexString(code));
                }
            }
        }
    }

    @Test
    void fp32SecondCopyMustAgreeWithTheFirst() {
        int found = 0;
        for (Order order : Order.values()) {
            for (Op op : Op.values()) {
                String name = "metacheck-fp32-second-" + order + "-" + op;
                SplittableRandom rnd = Gen.random(name, 0);
                CompressedFormat f = CompressedFormat.forSm90(ElementType.FP32, 96, 128, order, op);
                byte[] good = SparseCompressor.compress(f, randomValid(f, rnd));
                int[] outerPart = SparseCompressor.outerPart(f);
                int[] groupPart = SparseCompressor.groupPart(f);
                int pairs = f.reductionExtent() / 2;
                int firstCopy = 512 * ((f.outerExtent() + 63) / 64) * ((pairs + 7) / 8);
                int here = 0;
                for (int trial = 0; trial < 200 && here < 4; trial++) {
                    int p = rnd.nextInt(f.outerExtent());
                    int g = rnd.nextInt(pairs);
                    int second = firstCopy + SparseCompressor.fp32SecondCopyIndex(p, g, f.outerExtent());
                    if ((second >> 1) >= f.metadataBytes()) {
                        continue;
                    }
                    byte[] c = good.clone();
                    int code = getNibble(c, f.metadataOffset(), outerPart[p] + groupPart[g]);
                    putNibble(c, f.metadataOffset(), second, code ^ 0x4 ^ 0xE);
                    String error = checkError(f, c);
                    String where = Gen.seedOf(name, 0) + " " + f + " pair (" + p + ", " + g + ")";
                    assertTrue(error != null && error.contains("second copy at byte offset "
                            + (f.metadataOffset() + (second >> 1))), where + ": " + error);
                    // decompression reads the first copy only
                    assertEquals(null, decompressError(f, c), where);
                    here++;
                }
                found += here;
            }
        }
        assertEquals(16, found, "second copies inside the metadata region exercised");
    }

    @Test
    void valuesAndTheUntouchedTailAreNotJudged() {
        for (ElementType type : new ElementType[] {ElementType.FP16, ElementType.INT8, ElementType.FP32}) {
            String name = "metacheck-tail-" + type;
            SplittableRandom rnd = Gen.random(name, 0);
            // 48 x 80 (16-bit) leaves a quarter of the metadata region unwritten
            CompressedFormat f = type == ElementType.INT8
                    ? CompressedFormat.forSm90(type, 64, 96, Order.ROW_MAJOR, Op.NON_TRANSPOSE)
                    : CompressedFormat.forSm90(type, 48, 80, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
            assertTrue(f.writtenBytes() < f.compressedSize() || type == ElementType.INT8, f + " leaves a tail");
            byte[] c = SparseCompressor.compress(f, randomValid(f, rnd));
            for (int i = 0; i < f.valuesBytes(); i++) {
                c[i] = (byte) rnd.nextInt(256);
            }
            for (int i = f.writtenBytes(); i < c.length; i++) {
                c[i] = (byte) 0xFF;
            }
            byte[] longer = java.util.Arrays.copyOf(c, c.length + 17);
            assertDoesNotThrow(() -> SparseCompressor.checkMetadata(f, c), Gen.seedOf(name, 0) + " " + f);
            assertDoesNotThrow(() -> SparseCompressor.checkMetadata(f, longer), "bytes after the buffer are not read");
        }
    }

    @Test
    void aShortBufferIsRefusedWithBothLengths() {
        CompressedFormat f = CompressedFormat.forSm90(ElementType.BF16, 64, 64, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparseCompressor.checkMetadata(f, new byte[f.compressedSize() - 1]));
        assertTrue(e.getMessage().contains((f.compressedSize() - 1) + " bytes")
                && e.getMessage().contains("needs " + f.compressedSize()), e.getMessage());
    }

    /** Above 1 MiB the check runs band-parallel: of two bad groups the one of the lower band is named. */
    @Test
    void aParallelCheckNamesTheFirstBadGroup() {
        CompressedFormat f = CompressedFormat.forSm90(ElementType.FP16, 1024, 1024, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
        String name = "metacheck-parallel";
        SplittableRandom rnd = Gen.random(name, 0);
        byte[] good = SparseCompressor.compress(f, randomValid(f, rnd));
        int[] outerPart = SparseCompressor.outerPart(f);
        int[] groupPart = SparseCompressor.groupPart(f);
        for (int round = 0; round < 8; round++) {
            int p1 = 64 * (1 + rnd.nextInt(6)) + rnd.nextInt(64);
            int p2 = 64 * (8 + rnd.nextInt(8)) + rnd.nextInt(64);
            byte[] c = good.clone();
            putNibble(c, f.metadataOffset(), outerPart[p2] + groupPart[rnd.nextInt(256)], 0x0);
            int n1 = outerPart[p1] + groupPart[rnd.nextInt(256)];
            putNibble(c, f.metadataOffset(), n1, 0x5);
            String error = checkError(f, c);
            assertTrue(error != null && error.contains("code 0x5 at byte offset " + (f.metadataOffset() + (n1 >> 1))),
                    Gen.seedOf(name, 0) + " round " + round + ": " + error);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Random dense bytes with at most N of every M non-zero along k (2:4; FP32 1:2). */
    private static byte[] randomValid(CompressedFormat f, SplittableRandom rnd) {
        ElementType type = f.type();
        int size = type == ElementType.FP32 ? 2 : 4;
        byte[] dense = new byte[Math.toIntExact(f.denseBytes())];
        for (int p = 0; p < f.outerExtent(); p++) {
            for (int g = 0; g < f.reductionExtent() / size; g++) {
                int nonZeros = 0;
                for (int j = 0; j < size; j++) {
                    int bits = Gen.elementBits(type, rnd, false);
                    if (type.isNonZero(bits)) {
                        if (nonZeros == size / 2) {
                            bits = 0;
                        } else {
                            nonZeros++;
                        }
                    }
                    int es = type.byteSize();
                    int index = (p * f.outerStride() + (size * g + j) * f.reductionStride()) * es;
                    for (int b = 0; b < es; b++) {
                        dense[index + b] = (byte) (bits >>> (8 * b));
                    }
                }
            }
        }
        return dense;
    }

    private static void putNibble(byte[] c, int offset, int nibble, int code) {
        int i = offset + (nibble >> 1);
        int shift = (nibble & 1) << 2;
        c[i] = (byte) ((c[i] & ~(0xF << shift)) | code << shift);
    }

    private static int getNibble(byte[] c, int offset, int nibble) {
        return (c[offset + (nibble >> 1)] >> ((nibble & 1) << 2)) & 0xF;
    }

    private static String checkError(CompressedFormat f, byte[] c) {
        try {
            SparseCompressor.checkMetadata(f, c);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String decompressError(CompressedFormat f, byte[] c) {
        try {
            SparseCompressor.decompress(f, c, new byte[Math.toIntExact(f.denseBytes())]);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
