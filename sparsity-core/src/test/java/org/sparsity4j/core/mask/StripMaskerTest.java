package org.sparsity4j.core.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.HalfFloats;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.testutil.Gen;
import org.sparsity4j.core.testutil.Reference;
import org.sparsity4j.core.validate.Validator;

class StripMaskerTest {
    private static final SparsityPattern P24 = SparsityPattern.TWO_OF_FOUR;

    private static boolean[] kept(Mask m) {
        boolean[] k = new boolean[m.shape().size()];
        for (int i = 0; i < k.length; i++) {
            k[i] = m.isKept(i);
        }
        return k;
    }

    /**
     * All 16 non-zero patterns of a group of 4, for every type: a group with at most 2 non-zeros
     * is left unchanged by pruning; with more, exactly the 2 largest survive; the result is valid.
     */
    @ParameterizedTest
    @EnumSource(ElementType.class)
    void all16NonZeroPatternsOfAGroup(ElementType type) {
        for (int nz = 0; nz < 16; nz++) {
            Tensor t = Tensor.zeros(type, Shape.of(1, 4));
            for (int j = 0; j < 4; j++) {
                if ((nz >> j & 1) != 0) {
                    t.setBits(j, Gen.encodeSmall(type, 1 + (j % 3))); // magnitudes 1,2,3,1
                }
            }
            Tensor before = t.copy();
            Mask m = StripMasker.of(P24).prune(t, 1);
            assertEquals(2, m.keptCount());
            assertEquals(Integer.bitCount(nz) > 2 ? 1 : 0, m.stats().overfilledGroups(), type + " pattern " + nz);
            assertTrue(Validator.checkStrip(t, P24, 1).isValid());
            if (Integer.bitCount(nz) <= 2) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(before.bits(j), t.bits(j), type + " pattern " + nz + " must be unchanged");
                    if ((nz >> j & 1) != 0) {
                        assertTrue(m.isKept(j));
                    }
                }
            } else {
                boolean[] ref = Reference.stripKeep(before, null, 1, 2, 4);
                assertArrayEquals(ref, kept(m), type + " pattern " + nz);
            }
        }
    }

    /** All 4^4 assignments of magnitude levels {0,1,2,3} (ties everywhere), every type, against the reference. */
    @ParameterizedTest
    @EnumSource(ElementType.class)
    void allMagnitudeOrderingsIncludingTiesMatchReference(ElementType type) {
        int groups = 256;
        Tensor t = Tensor.zeros(type, Shape.of(groups, 4));
        for (int g = 0; g < groups; g++) {
            for (int j = 0; j < 4; j++) {
                int level = (g >> (2 * j)) & 3;
                int bits = level == 0 ? 0 : Gen.encodeSmall(type, level);
                t.setBits(g * 4 + j, ((g + j) & 1) == 0 ? bits : Gen.negate(type, bits));
            }
        }
        Mask m = StripMasker.of(P24).compute(t, 1);
        assertArrayEquals(Reference.stripKeep(t, null, 1, 2, 4), kept(m), type.toString());
    }

    @Test
    void nonFiniteValuesRankAboveFiniteWithNaNHighest() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        Tensor t = Tensor.ofFloats(new float[] {
            1, nan, 3, 2,        // NaN and 3
            -inf, 5, nan, 1e30f, // NaN and -inf
            7, -inf, 8, inf,     // both infinities (tie between them -> both kept)
            nan, nan, nan, 9,    // three NaNs tie: the first two
        }, 4, 4);
        Mask m = StripMasker.of(P24).compute(t, 1);
        boolean[] expected = {
            false, true, true, false,
            true, false, true, false,
            false, true, false, true,
            true, true, false, false};
        assertArrayEquals(expected, kept(m));
        assertEquals(8, m.stats().nonFiniteElements());
    }

    @Test
    void signedZerosTieAndGoToTheLowerIndex() {
        short[] bits = {(short) 0x8000, 0x0000, (short) 0x8000, 0x0000};
        Mask m = StripMasker.of(P24).compute(Tensor.ofShorts(ElementType.FP16, bits, 4), 0);
        assertArrayEquals(new boolean[] {true, true, false, false}, kept(m));
        assertEquals(1, m.stats().zeroGroups());
        assertEquals(1, m.stats().tiedGroups());
    }

    /** The layer layouts of the issue, against the coordinate-based reference. */
    @Test
    void layerLayoutsPickTheRightGroups() {
        long[][] shapes = {{64, 32}, {32, 48}, {3, 16, 20}, {8, 16, 3, 3}, {8, 12, 5}, {4, 8, 2, 3, 3}};
        int[] axes = {1, 0, 1, 1, 1, 1};
        String[] names = {"Linear [out,in]", "MatMul B [K,N]", "batched [b,K,N]", "Conv2d [Cout,Cin,kh,kw]",
            "Conv1d [Cout,Cin,k]", "Conv3d [Cout,Cin,d,h,w]"};
        for (int c = 0; c < shapes.length; c++) {
            for (ElementType type : ElementType.values()) {
                SplittableRandom r = Gen.random("layouts", c * 10L + type.ordinal());
                Tensor t = Gen.tensor(type, Shape.of(shapes[c]), r, true);
                SparsityPattern p = type.hardwarePattern();
                Tensor before = t.copy();
                Mask m = StripMasker.of(p).prune(t, axes[c]);
                String msg = names[c] + " " + type + " " + Gen.seedOf("layouts", c * 10L + type.ordinal());
                assertArrayEquals(Reference.stripKeep(before, null, axes[c], p.n(), p.m()), kept(m), msg);
                assertTrue(Validator.checkStrip(t, p, axes[c]).isValid(), msg);
                assertEquals(axes[c], m.axis());
                for (int i = 0; i < t.size(); i++) {
                    assertEquals(m.isKept(i) ? before.bits(i) : 0, t.bits(i), msg + " element " + i);
                }
            }
        }
    }

    /** Random tensors, shapes, axes, patterns and types: the properties of the issue. */
    @Test
    void propertiesOnRandomTensors() {
        SparsityPattern[] patterns = {P24, SparsityPattern.ONE_OF_TWO, SparsityPattern.of(4, 8), SparsityPattern.of(1, 4),
            SparsityPattern.of(3, 8)};
        long tied = 0;
        long zero = 0;
        long overfilled = 0;
        for (int k = 0; k < 300; k++) {
            SplittableRandom r = Gen.random("strip-props", k);
            String seed = Gen.seedOf("strip-props", k);
            ElementType type = ElementType.values()[r.nextInt(ElementType.values().length)];
            SparsityPattern p = patterns[r.nextInt(patterns.length)];
            int rank = 1 + r.nextInt(4);
            int axis = r.nextInt(rank);
            long[] dims = new long[rank];
            for (int a = 0; a < rank; a++) {
                dims[a] = a == axis ? p.m() * (1 + r.nextInt(4)) : 1 + r.nextInt(5);
            }
            Tensor t = Gen.tensor(type, Shape.of(dims), r, r.nextBoolean());
            if (axis == rank - 1) {
                Gen.zeroSomeGroups(t, p.m(), r);
            }
            Tensor original = t.copy();
            Mask m = StripMasker.of(p).compute(t, axis);
            // not modified by compute
            for (int i = 0; i < t.size(); i++) {
                assertEquals(original.bits(i), t.bits(i), seed);
            }
            // matches the reference (tie rule included)
            assertArrayEquals(Reference.stripKeep(t, null, axis, p.n(), p.m()), kept(m), seed + " " + type + " " + p);
            // exactly N kept per group, and no other legal choice keeps a larger L1 (finite groups)
            List<int[]> groups = Reference.groups(t.shape(), axis, p.m());
            for (int[] g : groups) {
                int c = 0;
                for (int idx : g) {
                    c += m.isKept(idx) ? 1 : 0;
                }
                assertEquals(p.n(), c, seed);
                assertNoBetterChoice(t, g, m, p.n(), seed);
            }
            // prune is compute + apply; validation passes; pruning again changes nothing
            Tensor pruned = t.copy();
            Mask m2 = StripMasker.of(p).prune(pruned, axis);
            assertEquals(m, m2, seed);
            // the groups that break the pattern are those the validator reports, before and after masking
            long violating = Validator.checkStrip(original, p, axis).violatingGroups();
            assertEquals(violating, m.stats().overfilledGroups(), seed + " overfilled (compute)");
            assertEquals(violating, m2.stats().overfilledGroups(), seed + " overfilled (prune)");
            overfilled += violating;
            assertTrue(Validator.checkStrip(pruned, p, axis).isValid(), seed);
            Tensor again = pruned.copy();
            Mask m3 = StripMasker.of(p).prune(again, axis);
            for (int i = 0; i < t.size(); i++) {
                assertEquals(pruned.bits(i), again.bits(i), seed + " idempotent");
                if (pruned.type().isNonZero(pruned.bits(i))) {
                    assertTrue(m3.isKept(i), seed + " a second mask keeps every surviving non-zero");
                }
            }
            Tensor applied = m.applyToCopy(t);
            for (int i = 0; i < t.size(); i++) {
                assertEquals(pruned.bits(i), applied.bits(i), seed + " applyToCopy == prune");
            }
            tied += m.stats().tiedGroups();
            zero += m.stats().zeroGroups();
        }
        // coverage: the generator really produced ties and all-zero groups
        assertTrue(tied > 100, "tied groups seen: " + tied);
        assertTrue(zero > 50, "all-zero groups seen: " + zero);
        assertTrue(overfilled > 100, "overfilled groups seen: " + overfilled);
    }

    /** Compares kept L1 against every other choice of n of the group (finite values only). */
    /**
     * Every statistic of the hardware-pattern kernels (scalar, and SIMD where available) against a
     * count made here from the reference keep rule, on random tensors of every type with ties, zero
     * groups, NaN, infinities and values whose group sum overflows, along the contiguous and a strided
     * axis, in chunks of the kernels' size and beyond; the mask too (long strided runs pack their
     * bits 64 codes at a time).
     */
    @Test
    void kernelStatisticsMatchAReferenceCount() {
        boolean was = StripSimd.enabled();
        try {
            for (boolean simd : StripSimd.AVAILABLE ? new boolean[] {false, true} : new boolean[] {false}) {
                StripSimd.use(simd);
                for (int k = 0; k < 120; k++) {
                    SplittableRandom r = Gen.random("strip-stats", k);
                    String seed = Gen.seedOf("strip-stats", k) + (simd ? " simd" : " scalar");
                    ElementType type = ElementType.values()[k % ElementType.values().length];
                    SparsityPattern p = type == ElementType.FP32 && r.nextBoolean() ? SparsityPattern.ONE_OF_TWO : P24;
                    boolean strided = r.nextBoolean();
                    int rows = strided ? p.m() * (1 + r.nextInt(4)) : 1 + r.nextInt(3);
                    int cols = strided ? 1 + r.nextInt(3000) : p.m() * (1 + r.nextInt(2500));
                    Tensor t = Gen.tensor(type, Shape.of(rows, cols), r, r.nextInt(3) == 0);
                    if (!strided) {
                        Gen.zeroSomeGroups(t, p.m(), r);
                    }
                    int axis = strided ? 0 : 1;
                    Mask m = StripMasker.of(p).parallel(false).prune(t.copy(), axis);
                    MaskStats s = m.stats();
                    boolean[] keep = Reference.stripKeep(t, null, axis, p.n(), p.m());
                    assertArrayEquals(keep, kept(m), seed + " mask");
                    long zero = 0;
                    long under = 0;
                    long over = 0;
                    long tied = 0;
                    long nonFinite = 0;
                    double total = 0;
                    double kept = 0;
                    for (int[] g : Reference.groups(t.shape(), axis, p.m())) {
                        int nonZero = 0;
                        int minKept = Integer.MAX_VALUE;
                        int maxPruned = -1;
                        for (int idx : g) {
                            int key = type.magnitudeKey(t.bits(idx));
                            nonZero += key != 0 ? 1 : 0;
                            if (keep[idx]) {
                                minKept = Math.min(minKept, key);
                            } else {
                                maxPruned = Math.max(maxPruned, key);
                            }
                            double mag = type.magnitudeOfKey(key);
                            if (Double.isFinite(mag)) {
                                total += mag;
                                kept += keep[idx] ? mag : 0;
                            } else {
                                nonFinite++;
                            }
                        }
                        zero += nonZero == 0 ? 1 : 0;
                        under += nonZero < p.n() ? 1 : 0;
                        over += nonZero > p.n() ? 1 : 0;
                        tied += minKept == maxPruned ? 1 : 0;
                    }
                    assertEquals(zero, s.zeroGroups(), seed + " zero groups");
                    assertEquals(under, s.underfilledGroups(), seed + " underfilled groups");
                    assertEquals(over, s.overfilledGroups(), seed + " overfilled groups");
                    assertEquals(tied, s.tiedGroups(), seed + " tied groups");
                    assertEquals(nonFinite, s.nonFiniteElements(), seed + " non-finite elements");
                    assertEquals(total, s.totalMagnitude(), 1e-6 * total, seed + " total magnitude");
                    assertEquals(kept, s.keptMagnitude(), 1e-6 * total, seed + " kept magnitude");
                }
            }
        } finally {
            StripSimd.use(was);
        }
    }

    /**
     * One table per type, shared by every caller and thread (tables are built on first use), with
     * each key's magnitude and NaN for non-finite keys; none for FP32.
     */
    @Test
    void magnitudeTablesAreOneSharedTablePerType() throws Exception {
        for (ElementType type : ElementType.values()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> got = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    got.add(pool.submit(() -> Magnitudes.table(type)));
                }
                float[] first = got.get(0).get();
                for (Future<float[]> f : got) {
                    assertSame(first, f.get(), type + ": one table for every caller");
                }
                if (type == ElementType.FP32) {
                    assertNull(first, "FP32 keys are their own magnitudes");
                    continue;
                }
                assertEquals(type.maxMagnitudeKey() + 1, first.length, type + " table length");
                for (int key = 0; key < first.length; key++) {
                    double m = type.magnitudeOfKey(key);
                    assertEquals(Double.isFinite(m) ? (float) m : Float.NaN, first[key], 0f, type + " key " + key);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** The scalar kernels' arithmetic FP16/BF16 magnitude is the magnitude table's, bit for bit, for every finite key. */
    @Test
    void arithmeticHalfMagnitudesEqualTheTableForEveryFiniteKey() {
        float[] fp16 = Magnitudes.table(ElementType.FP16);
        for (int key = 0; key < 0x7C00; key++) {
            assertEquals(Float.floatToRawIntBits(fp16[key]),
                    Float.floatToRawIntBits(FusedStrip.magnitude16(key, 13, 0x1p112f)), "FP16 key " + key);
        }
        float[] bf16 = Magnitudes.table(ElementType.BF16);
        for (int key = 0; key < 0x7F80; key++) {
            assertEquals(Float.floatToRawIntBits(bf16[key]),
                    Float.floatToRawIntBits(FusedStrip.magnitude16(key, 16, 1f)), "BF16 key " + key);
        }
    }

    private static void assertNoBetterChoice(Tensor t, int[] g, Mask m, int n, String seed) {
        int mm = g.length;
        if (mm > 8) {
            return; // C(m, n) small enough only for m <= 8
        }
        double keptSum = 0;
        for (int idx : g) {
            double v = Math.abs(t.get(idx));
            if (!Double.isFinite(v)) {
                return;
            }
            keptSum += m.isKept(idx) ? v : 0;
        }
        for (int sub = 0; sub < (1 << mm); sub++) {
            if (Integer.bitCount(sub) != n) {
                continue;
            }
            double s = 0;
            for (int j = 0; j < mm; j++) {
                s += (sub >> j & 1) != 0 ? Math.abs(t.get(g[j])) : 0;
            }
            assertTrue(s <= keptSum + 1e-9 * Math.abs(keptSum), seed + " choice " + sub + " keeps more");
        }
    }

    @Test
    void parallelEqualsSequentialOnLargeTensors() {
        long[][] shapes = {{512, 2048}, {2048, 600}, {4, 64, 8, 3, 3}};
        int[] axes = {1, 0, 1};
        for (int c = 0; c < shapes.length; c++) {
            for (ElementType type : new ElementType[] {ElementType.FP32, ElementType.FP16, ElementType.INT8}) {
                SplittableRandom r = Gen.random("parallel", c * 10L + type.ordinal());
                Tensor t = Gen.tensor(type, Shape.of(shapes[c]), r, true);
                SparsityPattern p = type.hardwarePattern();
                Mask seq = StripMasker.of(p).parallel(false).compute(t, axes[c]);
                Mask par = StripMasker.of(p).parallel(true).compute(t, axes[c]);
                String seed = Gen.seedOf("parallel", c * 10L + type.ordinal());
                assertEquals(seq, par, seed);
                assertEquals(seq.stats().toString(), par.stats().toString(), seed);
                assertEquals(Double.doubleToLongBits(seq.stats().keptMagnitude()),
                        Double.doubleToLongBits(par.stats().keptMagnitude()), seed);
                Tensor a = t.copy();
                Tensor b = t.copy();
                StripMasker.of(p).parallel(false).prune(a, axes[c]);
                StripMasker.of(p).parallel(true).prune(b, axes[c]);
                for (int i = 0; i < t.size(); i++) {
                    assertEquals(a.bits(i), b.bits(i), seed);
                }
            }
        }
    }

    /**
     * Masks of more than one page ({@link MaskWords}: pages are allocated by the threads that fill
     * them), against the reference on both paths: contiguous runs, strided rows whose group of M rows
     * is no whole number of words, the scalar 8-bit kernel and the general N:M selection; the bits
     * must read back as one flat array too, equal to the same mask rebuilt from its words.
     */
    @Test
    void masksOfManyPagesMatchTheReference() {
        Object[][] cases = {
            {ElementType.FP16, P24, new long[] {3, 700, 300}, 1},
            {ElementType.FP32, SparsityPattern.ONE_OF_TWO, new long[] {1100, 512}, 1},
            {ElementType.FP32, P24, new long[] {2200, 516}, 0},
            {ElementType.INT8, P24, new long[] {2064, 521}, 0},
            {ElementType.BF16, SparsityPattern.of(3, 8), new long[] {600, 1000}, 1},
            {ElementType.FP16, SparsityPattern.of(1, 4), new long[] {4, 1200, 301}, 1},
            // a convolution weight along its input channels: blocks of several short group rows
            {ElementType.FP16, P24, new long[] {96, 1024, 3, 3}, 1},
            {ElementType.FP32, P24, new long[] {40, 2048, 5, 3}, 1},
        };
        for (int c = 0; c < cases.length; c++) {
            ElementType type = (ElementType) cases[c][0];
            SparsityPattern p = (SparsityPattern) cases[c][1];
            Shape shape = Shape.of((long[]) cases[c][2]);
            int axis = (Integer) cases[c][3];
            String seed = Gen.seedOf("pages", c) + " " + type + " " + p + " " + shape + " axis " + axis;
            Tensor t = Gen.tensor(type, shape, Gen.random("pages", c), true);
            boolean[] ref = Reference.stripKeep(t, null, axis, p.n(), p.m());
            long[] refWords = new long[(t.size() + 63) / 64];
            for (int i = 0; i < ref.length; i++) {
                refWords[i >>> 6] |= ref[i] ? 1L << i : 0;
            }
            for (boolean par : new boolean[] {false, true}) {
                StripMasker masker = StripMasker.of(p).parallel(par);
                Mask m = masker.compute(t, axis);
                assertTrue(MaskWords.paged(t.size(), new StripMasker.Plan(shape, axis, p).unit()).pageOf(t.size() - 1) > 0,
                        seed + ": more than one page");
                assertArrayEquals(ref, kept(m), seed + " parallel " + par);
                assertArrayEquals(refWords, m.toBitWords(), seed + " parallel " + par);
                Mask rebuilt = Mask.fromBitWords(shape, p, MaskKind.STRIP, axis, -1, refWords);
                assertEquals(rebuilt, m, seed);
                assertEquals(rebuilt.hashCode(), m.hashCode(), seed);
                assertEquals(Arrays.stream(refWords).map(Long::bitCount).sum(), m.keptCount(), seed);
                Tensor pruned = t.copy();
                assertEquals(m, masker.prune(pruned, axis), seed + " prune");
                Tensor applied = rebuilt.applyToCopy(t);
                for (int i = 0; i < t.size(); i++) {
                    assertEquals(applied.bits(i), pruned.bits(i), seed + " element " + i);
                }
            }
        }
    }

    @Test
    void emptyTensorsGiveEmptyMasks() {
        long[][] shapes = {{4, 0}, {0, 8}, {0}, {4, 0, 3}, {0, 4, 5}};
        int[] axes = {0, 1, 0, 0, 1};
        for (int c = 0; c < shapes.length; c++) {
            for (ElementType type : new ElementType[] {ElementType.FP32, ElementType.FP16, ElementType.INT8}) {
                for (boolean par : new boolean[] {false, true}) {
                    Tensor t = Tensor.zeros(type, Shape.of(shapes[c]));
                    String at = Arrays.toString(shapes[c]) + " axis " + axes[c] + " " + type + " parallel " + par;
                    Mask m = StripMasker.of(P24).parallel(par).prune(t, axes[c]);
                    assertEquals(0, m.keptCount(), at);
                    assertEquals(0, m.toBitWords().length, at);
                    assertEquals(0, m.stats().groups(), at);
                    assertEquals(m, StripMasker.of(P24).parallel(par).compute(t, axes[c]), at);
                }
            }
        }
    }

    @Test
    void byteBufferTensorsGiveTheSameMaskAsArrays() {
        SplittableRandom r = Gen.random("buffers", 0);
        for (ElementType type : ElementType.values()) {
            Tensor t = Gen.tensor(type, Shape.of(16, 32), r, true);
            ByteBuffer direct = ByteBuffer.allocateDirect(t.size() * type.byteSize());
            direct.put(t.toLittleEndianBytes()).flip();
            Tensor d = Tensor.wrap(type, t.shape(), direct);
            assertEquals(StripMasker.of(type.hardwarePattern()).compute(t, 0),
                    StripMasker.of(type.hardwarePattern()).prune(d, 0), type.toString());
            assertTrue(Validator.checkStrip(d, type.hardwarePattern(), 0).isValid());
        }
    }

    @Test
    void statisticsCountRetainedMagnitude() {
        Tensor t = Tensor.ofFloats(new float[] {4, -3, 2, 1, 0, 0, 0, 0}, 8);
        MaskStats s = StripMasker.of(P24).compute(t, 0).stats();
        assertEquals(2, s.groups());
        assertEquals(4, s.keptElements());
        assertEquals(1, s.zeroGroups());
        assertEquals(1, s.underfilledGroups());
        assertEquals(10.0, s.totalMagnitude());
        assertEquals(7.0, s.keptMagnitude());
        assertEquals(0.7, s.retainedMagnitude(), 1e-12);
        assertTrue(Double.isNaN(s.retainedScore()));
        assertEquals(1.0, StripMasker.of(P24).compute(Tensor.ofFloats(new float[4], 4), 0).stats().retainedMagnitude());
    }

    @Test
    void scoresDecideInsteadOfMagnitudes() {
        Tensor w = Tensor.ofFloats(new float[] {10, 9, 1, 2}, 1, 4);
        Tensor scores = Tensor.ofFloats(new float[] {0.1f, 0.2f, 5f, 0.2f}, 1, 4);
        Mask m = StripMasker.of(P24).computeFromScores(w, scores, 1);
        // 5 first, then 0.2 at index 1 wins the tie against index 3
        assertArrayEquals(new boolean[] {false, true, true, false}, kept(m));
        assertEquals((9 + 1) / 22.0, m.stats().retainedMagnitude(), 1e-12);
        assertEquals(5.2 / 5.5, m.stats().retainedScore(), 1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StripMasker.of(P24).computeFromScores(w, Tensor.ofFloats(new float[] {1, -1, 0, 0}, 1, 4), 1));
        assertTrue(e.getMessage().contains("[0, 1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> StripMasker.of(P24).computeFromScores(w, Tensor.ofFloats(new float[] {1, Float.NaN, 0, 0}, 1, 4), 1));
        assertThrows(IllegalArgumentException.class,
                () -> StripMasker.of(P24).computeFromScores(w, Tensor.ofFloats(new float[4], 4, 1), 1));
        assertThrows(IllegalArgumentException.class,
                () -> StripMasker.of(P24).computeFromScores(w, Tensor.ofShorts(ElementType.FP16, new short[4], 1, 4), 1));
    }

    @Test
    void scoreMasksMatchTheReferenceOnRandomInput() {
        for (int k = 0; k < 50; k++) {
            SplittableRandom r = Gen.random("scores", k);
            Tensor w = Gen.tensor(ElementType.BF16, Shape.of(8, 16), r, false);
            float[] s = new float[w.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = r.nextInt(4) == 0 ? 1f : (float) r.nextDouble();
            }
            Tensor scores = Tensor.ofFloats(s, 8, 16);
            int axis = r.nextInt(2);
            Mask m = StripMasker.of(P24).computeFromScores(w, scores, axis);
            assertArrayEquals(Reference.stripKeep(w, scores, axis, 2, 4), kept(m), Gen.seedOf("scores", k));
        }
    }

    @Test
    void badAxesAreRejectedNamingShapeAndAxis() {
        Tensor t = Tensor.ofShorts(ElementType.FP16, new short[24], 4, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StripMasker.of(P24).compute(t, 1));
        assertTrue(e.getMessage().contains("axis 1") && e.getMessage().contains("[4, 6]") && e.getMessage().contains("M=4"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StripMasker.of(P24).compute(t, 2));
        assertTrue(e.getMessage().contains("axis 2") && e.getMessage().contains("[4, 6]"), e.getMessage());
        assertEquals(0, StripMasker.of(P24).compute(Tensor.ofFloats(new float[0], 0, 4), 1).keptCount());
    }

    @Test
    void fp16ValuesAreComparedByMagnitudeNotBits() {
        short[] bits = {HalfFloats.floatToFp16(-0.5f), HalfFloats.floatToFp16(0.25f),
            HalfFloats.floatToFp16(-1000f), HalfFloats.floatToFp16(6e-8f)};
        Mask m = StripMasker.of(P24).compute(Tensor.ofShorts(ElementType.FP16, bits, 4), 0);
        assertArrayEquals(new boolean[] {true, false, true, false}, kept(m));
        assertFalse(m.isKept(3));
    }
}
