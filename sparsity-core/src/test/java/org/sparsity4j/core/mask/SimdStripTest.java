package org.sparsity4j.core.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.simd.VectorSupport;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.HalfFloats;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.testutil.Gen;
import org.sparsity4j.core.validate.Validator;

/**
 * The SIMD strip kernels against the scalar ones, in the same JVM: identical masks, identical
 * zeroing, identical group counts, and magnitude sums within {@link #SUM_TOLERANCE} of the total
 * (the SIMD kernels add in a different order; see {@code SimdStrip.kernel}).
 */
class SimdStripTest {
    /** Relative tolerance of the magnitude sums, against the total L1 of the tensor. */
    static final double SUM_TOLERANCE = 5e-6;

    private final boolean initial = StripSimd.enabled();

    @AfterEach
    void restore() {
        StripSimd.use(initial && StripSimd.AVAILABLE);
    }

    @Test
    void simdKernelsAreAvailableInTheTestJvm() {
        // the tests run with --add-modules jdk.incubator.vector; on a machine with 256-bit vectors the
        // SIMD kernels must be selected by default
        assumeFalse("false".equalsIgnoreCase(System.getProperty("sparsity.simd")), "SIMD turned off");
        assertEquals(VectorSupport.enabled(), StripSimd.AVAILABLE);
        assertEquals(StripSimd.AVAILABLE, initial);
    }

    private static SparsityPattern[] patterns(ElementType type) {
        return type == ElementType.FP32
                ? new SparsityPattern[] {SparsityPattern.TWO_OF_FOUR, SparsityPattern.ONE_OF_TWO}
                : new SparsityPattern[] {SparsityPattern.TWO_OF_FOUR};
    }

    @Test
    void retainedMagnitudeOfAnAlreadySparseTensorIsOneAndNeverMore() {
        // every finite element is kept, so kept and total are the same sum added in different orders:
        // rounding may not put the kept sum above the total (strided FP32 and contiguous FP16 kernels)
        for (int k = 0; k < 60; k++) {
            SplittableRandom r = Gen.random("already-sparse-retained", k);
            String seed = Gen.seedOf("already-sparse-retained", k);
            boolean fp16 = k % 2 == 1;
            int cols = 1024;
            float[] w = new float[4 * cols];
            short[] h = new short[4 * cols];
            for (int g = 0; g < cols; g++) {
                int z1 = r.nextInt(4);
                int z2 = (z1 + 1 + r.nextInt(3)) % 4;
                for (int j = 0; j < 4; j++) {
                    double x = j == z1 || j == z2 ? 0 : r.nextGaussian() * (fp16 ? 100 : 1);
                    // FP32: group g is column g of a [4, cols] tensor (axis 0); FP16: elements 4g..4g+3
                    w[j * cols + g] = (float) x;
                    h[4 * g + j] = HalfFloats.floatToFp16((float) x);
                }
            }
            // scalar kernels, then the SIMD kernels in both in-place forms (one pass and two)
            for (int form = 0; form < (StripSimd.AVAILABLE ? 3 : 1); form++) {
                Tensor t = fp16 ? Tensor.ofShorts(ElementType.FP16, h.clone(), 4 * cols)
                        : Tensor.ofFloats(w.clone(), 4, cols);
                boolean was = SimdStrip.useOnePass(form == 1); // the scalar kernels (form 0) ignore it
                MaskStats st;
                try {
                    st = with(form > 0, () -> StripMasker.of(SparsityPattern.TWO_OF_FOUR).prune(t, 0)).stats();
                } finally {
                    SimdStrip.useOnePass(was);
                }
                String what = seed + " form " + form;
                assertEquals(0, st.overfilledGroups(), what);
                assertTrue(st.keptMagnitude() <= st.totalMagnitude(), what + ": " + st.keptMagnitude() + " > "
                        + st.totalMagnitude());
                assertTrue(st.retainedMagnitude() <= 1.0 && st.retainedMagnitude() > 1 - 1e-6,
                        what + " retained " + st.retainedMagnitude());
            }
        }
    }

    /**
     * Random shapes (tiny, ragged chunk and vector tails, several blocks), both axes, with and
     * without specials, for the types with SIMD kernels (the others run the scalar kernels either way).
     */
    @ParameterizedTest
    @EnumSource(value = ElementType.class, names = {"FP32", "FP16", "BF16"})
    void randomTensorsMatchTheScalarKernels(ElementType type) {
        String name = "simdRandom" + type;
        for (int k = 0; k < 50; k++) {
            SplittableRandom r = Gen.random(name, k);
            for (SparsityPattern p : patterns(type)) {
                int m = p.m();
                int rows;
                int cols;
                switch (k % 4) {
                    case 0: // tiny
                        rows = 1 + r.nextInt(3);
                        cols = m * (1 + r.nextInt(5));
                        break;
                    case 1: // around a chunk
                        rows = 1 + r.nextInt(4);
                        cols = m * (900 + r.nextInt(300));
                        break;
                    case 2: // many short rows
                        rows = 4 * (1 + r.nextInt(40));
                        cols = m * (1 + r.nextInt(70));
                        break;
                    default: // several blocks and chunks, ragged
                        rows = m * (1 + r.nextInt(6));
                        cols = 4 * (1 + r.nextInt(2500));
                }
                // 0: Gen's elements with specials, 1: Gen's elements, 2: moderate, 3: moderate without zeros
                // (runs with a zero key add the scalar group counts to the one-pass in-place kernels)
                int kind = r.nextInt(4);
                Tensor t = kind < 2 ? Gen.tensor(type, Shape.of(rows, cols), r, kind == 0)
                        : moderate(type, Shape.of(rows, cols), r, kind == 2);
                if (r.nextBoolean()) {
                    Gen.zeroSomeGroups(t, m, r);
                }
                String seed = Gen.seedOf(name, k) + " " + type + " " + p + " [" + rows + ", " + cols + "]";
                for (int axis = 0; axis < 2; axis++) {
                    if (Shape.of(rows, cols).dim(axis) % m == 0) {
                        compare(t, p, axis, r.nextBoolean(), seed + " axis " + axis);
                    }
                }
            }
        }
    }

    /**
     * Every length of a row up to 160 elements, along both axes: each kernel's padded tail (the
     * all-zero padding groups are ties the tie count must leave out) at every position in a vector
     * and a mask word.
     */
    @ParameterizedTest
    @EnumSource(value = ElementType.class, names = {"FP32", "FP16", "BF16"})
    void everyShortLengthMatchesTheScalarKernels(ElementType type) {
        for (SparsityPattern p : patterns(type)) {
            int m = p.m();
            String name = "simdLengths" + type + p.n() + "of" + m;
            SplittableRandom r = Gen.random(name, 0);
            for (int len = m; len <= 160; len += m) {
                String what = Gen.seedOf(name, 0) + " " + type + " " + p + " length " + len;
                compare(moderate(type, Shape.of(1, len), r), p, 1, false, what + " axis 1");
                compare(moderate(type, Shape.of(m, len), r), p, 0, false, what + " axis 0");
            }
        }
    }

    /**
     * Keys just below the limit the SIMD kernels take (FP32 and BF16 below 2^100, FP16 finite) next
     * to the smallest subnormals and zeros: the largest differences of keys a kernel's arithmetic
     * comparisons see.
     */
    @ParameterizedTest
    @EnumSource(value = ElementType.class, names = {"FP32", "FP16", "BF16"})
    void keysJustBelowTheLimitMatchTheScalarKernels(ElementType type) {
        int top = type == ElementType.FP32 ? 0x717F_FFFF : type == ElementType.FP16 ? 0x7BFF : 0x717F;
        int[] keys = {top, top - 1, top - 2, 1, 2, 0};
        for (int k = 0; k < 6; k++) {
            String name = "simdNearLimit" + type;
            SplittableRandom r = Gen.random(name, k);
            Tensor t = Tensor.zeros(type, Shape.of(8, 256 + 4 * r.nextInt(64)));
            for (int i = 0; i < t.size(); i++) {
                t.setBits(i, keys[r.nextInt(keys.length)] | (r.nextBoolean() ? signBit(type) : 0));
            }
            for (SparsityPattern p : patterns(type)) {
                for (int axis = 0; axis < 2; axis++) {
                    compare(t, p, axis, false, Gen.seedOf(name, k) + " " + type + " " + p + " axis " + axis);
                }
            }
        }
    }

    /** Three-axis tensors: the strided axis with a long inner extent crosses segments and chunks. */
    @ParameterizedTest
    @EnumSource(value = ElementType.class, names = {"FP32", "FP16", "BF16"})
    void threeAxesMatchTheScalarKernels(ElementType type) {
        String name = "simd3d" + type;
        for (int k = 0; k < 20; k++) {
            SplittableRandom r = Gen.random(name, k);
            for (SparsityPattern p : patterns(type)) {
                Shape shape = Shape.of(1 + r.nextInt(3), p.m() * (1 + r.nextInt(3)), 1 + r.nextInt(5000));
                Tensor t = r.nextInt(4) == 0 ? Gen.tensor(type, shape, r, true) : moderate(type, shape, r);
                compare(t, p, 1, r.nextBoolean(), Gen.seedOf(name, k) + " " + type + " " + p + " " + shape);
            }
        }
    }

    /** Every keep pattern of a group: all 4^4 orderings of 4 keys drawn from {0, 1, 2, 3}, in every lane position. */
    @ParameterizedTest
    @EnumSource(value = ElementType.class, names = {"FP32", "FP16", "BF16"})
    void everyOrderingOfSmallKeys(ElementType type) {
        int combos = 256;
        for (int axis = 0; axis < 2; axis++) {
            // 256 groups of 4 with keys k0..k3 in {0,1,2,3} (0 = a zero of either sign)
            Tensor t = axis == 1 ? Tensor.zeros(type, Shape.of(combos, 4)) : Tensor.zeros(type, Shape.of(4, combos));
            SplittableRandom r = Gen.random("simdOrderings" + type, axis);
            for (int c = 0; c < combos; c++) {
                for (int j = 0; j < 4; j++) {
                    int key = (c >> (2 * j)) & 3;
                    int bits = key == 0 ? (r.nextBoolean() ? 0 : Gen.negate(type, 0) | signBit(type))
                            : Gen.encodeSmall(type, key);
                    if (r.nextBoolean() && key != 0) {
                        bits = Gen.negate(type, bits);
                    }
                    t.setBits(axis == 1 ? c * 4 + j : j * combos + c, bits);
                }
            }
            compare(t, SparsityPattern.TWO_OF_FOUR, axis, false, type + " orderings axis " + axis);
        }
        if (type == ElementType.FP32) {
            Tensor t = Tensor.zeros(type, Shape.of(16, 2));
            for (int c = 0; c < 16; c++) {
                t.setBits(2 * c, Gen.encodeSmall(type, (c & 3)));
                t.setBits(2 * c + 1, Gen.encodeSmall(type, (c >> 2)));
            }
            compare(t, SparsityPattern.ONE_OF_TWO, 1, false, "FP32 1:2 orderings");
        }
    }

    /**
     * A tensor the SIMD kernels take (finite magnitudes below 2^100, which Gen's uniform bit
     * patterns of FP32 and BF16 often exceed): zeros of both signs, a small pool of repeated
     * magnitudes (ties), subnormals, and values of random sign and binade between 2^-30 and 2^30 (FP16: 2^-24 and 2^15).
     */
    static Tensor moderate(ElementType type, Shape shape, SplittableRandom r) {
        return moderate(type, shape, r, true);
    }

    /** As {@link #moderate(ElementType, Shape, SplittableRandom)}, with or without zeros. */
    static Tensor moderate(ElementType type, Shape shape, SplittableRandom r, boolean zeros) {
        Tensor t = Tensor.zeros(type, shape);
        for (int i = 0; i < t.size(); i++) {
            int roll = r.nextInt(100);
            int bits;
            if (roll < 10 && zeros) {
                bits = r.nextBoolean() ? 0 : signBit(type);
            } else if (roll < 35) {
                bits = Gen.encodeSmall(type, 1 + r.nextInt(3)) | (r.nextBoolean() ? signBit(type) : 0);
            } else if (roll < 38) {
                bits = 1 + r.nextInt(type == ElementType.FP32 ? 0x7F_FFFF : type == ElementType.FP16 ? 0x3FF : 0x7F);
            } else {
                int binade = type == ElementType.FP16 ? r.nextInt(40) - 24 : r.nextInt(61) - 30; // FP16: finite
                float v = (float) Math.scalb(1 + r.nextDouble(), binade);
                bits = type == ElementType.FP32 ? Float.floatToRawIntBits(v)
                        : type == ElementType.FP16 ? org.sparsity4j.core.tensor.HalfFloats.floatToFp16(v) & 0xFFFF
                        : type == ElementType.BF16 ? org.sparsity4j.core.tensor.HalfFloats.floatToBf16(v) & 0xFFFF
                        : Gen.elementBits(type, r, false);
            }
            if (r.nextBoolean()) {
                bits |= signBit(type);
            }
            t.setBits(i, type == ElementType.INT8 && bits == 0x80 ? 0x7F : bits);
        }
        return t;
    }

    private static int signBit(ElementType type) {
        return type.bitWidth() == 32 ? 0x8000_0000 : 1 << (type.bitWidth() - 1);
    }

    /** Non-finite and huge values: chunks holding them take the scalar kernel; the rest stays SIMD. */
    @ParameterizedTest
    @EnumSource(value = ElementType.class, names = {"FP32", "FP16", "BF16"})
    void specialsAndHugeValues(ElementType type) {
        String name = "simdSpecials" + type;
        for (int k = 0; k < 10; k++) {
            SplittableRandom r = Gen.random(name, k);
            Tensor t = moderate(type, Shape.of(8, 4 * (1000 + r.nextInt(2000))), r);
            for (int i = 0; i < 20; i++) {
                int at = r.nextInt(t.size());
                switch (r.nextInt(3)) {
                    case 0:
                        t.setBits(at, type == ElementType.FP32 ? 0x7FC0_0000 : type == ElementType.FP16 ? 0x7E00 : 0x7FC0);
                        break;
                    case 1:
                        t.setBits(at, type == ElementType.FP32 ? 0xFF80_0000 : type == ElementType.FP16 ? 0xFC00 : 0xFF80);
                        break;
                    default: // largest finite
                        t.setBits(at, type == ElementType.FP32 ? 0x7F7F_FFFF : type == ElementType.FP16 ? 0x7BFF : 0x7F7F);
                }
            }
            for (SparsityPattern p : patterns(type)) {
                for (int axis = 0; axis < 2; axis++) {
                    compare(t, p, axis, true, Gen.seedOf(name, k) + " " + p + " axis " + axis);
                }
            }
        }
    }

    /**
     * The same tensor gives the same statistics, bit for bit, in every run: sequential or parallel,
     * and before and after the JIT has compiled the kernels (the lanes of the float partial sums are
     * added in a fixed order; the Vector API's own reduction leaves it unspecified, and HotSpot's
     * compiled code did not add in the interpreter's order).
     */
    @ParameterizedTest
    @EnumSource(value = ElementType.class, names = {"FP32", "FP16", "BF16"})
    void repeatedRunsGiveTheSameStatistics(ElementType type) {
        SplittableRandom r = Gen.random("simdRepeat" + type, 0);
        Tensor original = moderate(type, Shape.of(64, 4096), r, false);
        for (SparsityPattern p : patterns(type)) {
            for (int axis = 0; axis < 2; axis++) {
                MaskStats first = null;
                for (int run = 0; run < 30; run++) {
                    boolean parallel = run % 2 == 1;
                    Tensor t = original.copy();
                    int ax = axis;
                    MaskStats st = with(true, () -> StripMasker.of(p).parallel(parallel).prune(t, ax)).stats();
                    if (first == null) {
                        first = st;
                    }
                    String what = type + " " + p + " axis " + axis + " run " + run;
                    assertEquals(first.totalMagnitude(), st.totalMagnitude(), 0.0, "total L1 " + what);
                    assertEquals(first.keptMagnitude(), st.keptMagnitude(), 0.0, "kept L1 " + what);
                }
            }
        }
    }

    private static void compare(Tensor original, SparsityPattern p, int axis, boolean parallel, String what) {
        if (!StripSimd.AVAILABLE) {
            return; // nothing to compare in a JVM without the SIMD kernels
        }
        StripMasker masker = StripMasker.of(p).parallel(parallel);
        Tensor scalarT = original.copy();
        Tensor simdT = original.copy(); // on a Java array: the SIMD kernels work in place
        Tensor otherT = original.copy(); // the same, with the other in-place form (one pass or two)
        // on a byte buffer: the SIMD kernels work on copies in the chunk buffers
        Tensor bufferT = Tensor.wrap(original.type(), original.shape(), original.toLittleEndianBytes());
        assertTrue(simdT.array().isPresent() && bufferT.array().isEmpty(), "storage kinds " + what);
        Mask scalar = with(false, () -> masker.prune(scalarT, axis));
        Mask simd = with(true, () -> masker.prune(simdT, axis));
        boolean onePass = SimdStrip.useOnePass(!SimdStrip.ONE_PASS_BY_DEFAULT);
        Mask other;
        try {
            other = with(true, () -> masker.prune(otherT, axis));
        } finally {
            SimdStrip.useOnePass(onePass);
        }
        Mask buffered = with(true, () -> masker.prune(bufferT, axis));
        Mask computed = with(true, () -> masker.compute(original, axis));
        assertArrayEquals(scalar.toBitWords(), simd.toBitWords(), "mask bits " + what);
        assertArrayEquals(scalar.toBitWords(), buffered.toBitWords(), "mask bits on a byte buffer " + what);
        assertArrayEquals(scalar.toBitWords(), other.toBitWords(), "mask bits, other in-place form " + what);
        assertArrayEquals(scalar.toBitWords(), computed.toBitWords(), "mask bits of compute " + what);
        assertSameElements(scalarT, simdT, what);
        assertSameElements(scalarT, otherT, what + ", other in-place form");
        assertSameElements(scalarT, bufferT, what + " on a byte buffer");
        assertSameStats(scalar.stats(), buffered.stats(), what + " on a byte buffer");
        assertSameStats(scalar.stats(), other.stats(), what + ", other in-place form");
        assertSameStats(scalar.stats(), simd.stats(), what);
        MaskStats a = scalar.stats();
        MaskStats b = simd.stats();
        double tol = SUM_TOLERANCE * a.totalMagnitude();
        assertEquals(a.totalMagnitude(), computed.stats().totalMagnitude(), tol, "total L1 of compute " + what);
        assertEquals(Validator.checkStrip(original, p, axis).violatingGroups(), b.overfilledGroups(),
                "overfilled groups against the validator " + what);
        assertEquals(a.overfilledGroups(), computed.stats().overfilledGroups(), "overfilled groups of compute " + what);
        assertTrue(b.keptMagnitude() <= b.totalMagnitude() * (1 + SUM_TOLERANCE), "kept <= total " + what);
    }

    /** Bit-identical elements after pruning; the first difference is reported. */
    private static void assertSameElements(Tensor want, Tensor got, String what) {
        for (int i = 0; i < want.size(); i++) {
            if (want.bits(i) != got.bits(i)) {
                assertEquals(want.bits(i), got.bits(i), "pruned element " + i + " " + what);
            }
        }
    }

    /** Equal counts, and magnitude sums within {@link #SUM_TOLERANCE} of the total. */
    private static void assertSameStats(MaskStats a, MaskStats b, String what) {
        assertEquals(a.elements(), b.elements(), "elements " + what);
        assertEquals(a.keptElements(), b.keptElements(), "kept " + what);
        assertEquals(a.groups(), b.groups(), "groups " + what);
        assertEquals(a.zeroGroups(), b.zeroGroups(), "zero groups " + what);
        assertEquals(a.underfilledGroups(), b.underfilledGroups(), "underfilled groups " + what);
        assertEquals(a.overfilledGroups(), b.overfilledGroups(), "overfilled groups " + what);
        assertEquals(a.tiedGroups(), b.tiedGroups(), "tied groups " + what);
        assertEquals(a.nonFiniteElements(), b.nonFiniteElements(), "non-finite " + what);
        double tol = SUM_TOLERANCE * a.totalMagnitude();
        assertEquals(a.totalMagnitude(), b.totalMagnitude(), tol, "total L1 " + what);
        assertEquals(a.keptMagnitude(), b.keptMagnitude(), tol, "kept L1 " + what);
    }

    private static Mask with(boolean simd, Supplier<Mask> run) {
        boolean was = StripSimd.use(simd);
        try {
            return run.get();
        } finally {
            StripSimd.use(was);
        }
    }
}
