package org.sparsity4j.core.mask;

import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.sparsity4j.core.tensor.ElementType;

/**
 * SIMD forms (incubating Vector API, 256-bit vectors) of the {@link FusedStrip} chunk kernels for
 * FP32 1:2 and 2:4 and for FP16 and BF16 2:4, along the contiguous and the strided axis. Masks,
 * zeroing and mask bits are exactly those of the scalar kernels; the group counts are equal; the
 * magnitude sums are formed in a different order (see {@link #kernel}).
 *
 * <p>On a tensor on a Java array, {@link #inPlace} (contiguous axis) and {@link #inPlaceStrided}
 * run the same choice on the array itself, without the copy into the chunk buffers and back: a
 * range pass, then one pass on JDK 25 and later and two (decide, apply) before, except FP32 1:2
 * along the contiguous axis, which takes one there too ({@link #fused32c12Words}); see
 * {@link #useOnePass}.
 *
 * <p>Loaded only through {@link StripSimd} when the running JVM has the {@code jdk.incubator.vector}
 * module: nothing outside this class names a vector type.
 *
 * <h2>Method</h2>
 * Keys are the raw bits with the sign cleared (below the limits, these are the magnitude keys of
 * {@link ElementType#magnitudeKey}). A range pass finds a run's largest key (the limit, checked
 * before anything is written) and its smallest. For 2:4, each group's second and third largest
 * keys come from a min/max network over the pair maxima and minima: along the contiguous axis the
 * partners are brought into a lane by shifts or rotations of the 32/64-bit views (16-bit keys;
 * 512-bit vectors where the CPU prefers them, see {@link #WIDE16}) or by a rotation and a lane
 * permutation (32-bit keys); along the strided axis the four rows of a block are four vectors. The
 * keys at or above the second largest are kept unless the second and third largest are equal (a
 * tie); only a vector with a tie computes every lane's rank, compared arithmetically:
 * {@code (b - a - 1) >> (width - 1)} (arithmetic shift) is all ones exactly when {@code a >= b},
 * exact because keys are below {@code 2^(width - 1)}; a partner beats a lane when its key is
 * larger, or equal at a lower index, and a lane is kept when fewer than N partners beat it. 1:2
 * compares the two keys of a pair. Mask bits come from {@code VectorMask.toLong} (from JDK 18 on,
 * a move-mask instruction) or, on JDK 17, from OR-reducing the keep lanes AND-ed with one bit per
 * lane (32-bit lanes) or from the keep lanes narrowed to bytes and gathered by a multiplication
 * (16-bit lanes; see {@link #MASK_TO_LONG}). The kernels count ties (groups whose second and third largest keys are equal); all-zero,
 * underfilled and overfilled groups can differ from "every group overfilled" only in a run with a
 * zero key, and only such runs are counted, by a scalar loop ({@link #groupCounts16},
 * {@link #groupCounts32}). (Counts in every vector, and separate count passes, cost the decide
 * passes up to a third of their time; a counting loop whose vector value was chosen by a branch
 * made C2 of JDK 17 allocate one object per vector, 546 MB per 8192 × 8192 prune.)
 *
 * <p>The vector code is written out in each kernel on purpose, not shared through small helper
 * methods: whether C2 compiles a kernel without allocating depends on its inlining depth and size,
 * and moving the partner shuffles and key loads into helpers made the one-pass FP16 kernel about 2×
 * slower on JDK 25 in {@code StripMaskBenchmark}, though not in isolation (benchmarks/RESULTS.md).
 *
 * <p>Chunks holding a key at or above a type's limit (non-finite values, and for FP32/BF16
 * magnitudes of {@code 2^100} and more, whose float partial sums could overflow) are left to the
 * scalar kernel: {@link #kernel} returns false before changing anything.
 */
final class SimdStrip {
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int SL = S.length(); // 16
    /**
     * Whether the one-pass FP16/BF16 kernel takes 512-bit vectors ({@link #fused16c24Wide}): true
     * where they are the preferred species for 16-bit lanes (x86 with AVX-512BW). That form brings
     * group partners in by rotations of the 32- and 64-bit views (one instruction each there) and
     * sums the kept magnitudes from each group's largest and second largest keys; on AVX2 the
     * 256-bit form ({@link #fused16c24}) is used. Both give the same masks and counts. The system
     * property {@code sparsity.simd.wide16} ({@code true} or {@code false}) overrides the choice,
     * read once: the tests use it to run both forms on any CPU.
     */
    private static final boolean WIDE16 = System.getProperty("sparsity.simd.wide16") != null
            ? Boolean.getBoolean("sparsity.simd.wide16")
            : ShortVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    /**
     * Whether the range pass before the one-pass FP32 kernels takes 512-bit vectors
     * ({@link #range32Wide}): where they are the preferred species (x86 with AVX-512).
     */
    private static final boolean WIDE_RANGE32 = IntVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    private static final VectorSpecies<Short> W = ShortVector.SPECIES_512;
    private static final int WL = W.length(); // 32
    /** Lanes 2 and 3 of every group of four, 512-bit vectors. */
    private static final VectorMask<Short> W_LANES_2_3 = VectorMask.fromLong(W, 0xCCCC_CCCCL);
    private static final int IL = I.length(); // 8
    /** Vectors per float partial sum: bounds the relative rounding error of the sums (see kernel). */
    private static final int FLUSH = 32;
    /**
     * Whether mask bits come from {@code VectorMask.toLong}: HotSpot compiles it to a move-mask
     * instruction from JDK 18 on (JDK-8273949); JDK 17 runs it as a Java loop over the lanes, so
     * there the FP32 kernels OR-reduce one bit per lane, and {@link #apply16} narrows its keep lanes
     * to bytes of 0 or 1 and gathers each eight into eight bits by one multiplication
     * ({@link #GATHER8}; its apply pass took 0.29 ns per element in the cache with an OR-reduction,
     * 0.24 with this, benchmarks/RESULTS.md). Measured on JDK 17 and 25.
     */
    private static final boolean MASK_TO_LONG = Runtime.version().feature() >= 18;
    /** Multiplier that gathers bit 0 of each byte j of a long into bit 56 + j. */
    private static final long GATHER8 = 0x0102_0408_1020_4080L;
    /**
     * Whether {@link #inPlace} may use the one-pass kernels ({@code fused*}). Their loop bodies are
     * larger than C2 of JDK 17 inlines in full (the vector operations left out of line allocate,
     * and the kernels run several times slower than the two passes); JDK 25 compiles them without
     * allocation. Versions between were not measured and keep the two passes. Read once per run,
     * so tests can select either form in any JVM ({@link #useOnePass}).
     */
    static final boolean ONE_PASS_BY_DEFAULT = Runtime.version().feature() >= 25;
    private static volatile boolean onePass = ONE_PASS_BY_DEFAULT;

    /** FP16: keys from +Inf up fall back; BF16: from 2^100 up (Inf, NaN and float-overflow risk). */
    private static final int FP16_LIMIT = 0x7C00;
    private static final int BF16_LIMIT = 0x7180;
    private static final int FP32_LIMIT = 0x7180_0000;
    /** FP16 magnitudes are summed as floats of their bits shifted left 13, i.e. scaled by 2^-112. */
    private static final double FP16_SCALE = 0x1p112;

    // 16-bit contiguous 2:4: partner i^1 has the lower index in odd lanes, partners i^2, i^3 in lanes 2 and 3 of a group
    private static final ShortVector S_T1 = shorts(i -> i & 1);
    private static final ShortVector S_T2 = shorts(i -> (i >> 1) & 1);
    private static final ShortVector S_ZERO = ShortVector.zero(S);
    private static final ShortVector S_MINUS2 = ShortVector.broadcast(S, (short) -2);
    // 32-bit lanes
    private static final IntVector I_T1 = ints(i -> i & 1);
    private static final IntVector I_T2 = ints(i -> (i >> 1) & 1);
    private static final IntVector I_BIT = ints(i -> 1 << i);
    private static final IntVector I_BIT8 = ints(i -> 1 << (i + 8));
    private static final IntVector I_BIT16 = ints(i -> 1 << (i + 16));
    private static final IntVector I_BIT24 = ints(i -> 1 << (i + 24));
    private static final IntVector I_ZERO = IntVector.zero(I);
    private static final IntVector I_MINUS2 = IntVector.broadcast(I, -2);
    private static final VectorShuffle<Integer> X1 = VectorShuffle.fromOp(I, i -> i ^ 1);
    private static final VectorShuffle<Integer> X2 = VectorShuffle.fromOp(I, i -> i ^ 2);
    private static final VectorShuffle<Integer> X3 = VectorShuffle.fromOp(I, i -> i ^ 3);
    private static final VectorShuffle<Float> F_HALVES = VectorShuffle.fromOp(FloatVector.SPECIES_256, i -> i ^ 4);
    // the same for 512-bit vectors
    private static final ShortVector W_T1 = wideShorts(i -> i & 1);
    private static final ShortVector W_T2 = wideShorts(i -> (i >> 1) & 1);
    private static final ShortVector W_MINUS2 = ShortVector.broadcast(W, (short) -2);
    private static final VectorShuffle<Float> W_HALVES = VectorShuffle.fromOp(FloatVector.SPECIES_512, i -> i ^ 8);
    /** Row offsets of the strided kernels on the chunk buffers (each row starts at index 0). */
    private static final int[] ZERO_OFFSETS = new int[4];

    private SimdStrip() {
    }

    /**
     * Selects the one-pass ({@code true}) or the two-pass form of {@link #inPlace}, for tests that
     * check both in one JVM; results are identical, only the speed differs by JDK.
     *
     * @param use whether to use the one-pass kernels
     * @return the previous selection
     */
    static boolean useOnePass(boolean use) {
        boolean was = onePass;
        onePass = use;
        return was;
    }

    private interface LaneFn {
        int at(int lane);
    }

    private static ShortVector shorts(LaneFn f) {
        short[] a = new short[SL];
        for (int i = 0; i < SL; i++) {
            a[i] = (short) f.at(i);
        }
        return ShortVector.fromArray(S, a, 0);
    }

    private static ShortVector wideShorts(LaneFn f) {
        short[] a = new short[WL];
        for (int i = 0; i < WL; i++) {
            a[i] = (short) f.at(i);
        }
        return ShortVector.fromArray(W, a, 0);
    }

    private static IntVector ints(LaneFn f) {
        int[] a = new int[IL];
        for (int i = 0; i < IL; i++) {
            a[i] = f.at(i);
        }
        return IntVector.fromArray(I, a, 0);
    }


    /** True if {@link #kernel} handles the type and pattern. */
    static boolean supports(ElementType type, int m) {
        switch (type) {
            case FP32:
                return m == 2 || m == 4;
            case FP16:
            case BF16:
                return m == 4;
            default:
                return false;
        }
    }

    /**
     * Runs one chunk of {@code g} groups held in {@code s} (contiguous: lane 0 holds {@code g * m}
     * elements; strided: lane j holds element j of the {@code g} groups). On success the chunk's
     * elements are zeroed in place, mask bits are in {@code s.bits[lane]} (bit k of lane j for
     * element k of that lane; bits past the data may be set and must be ignored), the statistics
     * are added to {@code acc}, and true is returned. Returns false, having changed nothing but
     * the padding after the data, if a key reaches the type's limit.
     *
     * <p>Each chunk runs in passes over the chunk (range: the limit and the smallest key; decide:
     * keep lanes and ties; apply: zeroing, magnitude sums and mask bits), each a separate method
     * (except a contiguous FP32 1:2 chunk of whole 32-element steps on JDK 17, whose decide and apply
     * passes are one small loop, {@link #fused32c12Words}): C2 stops inlining the
     * Vector API's methods once a compilation grows past a fixed node count, and a vector operation
     * that is not inlined allocates, so one large loop body would run many times slower.
     *
     * <p>Magnitude sums: a 16-bit key becomes the float of its magnitude (FP16: scaled by
     * 2^-112) by one shift of the 32-bit view, which brings the low or the high key to the float's
     * exponent and mantissa bits, and one AND with those bits ({@code 0x7FFF << (16 - shift)}), which
     * also drops the other key and the sign: two shifts per key cost the one-pass FP16 kernel about a
     * tenth of its time with 512-bit vectors (benchmarks/RESULTS.md). The magnitudes (exact as floats)
     * are summed in float lanes over at most
     * {@link #FLUSH} vectors, then the lanes are added to a double in a fixed order: lane i plus lane
     * i + 4 by an explicit permutation, then those four in lane order. {@code reduceLanes(ADD)} leaves
     * its order unspecified, and HotSpot's compiled code and its interpreter add in different orders,
     * so the same tensor's statistics would change once a kernel is compiled; with the fixed order
     * they are the same in every run. (Written out in each kernel: a helper method called there cost
     * the 16-bit kernel about 25% on JDK 25.) A float lane holds n terms: n = FLUSH for FP32, and up
     * to 2 * FLUSH for FP16 and BF16 (two conversions per vector); with the one float addition of two
     * lanes, the relative error is at most about {@code n * 2^-24} of the sum (all terms are
     * non-negative): about 1.9e-6 for FP32 and 3.8e-6 for FP16 and BF16, against
     * about {@code 3 * 2^-24} for the scalar kernel's per-group float sums.
     */
    static boolean kernel(ElementType type, int m, int g, FusedStrip.Scratch s, boolean contiguous, MaskStats.Acc acc) {
        if (type == ElementType.FP32) {
            float[][] f = s.floats(contiguous ? 1 : m);
            int[][] kp = s.keep32(contiguous ? 1 : m);
            if (contiguous) {
                int len = g * m;
                int padded = (len + IL - 1) & -IL;
                Arrays.fill(f[0], len, padded, 0f);
                return twoPass32(f[0], 0, kp[0], padded, (padded - len) / m, m, s.bits[0], acc);
            }
            int padded = (g + IL - 1) & -IL;
            for (int j = 0; j < m; j++) {
                Arrays.fill(f[j], g, padded, 0f);
            }
            int minKey = minKey32(f[0], f[1], m == 4 ? f[2] : null, m == 4 ? f[3] : null, ZERO_OFFSETS, m, padded);
            if (minKey < 0) {
                return false;
            }
            if (m == 2) {
                decide32s12(f[0], f[1], ZERO_OFFSETS, kp[0], kp[1], padded, padded - g, acc);
            } else {
                decide32s24(f[0], f[1], f[2], f[3], ZERO_OFFSETS, kp, padded, padded - g, acc);
            }
            groupCounts32(f[0], f[1], m == 4 ? f[2] : null, m == 4 ? f[3] : null, 0, 0, 0, 0, 1, padded, m, minKey,
                    padded - g, acc);
            for (int j = 0; j < m; j++) {
                apply32(f[j], 0, kp[j], padded, s.bits[j], acc);
            }
            return true;
        }
        boolean fp16 = type == ElementType.FP16;
        int limit = fp16 ? FP16_LIMIT : BF16_LIMIT;
        int shift = fp16 ? 3 : 0;
        double scale = fp16 ? FP16_SCALE : 1.0;
        short[][] h = s.shorts(contiguous ? 1 : 4);
        short[][] kp = s.keep16(contiguous ? 1 : 4);
        if (contiguous) {
            int len = g * 4;
            int padded = (len + SL - 1) & -SL;
            Arrays.fill(h[0], len, padded, (short) 0);
            return twoPass16(h[0], 0, kp[0], padded, (padded - len) / 4, limit, shift, scale, s.bits[0], acc);
        }
        int padded = (g + SL - 1) & -SL;
        for (int j = 0; j < 4; j++) {
            Arrays.fill(h[j], g, padded, (short) 0);
        }
        int minKey = minKey16(h[0], h[1], h[2], h[3], ZERO_OFFSETS, padded, limit);
        if (minKey < 0) {
            return false;
        }
        decide16s24(h[0], h[1], h[2], h[3], ZERO_OFFSETS, kp, padded, padded - g, acc);
        groupCounts16(h[0], h[1], h[2], h[3], 0, 0, 0, 0, 1, padded, minKey, padded - g, acc);
        for (int j = 0; j < 4; j++) {
            apply16(h[j], 0, kp[j], padded, shift, scale, s.bits[j], acc);
        }
        return true;
    }

    /**
     * The part of a contiguous run of {@code len} elements that {@link #inPlace} takes: whole mask
     * words (64 elements, whole groups of every supported pattern), so that the rest starts on a
     * mask word.
     */
    static int inPlaceLength(int len) {
        return len & -64;
    }

    /**
     * As {@link #kernel} for a contiguous run, but on the tensor's own array instead of a copy in
     * the scratch lanes: {@code len} elements (a multiple of 64, at most {@link FusedStrip#CHUNK})
     * of {@code array} ({@code float[]} for FP32, {@code short[]} for FP16 and BF16) from index
     * {@code at} are zeroed in place, their mask bits go to {@code s.bits[0]} and their statistics
     * to {@code acc}. Returns false, having changed nothing, if a key reaches the type's limit.
     *
     * <p>Nothing is written before the limit is known: a first pass (the range pass) finds the run's
     * largest and smallest keys. With {@link #useOnePass one pass selected}, the run is then done in
     * one pass ({@code fused*}: choice, zeroing, tie count, sums and mask bits); otherwise the decide
     * pass (read-only: keep lanes into the scratch) and the apply pass run on the array
     * ({@link #twoPass16}, {@link #twoPass32}; on JDK 17 FP32 1:2 takes both in one loop). Only a run with a zero key can hold all-zero or
     * underfilled groups, and its group counts come from a scalar pass ({@link #groupCounts16},
     * {@link #groupCounts32}). Either way the elements are in the cache after the range pass.
     *
     * <p><b>Reading ahead.</b> The one-pass kernels also read one element of the next run per
     * vector (the element {@code len} places on, up to {@code ahead} elements after this run: the
     * rest of the caller's block), and only sum those reads into {@code s.touched} so that the
     * compiler keeps them. Java has no prefetch instruction; these reads start the next run's cache
     * misses while this run is computed, where before a thread alternated between waiting for
     * memory (the range pass) and computing. 8192 x 8192 on JDK 25, one thread: FP16 18.1-19.1 to
     * 16.6-17.4 ms a prune, two threads 12.2-13.5 to 9.0-11.5 ms (benchmarks/RESULTS.md). The two-pass
     * form (JDK 17) showed no gain from such reads in its decide or its apply pass and does not make them.
     *
     * @param ahead elements of the caller's block after this run (which may be read, never written)
     */
    static boolean inPlace(ElementType type, int m, Object array, int at, int len, int ahead, FusedStrip.Scratch s,
                           MaskStats.Acc acc) {
        // the last element the one-pass kernels may read ahead; the run's first if there is none
        int aheadLast = ahead > 0 ? at + len + Math.min(ahead, len) - 1 : at;
        if (type == ElementType.FP32) {
            float[] v = (float[]) array;
            if (onePass) {
                long range = WIDE_RANGE32 ? range32Wide(v, at, len) : range32(v, at, len);
                if ((int) (range >>> 32) >= FP32_LIMIT) {
                    return false;
                }
                groupCounts32(v, v, v, v, at, at + 1, at + 2, at + 3, m, len / m, m, (int) range, 0, acc);
                s.touched += m == 2 ? fused32c12(v, at, len, aheadLast, s.bits[0], acc)
                        : fused32c24(v, at, len, aheadLast, s.bits[0], acc);
                return true;
            }
            return twoPass32(v, at, s.keep32(1)[0], len, 0, m, s.bits[0], acc);
        }
        boolean fp16 = type == ElementType.FP16;
        int limit = fp16 ? FP16_LIMIT : BF16_LIMIT;
        int shift = fp16 ? 3 : 0;
        double scale = fp16 ? FP16_SCALE : 1.0;
        short[] v = (short[]) array;
        if (onePass) {
            long range = WIDE16 ? range16Wide(v, at, len) : range16(v, at, len);
            if ((int) (range >>> 32) >= limit) {
                return false;
            }
            groupCounts16(v, v, v, v, at, at + 1, at + 2, at + 3, 4, len / 4, (int) range, 0, acc);
            s.touched += WIDE16 ? fused16c24Wide(v, at, len, aheadLast, shift, scale, s.bits[0], acc)
                    : fused16c24(v, at, len, aheadLast, shift, scale, s.bits[0], acc);
            return true;
        }
        return twoPass16(v, at, s.keep16(1)[0], len, 0, limit, shift, scale, s.bits[0], acc);
    }

    /**
     * A contiguous FP32 run of {@code padded} elements (a multiple of 8; the last {@code pad} groups
     * all-zero padding) in three passes, or two (see below): {@link #range32} (the limit, and the
     * smallest key for the group counts), the decide pass ({@link #decide32c12} or
     * {@link #decide32c24}: keep lanes into {@code kp}) and {@link #apply32}. Returns false, having changed nothing, if a key reaches the
     * limit.
     *
     * <p>The range pass is there for speed as much as for the limit: a loop of a load and three
     * operations per vector has many more cache misses in flight than the decide pass, so it streams
     * a run from memory into the cache quickly, and the two passes after it read the cache. With the
     * limit found by the decide pass itself, a whole FP16 prune on JDK 17 took 1.4 times as long
     * (benchmarks/RESULTS.md).
     *
     * <p>Where {@code VectorMask.toLong} is slow (JDK 17), 1:2 runs of whole 32-element steps take the
     * decide and apply passes in one loop after the range pass ({@link #fused32c12Words}).
     */
    private static boolean twoPass32(float[] v, int off, int[] kp, int padded, int pad, int m, long[] bits,
                                     MaskStats.Acc acc) {
        long range = range32(v, off, padded);
        if ((int) (range >>> 32) >= FP32_LIMIT) {
            return false;
        }
        if (m == 2 && !MASK_TO_LONG && padded % (4 * IL) == 0) {
            groupCounts32(v, v, v, v, off, off + 1, off + 2, off + 3, m, padded / m, m, (int) range, pad, acc);
            fused32c12Words(v, off, padded, pad, bits, acc);
            return true;
        }
        if (m == 2) {
            decide32c12(v, off, kp, padded, pad, acc);
        } else {
            decide32c24(v, off, kp, padded, pad, acc);
        }
        groupCounts32(v, v, v, v, off, off + 1, off + 2, off + 3, m, padded / m, m, (int) range, pad, acc);
        apply32(v, off, kp, padded, bits, acc);
        return true;
    }

    /**
     * As {@link #twoPass32} for a contiguous 16-bit 2:4 run ({@code padded} a multiple of 16):
     * {@link #range16}, {@link #decide16c24}, the group counts ({@link #groupCounts16}) and
     * {@link #apply16}.
     */
    private static boolean twoPass16(short[] v, int off, short[] kp, int padded, int pad, int limit, int shift,
                                     double scale, long[] bits, MaskStats.Acc acc) {
        long range = range16(v, off, padded);
        if ((int) (range >>> 32) >= limit) {
            return false;
        }
        decide16c24(v, off, kp, padded, pad, acc);
        groupCounts16(v, v, v, v, off, off + 1, off + 2, off + 3, 4, padded / 4, (int) range, pad, acc);
        apply16(v, off, kp, padded, shift, scale, bits, acc);
        return true;
    }

    /**
     * As {@link #kernel} for a strided block, on the tensor's own array: element j of the
     * {@code g} groups (g a multiple of 64, at most {@link FusedStrip#CHUNK}) is the run of
     * {@code g} elements from {@code rows[j]} ({@code m} rows; {@code float[]} for FP32,
     * {@code short[]} for FP16 and BF16). Zeroes in place, mask bits of row j go to
     * {@code s.bits[j]}, statistics to {@code acc}. Returns false, having changed nothing, if a key
     * reaches the type's limit: all rows are checked before anything is written (the range pass of
     * each row, which also gives the smallest key for the group counts). Then the decide pass and
     * the apply pass of each row, or with {@link #useOnePass one pass selected} {@link #fused16s24},
     * {@link #fused32s24} or {@link #fused32s12} (8192 x 8192 FP16 along axis 0 on JDK 25, one
     * thread: 37.5 to 29 ms a prune; benchmarks/RESULTS.md).
     */
    static boolean inPlaceStrided(ElementType type, int m, Object array, int[] rows, int g, FusedStrip.Scratch s,
                                  MaskStats.Acc acc) {
        if (type == ElementType.FP32) {
            float[] v = (float[]) array;
            int minKey = minKey32(v, v, v, v, rows, m, g);
            if (minKey < 0) {
                return false;
            }
            groupCounts32(v, v, v, v, rows[0], rows[1], rows[2], rows[3], 1, g, m, minKey, 0, acc);
            if (onePass) {
                if (m == 2) {
                    fused32s12(v, rows, g, s.bits, acc);
                } else {
                    fused32s24(v, rows, g, s.bits, acc);
                }
                return true;
            }
            int[][] kp = s.keep32(m);
            if (m == 2) {
                decide32s12(v, v, rows, kp[0], kp[1], g, 0, acc);
            } else {
                decide32s24(v, v, v, v, rows, kp, g, 0, acc);
            }
            for (int j = 0; j < m; j++) {
                apply32(v, rows[j], kp[j], g, s.bits[j], acc);
            }
            return true;
        }
        boolean fp16 = type == ElementType.FP16;
        int limit = fp16 ? FP16_LIMIT : BF16_LIMIT;
        short[] v = (short[]) array;
        int minKey = minKey16(v, v, v, v, rows, g, limit);
        if (minKey < 0) {
            return false;
        }
        groupCounts16(v, v, v, v, rows[0], rows[1], rows[2], rows[3], 1, g, minKey, 0, acc);
        if (onePass) {
            fused16s24(v, rows, g, fp16 ? 3 : 0, fp16 ? FP16_SCALE : 1.0, s.bits, acc);
            return true;
        }
        short[][] kp = s.keep16(4);
        decide16s24(v, v, v, v, rows, kp, g, 0, acc);
        for (int j = 0; j < 4; j++) {
            apply16(v, rows[j], kp[j], g, fp16 ? 3 : 0, fp16 ? FP16_SCALE : 1.0, s.bits[j], acc);
        }
        return true;
    }

    /**
     * Adds the all-zero, underfilled and overfilled group counts of {@code groups} FP32 groups whose
     * smallest key is {@code minKey}, as the scalar kernel counts them (underfilled: fewer than N
     * non-zero keys, all-zero groups included; overfilled: more than N). Element j of group q is
     * {@code vj[oj + q * step]}: in a contiguous run {@code step} is M, the four arrays are the same
     * and {@code oj} is the run's start plus j; in a strided block {@code step} is 1 and
     * {@code vj[oj]} starts row j. 1:2 reads {@code v0} and {@code v1} only. The last {@code pad} groups are all-zero
     * padding and are not counted. Without a zero key every group is overfilled (and there is no
     * padding); a run with one is counted by a scalar loop. The kernels themselves count only
     * ties. Scalar on purpose: such runs are rare in real weights, and a rarely called method runs
     * interpreted or as C1 code for a long time, where every Vector API operation is a call that
     * allocates, while scalar code stays cheap there. (These runs used to take the two-pass kernels,
     * and a tensor with a few zeros pruned several times slower; benchmarks/RESULTS.md.)
     */
    private static void groupCounts32(float[] v0, float[] v1, float[] v2, float[] v3, int o0, int o1, int o2, int o3,
                                      int step, int groups, int m, int minKey, int pad, MaskStats.Acc acc) {
        if (minKey != 0) {
            acc.overfilled += groups;
            return;
        }
        long zero = 0;
        long under = 0;
        long over = 0;
        for (int q = 0; q < groups; q++) {
            int i = q * step;
            int nonZero = nz(v0[o0 + i]) + nz(v1[o1 + i]);
            if (m == 4) {
                nonZero += nz(v2[o2 + i]) + nz(v3[o3 + i]);
            }
            zero += nonZero == 0 ? 1 : 0;
            under += nonZero < m / 2 ? 1 : 0;
            over += nonZero > m / 2 ? 1 : 0;
        }
        acc.zeroGroups += zero - pad;
        acc.underfilled += under - pad;
        acc.overfilled += over;
    }

    /** As {@link #groupCounts32} for 16-bit 2:4 groups. */
    private static void groupCounts16(short[] v0, short[] v1, short[] v2, short[] v3, int o0, int o1, int o2, int o3,
                                      int step, int groups, int minKey, int pad, MaskStats.Acc acc) {
        if (minKey != 0) {
            acc.overfilled += groups;
            return;
        }
        long zero = 0;
        long under = 0;
        long over = 0;
        for (int q = 0; q < groups; q++) {
            int i = q * step;
            int nonZero = nz(v0[o0 + i]) + nz(v1[o1 + i]) + nz(v2[o2 + i]) + nz(v3[o3 + i]);
            zero += nonZero == 0 ? 1 : 0;
            under += nonZero < 2 ? 1 : 0;
            over += nonZero > 2 ? 1 : 0;
        }
        acc.zeroGroups += zero - pad;
        acc.underfilled += under - pad;
        acc.overfilled += over;
    }

    /** 1 if the element's magnitude is not zero. */
    private static int nz(float x) {
        return (Float.floatToRawIntBits(x) & 0x7FFF_FFFF) != 0 ? 1 : 0;
    }

    /** 1 if the 16-bit element's magnitude is not zero. */
    private static int nz(short x) {
        return (x & 0x7FFF) != 0 ? 1 : 0;
    }

    /**
     * The largest key (high 32 bits) and the smallest key (low 32 bits) of a run of FP32 elements.
     *
     * <p>The range passes read the run's two halves side by side, as two sequential streams: the
     * hardware prefetchers then fetch ahead in both, and the pass, which streams the run into the
     * cache for the passes after it, waits less on memory (8192 x 8192, two threads, JMH: JDK 17
     * FP32 1:2 27.0-29.3 to 25.3-25.8 ms a prune; four streams were slower than two in a scratch
     * harness; benchmarks/RESULTS.md).
     */
    private static long range32(float[] v, int off, int len) {
        IntVector max = IntVector.zero(I);
        IntVector min = IntVector.broadcast(I, Integer.MAX_VALUE);
        // the two halves of the run side by side: two streams of cache misses (see range32)
        int half = (len >> 1) & -IL;
        for (int i = 0; i < half; i += IL) {
            IntVector a = FloatVector.fromArray(FloatVector.SPECIES_256, v, off + i).reinterpretAsInts().and(0x7FFF_FFFF);
            IntVector b = FloatVector.fromArray(FloatVector.SPECIES_256, v, off + half + i).reinterpretAsInts().and(0x7FFF_FFFF);
            max = max.max(a).max(b);
            min = min.min(a).min(b);
        }
        for (int i = 2 * half; i < len; i += IL) {
            IntVector k = FloatVector.fromArray(FloatVector.SPECIES_256, v, off + i).reinterpretAsInts().and(0x7FFF_FFFF);
            max = max.max(k);
            min = min.min(k);
        }
        return (long) max.reduceLanes(VectorOperators.MAX) << 32 | min.reduceLanes(VectorOperators.MIN);
    }

    /**
     * {@link #range32} with 512-bit vectors ({@code len} a multiple of 16), before the one-pass FP32
     * kernels, as {@link #range16Wide} (8192 x 8192 FP32 1:2 on JDK 25, one thread: 45.9 to 42.7 ms a
     * prune; benchmarks/RESULTS.md).
     */
    private static long range32Wide(float[] v, int off, int len) {
        IntVector max = IntVector.zero(IntVector.SPECIES_512);
        IntVector min = IntVector.broadcast(IntVector.SPECIES_512, Integer.MAX_VALUE);
        // the two halves of the run side by side: two streams of cache misses (see range32)
        int half = (len >> 1) & -16;
        for (int i = 0; i < half; i += 16) {
            IntVector a = FloatVector.fromArray(FloatVector.SPECIES_512, v, off + i).reinterpretAsInts().and(0x7FFF_FFFF);
            IntVector b = FloatVector.fromArray(FloatVector.SPECIES_512, v, off + half + i).reinterpretAsInts().and(0x7FFF_FFFF);
            max = max.max(a).max(b);
            min = min.min(a).min(b);
        }
        for (int i = 2 * half; i < len; i += 16) {
            IntVector k = FloatVector.fromArray(FloatVector.SPECIES_512, v, off + i).reinterpretAsInts().and(0x7FFF_FFFF);
            max = max.max(k);
            min = min.min(k);
        }
        return (long) max.reduceLanes(VectorOperators.MAX) << 32 | min.reduceLanes(VectorOperators.MIN);
    }

    /** As {@link #range32} for 16-bit elements ({@code len} a multiple of 16). */
    private static long range16(short[] v, int off, int len) {
        ShortVector max = ShortVector.zero(S);
        ShortVector min = ShortVector.broadcast(S, Short.MAX_VALUE);
        // the two halves of the run side by side: two streams of cache misses (see range32)
        int half = (len >> 1) & -SL;
        for (int i = 0; i < half; i += SL) {
            ShortVector a = ShortVector.fromArray(S, v, off + i).and((short) 0x7FFF);
            ShortVector b = ShortVector.fromArray(S, v, off + half + i).and((short) 0x7FFF);
            max = max.max(a).max(b);
            min = min.min(a).min(b);
        }
        for (int i = 2 * half; i < len; i += SL) {
            ShortVector k = ShortVector.fromArray(S, v, off + i).and((short) 0x7FFF);
            max = max.max(k);
            min = min.min(k);
        }
        return (long) max.reduceLanes(VectorOperators.MAX) << 32 | min.reduceLanes(VectorOperators.MIN);
    }

    /**
     * {@link #range16} with 512-bit vectors ({@code len} a multiple of 32), before
     * {@link #fused16c24Wide}: one load per cache line, so the loop runs further ahead of the
     * memory and a run reaches the cache sooner (FP16, 8192 x 8192, two threads: 14.8 to 13.5 ms a
     * prune; benchmarks/RESULTS.md). JDK 17, which takes the two passes, keeps the 256-bit loop there:
     * this one measured slower on it. A copy of {@link #range16} with another species rather than one
     * method taking the species: C2 compiles Vector API calls to vector instructions only where the
     * species is a constant, and a species argument is one only where the call is inlined.
     */
    private static long range16Wide(short[] v, int off, int len) {
        ShortVector max = ShortVector.zero(W);
        ShortVector min = ShortVector.broadcast(W, Short.MAX_VALUE);
        // the two halves of the run side by side: two streams of cache misses (see range32)
        int half = (len >> 1) & -WL;
        for (int i = 0; i < half; i += WL) {
            ShortVector a = ShortVector.fromArray(W, v, off + i).and((short) 0x7FFF);
            ShortVector b = ShortVector.fromArray(W, v, off + half + i).and((short) 0x7FFF);
            max = max.max(a).max(b);
            min = min.min(a).min(b);
        }
        for (int i = 2 * half; i < len; i += WL) {
            ShortVector k = ShortVector.fromArray(W, v, off + i).and((short) 0x7FFF);
            max = max.max(k);
            min = min.min(k);
        }
        return (long) max.reduceLanes(VectorOperators.MAX) << 32 | min.reduceLanes(VectorOperators.MIN);
    }

    /**
     * Contiguous FP32 1:2 in one pass, for a run of keys below the limit: keep choice, zeroing,
     * tie count, magnitude sums and mask bits (the other group counts are the caller's).
     */
    private static long fused32c12(float[] v, int off, int len, int aheadLast, long[] bits, MaskStats.Acc acc) {
        long touched = 0;
        int aheadFrom = aheadLast - len; // i + len could overflow near the largest arrays
        long tiedLanes = 0;
        double total = 0;
        double kept = 0;
        int vectors = len / IL;
        for (int from = 0; from < vectors; from += FLUSH) {
            int to = Math.min(vectors, from + FLUSH);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_256);
            FloatVector fk = ft;
            long word = 0;
            for (int q = from; q < to; q++) {
                int i = off + q * IL;
                IntVector x = FloatVector.fromArray(FloatVector.SPECIES_256, v, i).reinterpretAsInts();
                touched += Float.floatToRawIntBits(v[Math.min(i, aheadFrom) + len]);
                IntVector k = x.and(0x7FFF_FFFF);
                IntVector d = k.sub(k.rearrange(X1));
                VectorMask<Integer> keep = d.compare(VectorOperators.GE, I_T1); // the partner does not beat me
                I_ZERO.blend(x, keep).reinterpretAsFloats().intoArray(v, i);
                tiedLanes += d.compare(VectorOperators.EQ, 0).trueCount();
                ft = ft.add(k.reinterpretAsFloats());
                fk = fk.add(I_ZERO.blend(k, keep).reinterpretAsFloats());
                word |= keep.toLong() << ((q & 7) << 3);
                if ((q & 7) == 7) {
                    bits[q >> 3] = word;
                    word = 0;
                }
            }
            // the lanes in a fixed order (see kernel)
            FloatVector st = ft.add(ft.rearrange(F_HALVES));
            FloatVector sk = fk.add(fk.rearrange(F_HALVES));
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3);
        }
        acc.tied += tiedLanes / 2; // both lanes of a pair count it
        acc.total += total;
        acc.keptSum += kept;
        return touched;
    }

    /** Contiguous FP32 2:4 in one pass, as {@link #fused32c12}; the choice as in {@link #decide32c24}. */
    private static long fused32c24(float[] v, int off, int len, int aheadLast, long[] bits, MaskStats.Acc acc) {
        long touched = 0;
        int aheadFrom = aheadLast - len; // i + len could overflow near the largest arrays
        long tiedLanes = 0;
        double total = 0;
        double kept = 0;
        int vectors = len / IL;
        for (int from = 0; from < vectors; from += FLUSH) {
            int to = Math.min(vectors, from + FLUSH);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_256);
            FloatVector fk = ft;
            long word = 0;
            for (int q = from; q < to; q++) {
                int i = off + q * IL;
                IntVector x = FloatVector.fromArray(FloatVector.SPECIES_256, v, i).reinterpretAsInts();
                touched += Float.floatToRawIntBits(v[Math.min(i, aheadFrom) + len]);
                IntVector k = x.and(0x7FFF_FFFF);
                // the second largest key of each group, from the pair maxima and minima
                IntVector p1 = k.reinterpretAsLongs().lanewise(VectorOperators.ROL, 32).reinterpretAsInts();
                IntVector mx = k.max(p1);
                IntVector mn = k.min(p1);
                IntVector second = mx.min(mx.rearrange(X2)).max(mn.max(mn.rearrange(X2)));
                VectorMask<Integer> keep = k.compare(VectorOperators.GE, second);
                if (keep.trueCount() != IL / 2) {
                    // a group has more than two keys at or above its second largest: a tie decides
                    long choice = rankChoice32(k);
                    keep = VectorMask.fromLong(I, choice & 0xFF);
                    tiedLanes += choice >>> 8;
                }
                I_ZERO.blend(x, keep).reinterpretAsFloats().intoArray(v, i);
                ft = ft.add(k.reinterpretAsFloats());
                fk = fk.add(I_ZERO.blend(k, keep).reinterpretAsFloats());
                word |= keep.toLong() << ((q & 7) << 3);
                if ((q & 7) == 7) {
                    bits[q >> 3] = word;
                    word = 0;
                }
            }
            // the lanes in a fixed order (see kernel)
            FloatVector st = ft.add(ft.rearrange(F_HALVES));
            FloatVector sk = fk.add(fk.rearrange(F_HALVES));
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3);
        }
        acc.tied += tiedLanes;
        acc.total += total;
        acc.keptSum += kept;
        return touched;
    }

    /**
     * The rank rule for one vector of 2 groups of FP32 keys (ties to the lower index): keep lane j
     * as bit j (bits 0-7), and the number of tied groups from bit 8 on.
     */
    private static long rankChoice32(IntVector k) {
        IntVector d1 = k.sub(k.rearrange(X1));
        IntVector d2 = k.sub(k.rearrange(X2));
        IntVector d3 = k.sub(k.rearrange(X3));
        IntVector beaten = d1.sub(I_T1).lanewise(VectorOperators.ASHR, 31)
                .add(d2.sub(I_T2).lanewise(VectorOperators.ASHR, 31))
                .add(d3.sub(I_T2).lanewise(VectorOperators.ASHR, 31));
        IntVector greater = d1.lanewise(VectorOperators.ASHR, 31)
                .add(d2.lanewise(VectorOperators.ASHR, 31))
                .add(d3.lanewise(VectorOperators.ASHR, 31));
        long keep = beaten.compare(VectorOperators.GT, I_MINUS2).toLong();
        long tied = beaten.compare(VectorOperators.EQ, I_MINUS2)
                .andNot(greater.compare(VectorOperators.EQ, beaten)).trueCount();
        return keep | tied << 8;
    }

    /**
     * Contiguous 16-bit 2:4 in one pass, for a run of keys below the limit (group counts other than
     * ties are the caller's); the choice and the tie count as in {@link #decide16c24}, the sums as
     * in {@link #apply16}.
     * 256-bit vectors; {@link #fused16c24Wide} is the 512-bit form.
     */
    private static long fused16c24(short[] v, int off, int len, int aheadLast, int shift, double scale, long[] bits,
                                   MaskStats.Acc acc) {
        long touched = 0;
        int aheadFrom = aheadLast - len; // i + len could overflow near the largest arrays
        long tied = 0;
        double total = 0;
        double kept = 0;
        int up = 16 - shift;
        int keyBits = 0x7FFF << up; // where a key's bits sit in a float of its magnitude
        int vectors = len / SL;
        for (int from = 0; from < vectors; from += FLUSH) {
            int to = Math.min(vectors, from + FLUSH);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_256);
            FloatVector fk = ft;
            long word = 0;
            for (int q = from; q < to; q++) {
                int i = off + q * SL;
                ShortVector x = ShortVector.fromArray(S, v, i);
                touched += v[Math.min(i, aheadFrom) + len];
                ShortVector k = x.and((short) 0x7FFF);
                IntVector ki = k.reinterpretAsInts();
                // the second largest key of each group, from the pair maxima and minima
                ShortVector p1 = ki.lanewise(VectorOperators.LSHL, 16).or(ki.lanewise(VectorOperators.LSHR, 16))
                        .reinterpretAsShorts();
                ShortVector mx = k.max(p1);
                ShortVector mn = k.min(p1);
                LongVector mxl = mx.reinterpretAsLongs();
                LongVector mnl = mn.reinterpretAsLongs();
                ShortVector mxOther = mxl.lanewise(VectorOperators.LSHL, 32).or(mxl.lanewise(VectorOperators.LSHR, 32))
                        .reinterpretAsShorts();
                ShortVector mnOther = mnl.lanewise(VectorOperators.LSHL, 32).or(mnl.lanewise(VectorOperators.LSHR, 32))
                        .reinterpretAsShorts();
                ShortVector second = mx.min(mxOther).max(mn.max(mnOther));
                VectorMask<Short> keep = k.compare(VectorOperators.GE, second);
                if (keep.trueCount() != SL / 2) {
                    // a group has more than two keys at or above its second largest: a tie decides
                    long choice = rankChoice16(k);
                    keep = VectorMask.fromLong(S, choice & 0xFFFF);
                    tied += choice >>> 16;
                }
                S_ZERO.blend(x, keep).intoArray(v, i);
                ft = ft.add(ki.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats())
                        .add(ki.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats());
                IntVector kk = S_ZERO.blend(k, keep).reinterpretAsInts();
                fk = fk.add(kk.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats())
                        .add(kk.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats());
                word |= keep.toLong() << ((q & 3) << 4);
                if ((q & 3) == 3) {
                    bits[q >> 2] = word;
                    word = 0;
                }
            }
            // the lanes in a fixed order (see kernel)
            FloatVector st = ft.add(ft.rearrange(F_HALVES));
            FloatVector sk = fk.add(fk.rearrange(F_HALVES));
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3);
        }
        acc.tied += tied;
        acc.total += total * scale;
        acc.keptSum += kept * scale;
        return touched;
    }

    /** Vectors per float partial sum of {@link #fused16s24}: four rows add four times the terms. */
    private static final int FLUSH_ROWS = FLUSH / 4;

    /**
     * Strided 16-bit 2:4 in one pass over the four rows of a block in place ({@code v}, row j from
     * {@code rows[j]}, {@code g} elements each, a multiple of 64, keys below the limit; group counts
     * other than ties are the caller's): the choice and the tie count as in {@link #decide16s24}
     * (each lane's group is its four rows), the zeroing, the sums, and the mask bits of row j into
     * {@code bits[j]}. The kept sum adds each group's largest and second largest keys from the
     * sorting network. Float lane sums as in {@link #kernel}, flushed every {@link #FLUSH_ROWS}
     * vectors so that a lane still holds at most {@code 2 * FLUSH} terms.
     */
    private static void fused16s24(short[] v, int[] rows, int g, int shift, double scale, long[][] bits,
                                   MaskStats.Acc acc) {
        int o0 = rows[0];
        int o1 = rows[1];
        int o2 = rows[2];
        int o3 = rows[3];
        long[] w0 = bits[0];
        long[] w1 = bits[1];
        long[] w2 = bits[2];
        long[] w3 = bits[3];
        long tied = 0;
        double total = 0;
        double kept = 0;
        int up = 16 - shift;
        int keyBits = 0x7FFF << up; // where a key's bits sit in a float of its magnitude
        int vectors = g / SL;
        for (int from = 0; from < vectors; from += FLUSH_ROWS) {
            int to = Math.min(vectors, from + FLUSH_ROWS);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_256);
            FloatVector fk = ft;
            long b0 = 0;
            long b1 = 0;
            long b2 = 0;
            long b3 = 0;
            for (int q = from; q < to; q++) {
                int i = q * SL;
                ShortVector xa = ShortVector.fromArray(S, v, o0 + i);
                ShortVector xb = ShortVector.fromArray(S, v, o1 + i);
                ShortVector xc = ShortVector.fromArray(S, v, o2 + i);
                ShortVector xd = ShortVector.fromArray(S, v, o3 + i);
                ShortVector a = xa.and((short) 0x7FFF);
                ShortVector b = xb.and((short) 0x7FFF);
                ShortVector c = xc.and((short) 0x7FFF);
                ShortVector d = xd.and((short) 0x7FFF);
                ShortVector mx1 = a.max(b);
                ShortVector mx2 = c.max(d);
                ShortVector mn1 = a.min(b);
                ShortVector mn2 = c.min(d);
                ShortVector hi = mx1.min(mx2);
                ShortVector lo = mn1.max(mn2);
                ShortVector second = hi.max(lo);
                VectorMask<Short> ka;
                VectorMask<Short> kb;
                VectorMask<Short> kc;
                VectorMask<Short> kd;
                VectorMask<Short> tie = hi.compare(VectorOperators.EQ, lo);
                if (tie.anyTrue()) {
                    // the rank rule of decide16s24: xy = all ones if x beats y (x >= y, x at the lower index)
                    ShortVector bm = b.sub((short) 1);
                    ShortVector cm = c.sub((short) 1);
                    ShortVector dm = d.sub((short) 1);
                    ShortVector ab = bm.sub(a).lanewise(VectorOperators.ASHR, 15);
                    ShortVector ac = cm.sub(a).lanewise(VectorOperators.ASHR, 15);
                    ShortVector ad = dm.sub(a).lanewise(VectorOperators.ASHR, 15);
                    ShortVector bc = cm.sub(b).lanewise(VectorOperators.ASHR, 15);
                    ShortVector bd = dm.sub(b).lanewise(VectorOperators.ASHR, 15);
                    ShortVector cd = dm.sub(c).lanewise(VectorOperators.ASHR, 15);
                    ka = ab.add(ac).add(ad).add((short) 1).compare(VectorOperators.LT, (short) 0);
                    kb = bc.add(bd).sub(ab).compare(VectorOperators.LT, (short) 0);
                    kc = cd.sub(ac).sub(bc).sub((short) 1).compare(VectorOperators.LT, (short) 0);
                    kd = ad.add(bd).add(cd).neg().sub((short) 2).compare(VectorOperators.LT, (short) 0);
                    tied += tie.trueCount();
                } else {
                    ka = a.compare(VectorOperators.GE, second);
                    kb = b.compare(VectorOperators.GE, second);
                    kc = c.compare(VectorOperators.GE, second);
                    kd = d.compare(VectorOperators.GE, second);
                }
                S_ZERO.blend(xa, ka).intoArray(v, o0 + i);
                S_ZERO.blend(xb, kb).intoArray(v, o1 + i);
                S_ZERO.blend(xc, kc).intoArray(v, o2 + i);
                S_ZERO.blend(xd, kd).intoArray(v, o3 + i);
                IntVector ia = a.reinterpretAsInts();
                IntVector ib = b.reinterpretAsInts();
                IntVector ic = c.reinterpretAsInts();
                IntVector id = d.reinterpretAsInts();
                IntVector i1 = mx1.max(mx2).reinterpretAsInts(); // largest key of each group
                IntVector i2 = second.reinterpretAsInts();
                ft = ft.add(ia.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats())
                        .add(ia.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats())
                        .add(ib.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats())
                        .add(ib.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats())
                        .add(ic.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats())
                        .add(ic.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats())
                        .add(id.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats())
                        .add(id.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats());
                fk = fk.add(i1.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats())
                        .add(i1.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats())
                        .add(i2.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats())
                        .add(i2.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats());
                int at = (q & 3) << 4;
                b0 |= ka.toLong() << at;
                b1 |= kb.toLong() << at;
                b2 |= kc.toLong() << at;
                b3 |= kd.toLong() << at;
                if ((q & 3) == 3) {
                    w0[q >> 2] = b0;
                    w1[q >> 2] = b1;
                    w2[q >> 2] = b2;
                    w3[q >> 2] = b3;
                    b0 = 0;
                    b1 = 0;
                    b2 = 0;
                    b3 = 0;
                }
            }
            // the lanes in a fixed order (see kernel)
            FloatVector st = ft.add(ft.rearrange(F_HALVES));
            FloatVector sk = fk.add(fk.rearrange(F_HALVES));
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3);
        }
        acc.tied += tied;
        acc.total += total * scale;
        acc.keptSum += kept * scale;
    }

    /**
     * Strided FP32 2:4 in one pass, as {@link #fused16s24}: the four rows of a block in place,
     * {@code g} elements each (a multiple of 64), keys below the limit; the sums are of the keys as
     * floats (at most {@code 4 * FLUSH_ROWS = FLUSH} terms per lane).
     */
    private static void fused32s24(float[] v, int[] rows, int g, long[][] bits, MaskStats.Acc acc) {
        int o0 = rows[0];
        int o1 = rows[1];
        int o2 = rows[2];
        int o3 = rows[3];
        long[] w0 = bits[0];
        long[] w1 = bits[1];
        long[] w2 = bits[2];
        long[] w3 = bits[3];
        long tied = 0;
        double total = 0;
        double kept = 0;
        int vectors = g / IL;
        for (int from = 0; from < vectors; from += FLUSH_ROWS) {
            int to = Math.min(vectors, from + FLUSH_ROWS);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_256);
            FloatVector fk = ft;
            long b0 = 0;
            long b1 = 0;
            long b2 = 0;
            long b3 = 0;
            for (int q = from; q < to; q++) {
                int i = q * IL;
                IntVector xa = FloatVector.fromArray(FloatVector.SPECIES_256, v, o0 + i).reinterpretAsInts();
                IntVector xb = FloatVector.fromArray(FloatVector.SPECIES_256, v, o1 + i).reinterpretAsInts();
                IntVector xc = FloatVector.fromArray(FloatVector.SPECIES_256, v, o2 + i).reinterpretAsInts();
                IntVector xd = FloatVector.fromArray(FloatVector.SPECIES_256, v, o3 + i).reinterpretAsInts();
                IntVector a = xa.and(0x7FFF_FFFF);
                IntVector b = xb.and(0x7FFF_FFFF);
                IntVector c = xc.and(0x7FFF_FFFF);
                IntVector d = xd.and(0x7FFF_FFFF);
                IntVector mx1 = a.max(b);
                IntVector mx2 = c.max(d);
                IntVector hi = mx1.min(mx2);
                IntVector lo = a.min(b).max(c.min(d));
                IntVector second = hi.max(lo);
                VectorMask<Integer> ka;
                VectorMask<Integer> kb;
                VectorMask<Integer> kc;
                VectorMask<Integer> kd;
                VectorMask<Integer> tie = hi.compare(VectorOperators.EQ, lo);
                if (tie.anyTrue()) {
                    // the rank rule of decide32s24: xy = all ones if x beats y (x >= y, x at the lower index)
                    IntVector bm = b.sub(1);
                    IntVector cm = c.sub(1);
                    IntVector dm = d.sub(1);
                    IntVector ab = bm.sub(a).lanewise(VectorOperators.ASHR, 31);
                    IntVector ac = cm.sub(a).lanewise(VectorOperators.ASHR, 31);
                    IntVector ad = dm.sub(a).lanewise(VectorOperators.ASHR, 31);
                    IntVector bc = cm.sub(b).lanewise(VectorOperators.ASHR, 31);
                    IntVector bd = dm.sub(b).lanewise(VectorOperators.ASHR, 31);
                    IntVector cd = dm.sub(c).lanewise(VectorOperators.ASHR, 31);
                    ka = ab.add(ac).add(ad).add(1).compare(VectorOperators.LT, 0);
                    kb = bc.add(bd).sub(ab).compare(VectorOperators.LT, 0);
                    kc = cd.sub(ac).sub(bc).sub(1).compare(VectorOperators.LT, 0);
                    kd = ad.add(bd).add(cd).neg().sub(2).compare(VectorOperators.LT, 0);
                    tied += tie.trueCount();
                } else {
                    ka = a.compare(VectorOperators.GE, second);
                    kb = b.compare(VectorOperators.GE, second);
                    kc = c.compare(VectorOperators.GE, second);
                    kd = d.compare(VectorOperators.GE, second);
                }
                I_ZERO.blend(xa, ka).reinterpretAsFloats().intoArray(v, o0 + i);
                I_ZERO.blend(xb, kb).reinterpretAsFloats().intoArray(v, o1 + i);
                I_ZERO.blend(xc, kc).reinterpretAsFloats().intoArray(v, o2 + i);
                I_ZERO.blend(xd, kd).reinterpretAsFloats().intoArray(v, o3 + i);
                ft = ft.add(a.reinterpretAsFloats()).add(b.reinterpretAsFloats())
                        .add(c.reinterpretAsFloats()).add(d.reinterpretAsFloats());
                fk = fk.add(mx1.max(mx2).reinterpretAsFloats()).add(second.reinterpretAsFloats());
                int at = (q & 7) << 3;
                b0 |= ka.toLong() << at;
                b1 |= kb.toLong() << at;
                b2 |= kc.toLong() << at;
                b3 |= kd.toLong() << at;
                if ((q & 7) == 7) {
                    w0[q >> 3] = b0;
                    w1[q >> 3] = b1;
                    w2[q >> 3] = b2;
                    w3[q >> 3] = b3;
                    b0 = 0;
                    b1 = 0;
                    b2 = 0;
                    b3 = 0;
                }
            }
            // the lanes in a fixed order (see kernel)
            FloatVector st = ft.add(ft.rearrange(F_HALVES));
            FloatVector sk = fk.add(fk.rearrange(F_HALVES));
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3);
        }
        acc.tied += tied;
        acc.total += total;
        acc.keptSum += kept;
    }

    /**
     * Strided FP32 1:2 in one pass, as {@link #fused32s24} for the two rows of a block: the first
     * row's element kept where its key is at least the second's.
     */
    private static void fused32s12(float[] v, int[] rows, int g, long[][] bits, MaskStats.Acc acc) {
        int o0 = rows[0];
        int o1 = rows[1];
        long[] w0 = bits[0];
        long[] w1 = bits[1];
        long tied = 0;
        double total = 0;
        double kept = 0;
        int vectors = g / IL;
        for (int from = 0; from < vectors; from += FLUSH_ROWS) {
            int to = Math.min(vectors, from + FLUSH_ROWS);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_256);
            FloatVector fk = ft;
            long b0 = 0;
            long b1 = 0;
            for (int q = from; q < to; q++) {
                int i = q * IL;
                IntVector xa = FloatVector.fromArray(FloatVector.SPECIES_256, v, o0 + i).reinterpretAsInts();
                IntVector xb = FloatVector.fromArray(FloatVector.SPECIES_256, v, o1 + i).reinterpretAsInts();
                IntVector a = xa.and(0x7FFF_FFFF);
                IntVector b = xb.and(0x7FFF_FFFF);
                VectorMask<Integer> ka = a.compare(VectorOperators.GE, b); // ties to the first row
                VectorMask<Integer> kb = ka.not();
                I_ZERO.blend(xa, ka).reinterpretAsFloats().intoArray(v, o0 + i);
                I_ZERO.blend(xb, kb).reinterpretAsFloats().intoArray(v, o1 + i);
                tied += a.compare(VectorOperators.EQ, b).trueCount();
                ft = ft.add(a.reinterpretAsFloats()).add(b.reinterpretAsFloats());
                fk = fk.add(a.max(b).reinterpretAsFloats());
                int at = (q & 7) << 3;
                b0 |= ka.toLong() << at;
                b1 |= kb.toLong() << at;
                if ((q & 7) == 7) {
                    w0[q >> 3] = b0;
                    w1[q >> 3] = b1;
                    b0 = 0;
                    b1 = 0;
                }
            }
            // the lanes in a fixed order (see kernel)
            FloatVector st = ft.add(ft.rearrange(F_HALVES));
            FloatVector sk = fk.add(fk.rearrange(F_HALVES));
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3);
        }
        acc.tied += tied;
        acc.total += total;
        acc.keptSum += kept;
    }

    /**
     * {@link #fused16c24} with 512-bit vectors (32 lanes, 8 groups, two mask half-words per vector),
     * for CPUs where they are preferred ({@link #WIDE16}). Partners come in by rotations of the 32-
     * and 64-bit views ({@code ROL}: one instruction each with AVX-512). The kept sum adds each
     * group's largest and second largest keys, whichever lanes hold them: lane 0 of a group takes the
     * largest, lane 2 the second, and only the even lanes are summed. The lane sums are as in
     * {@link #kernel}: the low and the high halves of the 32-bit views go to two float vectors, added
     * at each flush, then lane i plus lane i + 8, then those eight in lane order; at most
     * {@code 2 * FLUSH} terms per lane, as in the 256-bit form.
     *
     * <p>Written with no vector constant loaded from a field inside the loop (C2 reloads those on
     * every iteration, since the kernel's stores to a {@code short[]} might change them) and with
     * the tie rule for the whole vector in one method ({@link #rankChoice16Wide}): two calls of the
     * 256-bit rule were not inlined, and the vector registers were kept on the stack.
     */
    private static long fused16c24Wide(short[] v, int off, int len, int aheadLast, int shift, double scale,
                                       long[] bits, MaskStats.Acc acc) {
        long touched = 0;
        int aheadFrom = aheadLast - len; // i + len could overflow near the largest arrays
        long tied = 0;
        double total = 0;
        double kept = 0;
        int up = 16 - shift;
        int keyBits = 0x7FFF << up; // where a key's bits sit in a float of its magnitude
        int vectors = len / WL;
        for (int from = 0; from < vectors; from += FLUSH) {
            int to = Math.min(vectors, from + FLUSH);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_512);
            FloatVector ft2 = ft;
            FloatVector fk = ft;
            for (int q = from; q < to; q++) {
                int i = off + q * WL;
                ShortVector x = ShortVector.fromArray(W, v, i);
                touched += v[Math.min(i, aheadFrom) + len];
                ShortVector k = x.and((short) 0x7FFF);
                IntVector ki = k.reinterpretAsInts();
                // the second largest key of each group, from the pair maxima and minima
                ShortVector p1 = ki.lanewise(VectorOperators.ROL, 16).reinterpretAsShorts();
                ShortVector mx = k.max(p1);
                ShortVector mn = k.min(p1);
                ShortVector mxOther = mx.reinterpretAsLongs().lanewise(VectorOperators.ROL, 32).reinterpretAsShorts();
                ShortVector mnOther = mn.reinterpretAsLongs().lanewise(VectorOperators.ROL, 32).reinterpretAsShorts();
                ShortVector second = mx.min(mxOther).max(mn.max(mnOther));
                VectorMask<Short> keep = k.compare(VectorOperators.GE, second);
                long keepBits;
                if (keep.trueCount() != WL / 2) {
                    // a group has more than two keys at or above its second largest: a tie decides
                    long choice = rankChoice16Wide(k);
                    keepBits = choice & 0xFFFF_FFFFL;
                    keep = VectorMask.fromLong(W, keepBits);
                    tied += choice >>> 32;
                } else {
                    keepBits = keep.toLong();
                }
                ShortVector.zero(W).blend(x, keep).intoArray(v, i);
                ft = ft.add(ki.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats());
                ft2 = ft2.add(ki.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats());
                IntVector kk = mx.max(mxOther).blend(second, W_LANES_2_3).reinterpretAsInts();
                fk = fk.add(kk.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats());
                if ((q & 1) == 0) {
                    bits[q >> 1] = keepBits;
                } else {
                    bits[q >> 1] |= keepBits << 32;
                }
            }
            // the lanes in a fixed order (see kernel)
            ft = ft.add(ft2);
            FloatVector st = ft.add(ft.rearrange(W_HALVES));
            FloatVector sk = fk.add(fk.rearrange(W_HALVES));
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3)
                    + st.lane(4) + st.lane(5) + st.lane(6) + st.lane(7);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3)
                    + sk.lane(4) + sk.lane(5) + sk.lane(6) + sk.lane(7);
        }
        acc.tied += tied;
        acc.total += total * scale;
        acc.keptSum += kept * scale;
        return touched;
    }

    /**
     * {@link #rankChoice16} for one 512-bit vector of 8 groups: keep lane j as bit j (bits 0-31),
     * and the number of tied groups from bit 32 on.
     */
    private static long rankChoice16Wide(ShortVector k) {
        IntVector ki = k.reinterpretAsInts();
        ShortVector p1 = ki.lanewise(VectorOperators.ROL, 16).reinterpretAsShorts();
        LongVector p2l = k.reinterpretAsLongs().lanewise(VectorOperators.ROL, 32);
        ShortVector p3 = p2l.reinterpretAsInts().lanewise(VectorOperators.ROL, 16).reinterpretAsShorts();
        ShortVector d1 = k.sub(p1);
        ShortVector d2 = k.sub(p2l.reinterpretAsShorts());
        ShortVector d3 = k.sub(p3);
        ShortVector beaten = d1.sub(W_T1).lanewise(VectorOperators.ASHR, 15)
                .add(d2.sub(W_T2).lanewise(VectorOperators.ASHR, 15))
                .add(d3.sub(W_T2).lanewise(VectorOperators.ASHR, 15));
        ShortVector greater = d1.lanewise(VectorOperators.ASHR, 15)
                .add(d2.lanewise(VectorOperators.ASHR, 15))
                .add(d3.lanewise(VectorOperators.ASHR, 15));
        long keep = beaten.compare(VectorOperators.GT, W_MINUS2).toLong();
        long tied = beaten.compare(VectorOperators.EQ, W_MINUS2)
                .andNot(greater.compare(VectorOperators.EQ, beaten)).trueCount();
        return keep | tied << 32;
    }

    /**
     * The rank rule of {@link #decide16c24} for one vector of 4 groups of positive keys: keep lane
     * j as bit j (bits 0-15), and the number of tied groups from bit 16 on.
     */
    private static long rankChoice16(ShortVector k) {
        IntVector ki = k.reinterpretAsInts();
        ShortVector p1 = ki.lanewise(VectorOperators.LSHL, 16).or(ki.lanewise(VectorOperators.LSHR, 16))
                .reinterpretAsShorts();
        LongVector kl = k.reinterpretAsLongs();
        LongVector p2l = kl.lanewise(VectorOperators.LSHL, 32).or(kl.lanewise(VectorOperators.LSHR, 32));
        IntVector p2i = p2l.reinterpretAsInts();
        ShortVector p3 = p2i.lanewise(VectorOperators.LSHL, 16).or(p2i.lanewise(VectorOperators.LSHR, 16))
                .reinterpretAsShorts();
        ShortVector d1 = k.sub(p1);
        ShortVector d2 = k.sub(p2l.reinterpretAsShorts());
        ShortVector d3 = k.sub(p3);
        ShortVector beaten = d1.sub(S_T1).lanewise(VectorOperators.ASHR, 15)
                .add(d2.sub(S_T2).lanewise(VectorOperators.ASHR, 15))
                .add(d3.sub(S_T2).lanewise(VectorOperators.ASHR, 15));
        ShortVector greater = d1.lanewise(VectorOperators.ASHR, 15)
                .add(d2.lanewise(VectorOperators.ASHR, 15))
                .add(d3.lanewise(VectorOperators.ASHR, 15));
        long keep = beaten.compare(VectorOperators.GT, S_MINUS2).toLong();
        long tied = beaten.compare(VectorOperators.EQ, S_MINUS2)
                .andNot(greater.compare(VectorOperators.EQ, beaten)).trueCount();
        return keep | tied << 16;
    }

    /**
     * The smallest key of the four rows of a strided 16-bit block (row j: {@code len} elements of
     * {@code vj} from {@code off[j]}), or -1 if a key reaches {@code limit}: the range pass of a
     * strided block ({@link #range16} on each row).
     */
    private static int minKey16(short[] v0, short[] v1, short[] v2, short[] v3, int[] off, int len, int limit) {
        long r0 = range16(v0, off[0], len);
        long r1 = range16(v1, off[1], len);
        long r2 = range16(v2, off[2], len);
        long r3 = range16(v3, off[3], len);
        int max = Math.max(Math.max((int) (r0 >>> 32), (int) (r1 >>> 32)), Math.max((int) (r2 >>> 32), (int) (r3 >>> 32)));
        return max >= limit ? -1 : Math.min(Math.min((int) r0, (int) r1), Math.min((int) r2, (int) r3));
    }

    /**
     * As {@link #minKey16} for the {@code m} rows of a strided FP32 block: 2:4 reads the four rows,
     * 1:2 only {@code v0} and {@code v1} (rows {@code off[0]} and {@code off[1]}).
     */
    private static int minKey32(float[] v0, float[] v1, float[] v2, float[] v3, int[] off, int m, int len) {
        long r0 = range32(v0, off[0], len);
        long r1 = range32(v1, off[1], len);
        int max = Math.max((int) (r0 >>> 32), (int) (r1 >>> 32));
        int min = Math.min((int) r0, (int) r1);
        if (m == 4) {
            long r2 = range32(v2, off[2], len);
            long r3 = range32(v3, off[3], len);
            max = Math.max(max, Math.max((int) (r2 >>> 32), (int) (r3 >>> 32)));
            min = Math.min(min, Math.min((int) r2, (int) r3));
        }
        return max >= FP32_LIMIT ? -1 : min;
    }

    // ---------------------------------------------------------------- apply: zeroing, sums, mask bits

    /**
     * Zeroes the unkept elements of one lane of 16-bit elements, adds the total and kept
     * magnitudes (float bits of a key: the key shifted left by {@code 16 - shift}, times
     * {@code scale}) and writes the keep bits, 16 per vector.
     */
    private static void apply16(short[] v, int off, short[] kp, int padded, int shift, double scale, long[] bits,
                                MaskStats.Acc acc) {
        double total = 0;
        double kept = 0;
        long word = 0;
        int vectors = padded / SL;
        int up = 16 - shift;
        int keyBits = 0x7FFF << up; // where a key's bits sit in a float of its magnitude
        for (int from = 0; from < vectors; from += FLUSH) {
            int to = Math.min(vectors, from + FLUSH);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_256);
            FloatVector fk = ft;
            for (int q = from; q < to; q++) {
                int i = q * SL;
                ShortVector x = ShortVector.fromArray(S, v, off + i);
                ShortVector keep = ShortVector.fromArray(S, kp, i);
                ShortVector y = x.and(keep);
                y.intoArray(v, off + i);
                // the key mask also clears the sign bits: no separate and with 0x7FFF
                IntVector k = x.reinterpretAsInts();
                IntVector kk = y.reinterpretAsInts();
                ft = ft.add(k.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats())
                        .add(k.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats());
                fk = fk.add(kk.lanewise(VectorOperators.LSHL, up).and(keyBits).reinterpretAsFloats())
                        .add(kk.lanewise(VectorOperators.LSHR, shift).and(keyBits).reinterpretAsFloats());
                long laneBits;
                if (MASK_TO_LONG) {
                    laneBits = keep.compare(VectorOperators.NE, (short) 0).toLong();
                } else {
                    // JDK 17: the keep lanes narrowed to bytes of 0 or 1, and each 8 of those gathered
                    // into 8 bits by one multiplication (byte j to bit 56 + j), as two longs
                    LongVector kb = ((ByteVector) keep.convertShape(VectorOperators.S2B, ByteVector.SPECIES_128, 0))
                            .and((byte) 1).reinterpretAsLongs();
                    laneBits = (kb.lane(0) * GATHER8) >>> 56 | ((kb.lane(1) * GATHER8) >>> 56) << 8;
                }
                word |= laneBits << ((q & 3) << 4);
                if ((q & 3) == 3) {
                    bits[q >> 2] = word;
                    word = 0;
                }
            }
            // the lanes in a fixed order (see kernel)
            FloatVector st = ft.add(ft.rearrange(F_HALVES));
            FloatVector sk = fk.add(fk.rearrange(F_HALVES));
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3);
        }
        if ((vectors & 3) != 0) {
            bits[vectors >> 2] = word;
        }
        acc.total += total * scale;
        acc.keptSum += kept * scale;
    }

    /** As {@link #apply16} for FP32 elements, 8 bits per vector. */
    private static void apply32(float[] v, int off, int[] kp, int padded, long[] bits, MaskStats.Acc acc) {
        if (!MASK_TO_LONG && padded % (8 * IL) == 0) {
            apply32Words(v, off, kp, padded, bits, acc);
            return;
        }
        double total = 0;
        double kept = 0;
        long word = 0;
        int vectors = padded / IL;
        for (int from = 0; from < vectors; from += FLUSH) {
            int to = Math.min(vectors, from + FLUSH);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_256);
            FloatVector fk = ft;
            for (int q = from; q < to; q++) {
                int i = q * IL;
                IntVector x = FloatVector.fromArray(FloatVector.SPECIES_256, v, off + i).reinterpretAsInts();
                IntVector keep = IntVector.fromArray(I, kp, i);
                IntVector y = x.and(keep);
                y.reinterpretAsFloats().intoArray(v, off + i);
                ft = ft.add(x.and(0x7FFF_FFFF).reinterpretAsFloats());
                fk = fk.add(y.and(0x7FFF_FFFF).reinterpretAsFloats());
                long laneBits = MASK_TO_LONG ? keep.compare(VectorOperators.NE, 0).toLong()
                        : (long) keep.and(I_BIT).reduceLanes(VectorOperators.OR) & 0xFF;
                word |= laneBits << ((q & 7) << 3);
                if ((q & 7) == 7) {
                    bits[q >> 3] = word;
                    word = 0;
                }
            }
            // the lanes in a fixed order (see kernel)
            FloatVector st = ft.add(ft.rearrange(F_HALVES));
            FloatVector sk = fk.add(fk.rearrange(F_HALVES));
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3);
        }
        if ((vectors & 7) != 0) {
            bits[vectors >> 3] = word;
        }
        acc.total += total;
        acc.keptSum += kept;
    }

    /**
     * As {@link #apply32} where {@code VectorMask.toLong} is not compiled to a move-mask instruction
     * (JDK 17), for a whole number of 64-element mask words: the keep lanes of four vectors are OR-ed
     * into one vector (vector j's at bits 8j..8j+7) and reduced once, instead of once per vector.
     * The four vectors are written out with constant bit vectors on purpose: a loop with a lane shift
     * by (q mod 4) made JDK 17's C2 run it twice as slowly (benchmarks/RESULTS.md).
     */
    private static void apply32Words(float[] v, int off, int[] kp, int padded, long[] bits, MaskStats.Acc acc) {
        double total = 0;
        double kept = 0;
        int vectors = padded / IL;
        for (int from = 0; from < vectors; from += FLUSH) {
            int to = Math.min(vectors, from + FLUSH);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_256);
            FloatVector fk = ft;
            for (int q = from; q < to; q += 4) {
                int i = q * IL;
                IntVector x0 = FloatVector.fromArray(FloatVector.SPECIES_256, v, off + i + 0 * IL).reinterpretAsInts();
                IntVector k0 = IntVector.fromArray(I, kp, i + 0 * IL);
                IntVector y0 = x0.and(k0);
                y0.reinterpretAsFloats().intoArray(v, off + i + 0 * IL);
                ft = ft.add(x0.and(0x7FFF_FFFF).reinterpretAsFloats());
                fk = fk.add(y0.and(0x7FFF_FFFF).reinterpretAsFloats());
                IntVector x1 = FloatVector.fromArray(FloatVector.SPECIES_256, v, off + i + 1 * IL).reinterpretAsInts();
                IntVector k1 = IntVector.fromArray(I, kp, i + 1 * IL);
                IntVector y1 = x1.and(k1);
                y1.reinterpretAsFloats().intoArray(v, off + i + 1 * IL);
                ft = ft.add(x1.and(0x7FFF_FFFF).reinterpretAsFloats());
                fk = fk.add(y1.and(0x7FFF_FFFF).reinterpretAsFloats());
                IntVector x2 = FloatVector.fromArray(FloatVector.SPECIES_256, v, off + i + 2 * IL).reinterpretAsInts();
                IntVector k2 = IntVector.fromArray(I, kp, i + 2 * IL);
                IntVector y2 = x2.and(k2);
                y2.reinterpretAsFloats().intoArray(v, off + i + 2 * IL);
                ft = ft.add(x2.and(0x7FFF_FFFF).reinterpretAsFloats());
                fk = fk.add(y2.and(0x7FFF_FFFF).reinterpretAsFloats());
                IntVector x3 = FloatVector.fromArray(FloatVector.SPECIES_256, v, off + i + 3 * IL).reinterpretAsInts();
                IntVector k3 = IntVector.fromArray(I, kp, i + 3 * IL);
                IntVector y3 = x3.and(k3);
                y3.reinterpretAsFloats().intoArray(v, off + i + 3 * IL);
                ft = ft.add(x3.and(0x7FFF_FFFF).reinterpretAsFloats());
                fk = fk.add(y3.and(0x7FFF_FFFF).reinterpretAsFloats());
                IntVector lanes = k0.and(I_BIT).or(k1.and(I_BIT8)).or(k2.and(I_BIT16)).or(k3.and(I_BIT24));
                long half = (long) lanes.reduceLanes(VectorOperators.OR) & 0xFFFF_FFFFL;
                if ((q & 4) == 0) {
                    bits[q >> 3] = half;
                } else {
                    bits[q >> 3] |= half << 32;
                }
            }
            // the lanes in a fixed order (see kernel)
            FloatVector st = ft.add(ft.rearrange(F_HALVES));
            FloatVector sk = fk.add(fk.rearrange(F_HALVES));
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3);
        }
        acc.total += total;
        acc.keptSum += kept;
    }

    /**
     * Contiguous FP32 1:2 where {@code VectorMask.toLong} is not compiled to a move-mask instruction
     * (JDK 17), for keys below the limit and a whole number of 32-element steps: the decide pass
     * ({@link #decide32c12}) and the apply pass ({@link #apply32}) in one loop, so that after the
     * range pass each element is read from the cache once instead of twice. Uses only the operations that JDK 17's C2
     * compiles inline (the partner by a rotation of the 64-bit lanes, the keep lanes by an arithmetic
     * shift, the mask bits by one OR-reduction per four vectors, the four written out as in
     * {@link #apply32Words}). The tie count excludes the {@code pad} all-zero padding pairs at the
     * end; the other group counts are the caller's.
     */
    private static void fused32c12Words(float[] v, int off, int len, int pad, long[] bits, MaskStats.Acc acc) {
        long beaten = 0; // lanes with a larger partner: one in each pair without a tie
        double total = 0;
        double kept = 0;
        int vectors = len / IL;
        for (int from = 0; from < vectors; from += FLUSH) {
            int to = Math.min(vectors, from + FLUSH);
            FloatVector ft = FloatVector.zero(FloatVector.SPECIES_256);
            FloatVector fk = ft;
            IntVector tl = IntVector.zero(I);
            for (int q = from; q < to; q += 4) {
                int i = off + q * IL;
                IntVector x0 = FloatVector.fromArray(FloatVector.SPECIES_256, v, i + 0 * IL).reinterpretAsInts();
                IntVector k0 = x0.and(0x7FFF_FFFF);
                IntVector d0 = k0.sub(k0.reinterpretAsLongs().lanewise(VectorOperators.ROL, 32).reinterpretAsInts());
                IntVector m0 = d0.sub(I_T1).lanewise(VectorOperators.ASHR, 31).not();
                x0.and(m0).reinterpretAsFloats().intoArray(v, i + 0 * IL);
                ft = ft.add(k0.reinterpretAsFloats());
                fk = fk.add(k0.and(m0).reinterpretAsFloats());
                tl = tl.add(d0.lanewise(VectorOperators.LSHR, 31));
                IntVector x1 = FloatVector.fromArray(FloatVector.SPECIES_256, v, i + 1 * IL).reinterpretAsInts();
                IntVector k1 = x1.and(0x7FFF_FFFF);
                IntVector d1 = k1.sub(k1.reinterpretAsLongs().lanewise(VectorOperators.ROL, 32).reinterpretAsInts());
                IntVector m1 = d1.sub(I_T1).lanewise(VectorOperators.ASHR, 31).not();
                x1.and(m1).reinterpretAsFloats().intoArray(v, i + 1 * IL);
                ft = ft.add(k1.reinterpretAsFloats());
                fk = fk.add(k1.and(m1).reinterpretAsFloats());
                tl = tl.add(d1.lanewise(VectorOperators.LSHR, 31));
                IntVector x2 = FloatVector.fromArray(FloatVector.SPECIES_256, v, i + 2 * IL).reinterpretAsInts();
                IntVector k2 = x2.and(0x7FFF_FFFF);
                IntVector d2 = k2.sub(k2.reinterpretAsLongs().lanewise(VectorOperators.ROL, 32).reinterpretAsInts());
                IntVector m2 = d2.sub(I_T1).lanewise(VectorOperators.ASHR, 31).not();
                x2.and(m2).reinterpretAsFloats().intoArray(v, i + 2 * IL);
                ft = ft.add(k2.reinterpretAsFloats());
                fk = fk.add(k2.and(m2).reinterpretAsFloats());
                tl = tl.add(d2.lanewise(VectorOperators.LSHR, 31));
                IntVector x3 = FloatVector.fromArray(FloatVector.SPECIES_256, v, i + 3 * IL).reinterpretAsInts();
                IntVector k3 = x3.and(0x7FFF_FFFF);
                IntVector d3 = k3.sub(k3.reinterpretAsLongs().lanewise(VectorOperators.ROL, 32).reinterpretAsInts());
                IntVector m3 = d3.sub(I_T1).lanewise(VectorOperators.ASHR, 31).not();
                x3.and(m3).reinterpretAsFloats().intoArray(v, i + 3 * IL);
                ft = ft.add(k3.reinterpretAsFloats());
                fk = fk.add(k3.and(m3).reinterpretAsFloats());
                tl = tl.add(d3.lanewise(VectorOperators.LSHR, 31));
                IntVector lanes = m0.and(I_BIT).or(m1.and(I_BIT8)).or(m2.and(I_BIT16)).or(m3.and(I_BIT24));
                long half = (long) lanes.reduceLanes(VectorOperators.OR) & 0xFFFF_FFFFL;
                if ((q & 4) == 0) {
                    bits[q >> 3] = half;
                } else {
                    bits[q >> 3] |= half << 32;
                }
            }
            // the lanes in a fixed order (see kernel)
            FloatVector st = ft.add(ft.rearrange(F_HALVES));
            FloatVector sk = fk.add(fk.rearrange(F_HALVES));
            beaten += tl.reduceLanes(VectorOperators.ADD);
            total += (double) st.lane(0) + st.lane(1) + st.lane(2) + st.lane(3);
            kept += (double) sk.lane(0) + sk.lane(1) + sk.lane(2) + sk.lane(3);
        }
        // pairs less those with a larger lane; all-zero padding pairs are tied
        acc.tied += vectors * (IL / 2) - beaten - pad;
        acc.total += total;
        acc.keptSum += kept;
    }

    // ---------------------------------------------------------------- decide: 16-bit 2:4

    /**
     * Contiguous 2:4 on 16-bit keys below the limit (the caller's range pass checked it): keep lanes
     * into {@code kp}, and the tie count ({@code pad} all-zero padding groups at the end are not
     * counted); the other group counts are the caller's ({@link #groupCounts16}).
     *
     * <p>Each group's second and third largest keys come from a min/max network over the pair
     * maxima and minima, as in {@link #fused16c24}; the keep lanes are the keys at or above the
     * second largest unless a group's second and third largest are equal (a tie), and only a vector
     * with a tie computes every lane's rank (ties to the lower index). (With the rank of every lane
     * and four group counts on every vector, a whole FP16 prune on JDK 17 took 1.5 times as long;
     * benchmarks/RESULTS.md.)
     */
    private static void decide16c24(short[] v, int off, short[] kp, int padded, int pad, MaskStats.Acc acc) {
        ShortVector tiedLanes = ShortVector.zero(S);
        for (int i = 0; i < padded; i += SL) {
            ShortVector k = ShortVector.fromArray(S, v, off + i).and((short) 0x7FFF);
            IntVector ki = k.reinterpretAsInts();
            ShortVector p1 = ki.lanewise(VectorOperators.LSHL, 16).or(ki.lanewise(VectorOperators.LSHR, 16))
                    .reinterpretAsShorts();
            ShortVector mx = k.max(p1);
            ShortVector mn = k.min(p1);
            LongVector mxl = mx.reinterpretAsLongs();
            LongVector mnl = mn.reinterpretAsLongs();
            ShortVector hi = mx.min(mxl.lanewise(VectorOperators.LSHL, 32).or(mxl.lanewise(VectorOperators.LSHR, 32))
                    .reinterpretAsShorts());
            ShortVector lo = mn.max(mnl.lanewise(VectorOperators.LSHL, 32).or(mnl.lanewise(VectorOperators.LSHR, 32))
                    .reinterpretAsShorts());
            ShortVector second = hi.max(lo);
            // a tie: a group's second and third largest keys are equal (all four lanes of the group)
            VectorMask<Short> tie = second.compare(VectorOperators.EQ, hi.min(lo));
            ShortVector keep;
            if (tie.anyTrue()) {
                LongVector kl = k.reinterpretAsLongs();
                LongVector p2l = kl.lanewise(VectorOperators.LSHL, 32).or(kl.lanewise(VectorOperators.LSHR, 32));
                IntVector p2i = p2l.reinterpretAsInts();
                ShortVector p3 = p2i.lanewise(VectorOperators.LSHL, 16).or(p2i.lanewise(VectorOperators.LSHR, 16))
                        .reinterpretAsShorts();
                // beaten = -(number of partners with a larger key, or an equal key at a lower index)
                ShortVector beaten = k.sub(p1).sub(S_T1).lanewise(VectorOperators.ASHR, 15)
                        .add(k.sub(p2l.reinterpretAsShorts()).sub(S_T2).lanewise(VectorOperators.ASHR, 15))
                        .add(k.sub(p3).sub(S_T2).lanewise(VectorOperators.ASHR, 15));
                keep = S_ZERO.sub(beaten).add(S_MINUS2).lanewise(VectorOperators.ASHR, 15); // beaten > -2
                tiedLanes = tiedLanes.sub((ShortVector) tie.toVector());
            } else {
                keep = (ShortVector) k.compare(VectorOperators.GE, second).toVector();
            }
            keep.intoArray(kp, i);
        }
        acc.tied += tiedLanes.reduceLanes(VectorOperators.ADD) / 4 - pad; // all-zero padding groups are tied
    }

    /**
     * Strided 2:4 on 16-bit keys: row j of the block is {@code vj}; keep lanes into {@code kp[j]}, and
     * the tie count: a group whose second and third largest keys are equal, from the pair maxima and
     * minima ({@code pad} all-zero padding groups at the end are not counted). The other group counts
     * are the caller's ({@link #groupCounts16}); they used to take a pass of their own over the keys
     * and keep lanes (benchmarks/RESULTS.md).
     */
    private static void decide16s24(short[] v0, short[] v1, short[] v2, short[] v3, int[] off, short[][] kp,
                                    int padded, int pad, MaskStats.Acc acc) {
        short[] k0 = kp[0];
        short[] k1 = kp[1];
        short[] k2 = kp[2];
        short[] k3 = kp[3];
        ShortVector tiedLanes = ShortVector.zero(S);
        for (int i = 0; i < padded; i += SL) {
            ShortVector a = ShortVector.fromArray(S, v0, off[0] + i).and((short) 0x7FFF);
            ShortVector b = ShortVector.fromArray(S, v1, off[1] + i).and((short) 0x7FFF);
            ShortVector c = ShortVector.fromArray(S, v2, off[2] + i).and((short) 0x7FFF);
            ShortVector d = ShortVector.fromArray(S, v3, off[3] + i).and((short) 0x7FFF);
            ShortVector b1 = b.sub((short) 1);
            ShortVector c1 = c.sub((short) 1);
            ShortVector d1 = d.sub((short) 1);
            // xy = all ones if x beats y (x >= y, x at the lower index)
            ShortVector ab = b1.sub(a).lanewise(VectorOperators.ASHR, 15);
            ShortVector ac = c1.sub(a).lanewise(VectorOperators.ASHR, 15);
            ShortVector ad = d1.sub(a).lanewise(VectorOperators.ASHR, 15);
            ShortVector bc = c1.sub(b).lanewise(VectorOperators.ASHR, 15);
            ShortVector bd = d1.sub(b).lanewise(VectorOperators.ASHR, 15);
            ShortVector cd = d1.sub(c).lanewise(VectorOperators.ASHR, 15);
            // kept when fewer than 2 elements beat it: a is beaten by 3 + ab + ac + ad, b by 2 - ab + bc + bd,
            // c by 1 - ac - bc + cd, d by -(ad + bd + cd); "beaten - 2 < 0" tested as the sign
            ab.add(ac).add(ad).add((short) 1).lanewise(VectorOperators.ASHR, 15).intoArray(k0, i);
            bc.add(bd).sub(ab).lanewise(VectorOperators.ASHR, 15).intoArray(k1, i);
            cd.sub(ac).sub(bc).sub((short) 1).lanewise(VectorOperators.ASHR, 15).intoArray(k2, i);
            ad.add(bd).add(cd).neg().sub((short) 2).lanewise(VectorOperators.ASHR, 15).intoArray(k3, i);
            // tied: the smaller pair maximum equals the larger pair minimum
            tiedLanes = tiedLanes.sub((ShortVector) a.max(b).min(c.max(d))
                    .compare(VectorOperators.EQ, a.min(b).max(c.min(d))).toVector());
        }
        acc.tied += tiedLanes.reduceLanes(VectorOperators.ADD) - pad;
    }

    /**
     * Contiguous 1:2 on FP32 keys below the limit: keep lanes and the tie count (the other group
     * counts are the caller's, {@link #groupCounts32}).
     */
    private static void decide32c12(float[] v, int off, int[] kp, int padded, int pad, MaskStats.Acc acc) {
        IntVector tiedLanes = IntVector.zero(I);
        for (int i = 0; i < padded; i += IL) {
            IntVector k = FloatVector.fromArray(FloatVector.SPECIES_256, v, off + i).reinterpretAsInts().and(0x7FFF_FFFF);
            // the partner: the other half of the 64-bit lane (a rotation: no shuffle index check on JDK 17)
            IntVector p = k.reinterpretAsLongs().lanewise(VectorOperators.ROL, 32).reinterpretAsInts();
            IntVector d = k.sub(p);
            d.sub(I_T1).lanewise(VectorOperators.ASHR, 31).not().intoArray(kp, i); // the partner does not beat me
            tiedLanes = tiedLanes.sub((IntVector) d.compare(VectorOperators.EQ, 0).toVector());
        }
        // both lanes of a pair count a tie; all-zero padding pairs are tied
        acc.tied += tiedLanes.reduceLanes(VectorOperators.ADD) / 2 - pad;
    }

    /**
     * Contiguous 2:4 on FP32 keys below the limit: keep lanes into {@code kp} and the tie count, as
     * {@link #decide16c24} (the pair partner by a rotation of the 64-bit lanes, the other pair by a
     * lane permutation); the other group counts are the caller's ({@link #groupCounts32}).
     */
    private static void decide32c24(float[] v, int off, int[] kp, int padded, int pad, MaskStats.Acc acc) {
        IntVector tiedLanes = IntVector.zero(I);
        for (int i = 0; i < padded; i += IL) {
            IntVector k = FloatVector.fromArray(FloatVector.SPECIES_256, v, off + i).reinterpretAsInts().and(0x7FFF_FFFF);
            IntVector p1 = k.reinterpretAsLongs().lanewise(VectorOperators.ROL, 32).reinterpretAsInts();
            IntVector mx = k.max(p1);
            IntVector mn = k.min(p1);
            IntVector hi = mx.min(mx.rearrange(X2));
            IntVector lo = mn.max(mn.rearrange(X2));
            IntVector second = hi.max(lo);
            // a tie: a group's second and third largest keys are equal (all four lanes of the group)
            VectorMask<Integer> tie = second.compare(VectorOperators.EQ, hi.min(lo));
            IntVector keep;
            if (tie.anyTrue()) {
                IntVector d1 = k.sub(p1);
                IntVector d2 = k.sub(k.rearrange(X2));
                IntVector d3 = k.sub(k.rearrange(X3));
                // beaten = -(number of partners with a larger key, or an equal key at a lower index)
                IntVector beaten = d1.sub(I_T1).lanewise(VectorOperators.ASHR, 31)
                        .add(d2.sub(I_T2).lanewise(VectorOperators.ASHR, 31))
                        .add(d3.sub(I_T2).lanewise(VectorOperators.ASHR, 31));
                keep = I_ZERO.sub(beaten).add(I_MINUS2).lanewise(VectorOperators.ASHR, 31); // beaten > -2
                tiedLanes = tiedLanes.sub((IntVector) tie.toVector());
            } else {
                keep = (IntVector) k.compare(VectorOperators.GE, second).toVector();
            }
            keep.intoArray(kp, i);
        }
        acc.tied += tiedLanes.reduceLanes(VectorOperators.ADD) / 4 - pad; // all-zero padding groups are tied
    }

    /**
     * Strided 1:2 on FP32: keep lanes of both rows and the tie count ({@code pad} all-zero padding
     * pairs at the end are not counted); the other group counts are the caller's
     * ({@link #groupCounts32}).
     */
    private static void decide32s12(float[] v0, float[] v1, int[] off, int[] kp0, int[] kp1, int padded, int pad,
                                    MaskStats.Acc acc) {
        IntVector tiedLanes = IntVector.zero(I);
        for (int i = 0; i < padded; i += IL) {
            IntVector a = FloatVector.fromArray(FloatVector.SPECIES_256, v0, off[0] + i).reinterpretAsInts().and(0x7FFF_FFFF);
            IntVector b = FloatVector.fromArray(FloatVector.SPECIES_256, v1, off[1] + i).reinterpretAsInts().and(0x7FFF_FFFF);
            IntVector d = b.sub(a);
            IntVector first = d.sub(1).lanewise(VectorOperators.ASHR, 31); // a >= b
            first.intoArray(kp0, i);
            first.not().intoArray(kp1, i);
            tiedLanes = tiedLanes.sub((IntVector) d.compare(VectorOperators.EQ, 0).toVector());
        }
        acc.tied += tiedLanes.reduceLanes(VectorOperators.ADD) - pad;
    }

    /** Strided 2:4 on FP32: as {@link #decide16s24}. */
    private static void decide32s24(float[] v0, float[] v1, float[] v2, float[] v3, int[] off, int[][] kp,
                                    int padded, int pad, MaskStats.Acc acc) {
        int[] k0 = kp[0];
        int[] k1 = kp[1];
        int[] k2 = kp[2];
        int[] k3 = kp[3];
        IntVector tiedLanes = IntVector.zero(I);
        for (int i = 0; i < padded; i += IL) {
            IntVector a = FloatVector.fromArray(FloatVector.SPECIES_256, v0, off[0] + i).reinterpretAsInts().and(0x7FFF_FFFF);
            IntVector b = FloatVector.fromArray(FloatVector.SPECIES_256, v1, off[1] + i).reinterpretAsInts().and(0x7FFF_FFFF);
            IntVector c = FloatVector.fromArray(FloatVector.SPECIES_256, v2, off[2] + i).reinterpretAsInts().and(0x7FFF_FFFF);
            IntVector d = FloatVector.fromArray(FloatVector.SPECIES_256, v3, off[3] + i).reinterpretAsInts().and(0x7FFF_FFFF);
            IntVector b1 = b.sub(1);
            IntVector c1 = c.sub(1);
            IntVector d1 = d.sub(1);
            IntVector ab = b1.sub(a).lanewise(VectorOperators.ASHR, 31);
            IntVector ac = c1.sub(a).lanewise(VectorOperators.ASHR, 31);
            IntVector ad = d1.sub(a).lanewise(VectorOperators.ASHR, 31);
            IntVector bc = c1.sub(b).lanewise(VectorOperators.ASHR, 31);
            IntVector bd = d1.sub(b).lanewise(VectorOperators.ASHR, 31);
            IntVector cd = d1.sub(c).lanewise(VectorOperators.ASHR, 31);
            ab.add(ac).add(ad).add(1).lanewise(VectorOperators.ASHR, 31).intoArray(k0, i);
            bc.add(bd).sub(ab).lanewise(VectorOperators.ASHR, 31).intoArray(k1, i);
            cd.sub(ac).sub(bc).sub(1).lanewise(VectorOperators.ASHR, 31).intoArray(k2, i);
            ad.add(bd).add(cd).neg().sub(2).lanewise(VectorOperators.ASHR, 31).intoArray(k3, i);
            tiedLanes = tiedLanes.sub((IntVector) a.max(b).min(c.max(d))
                    .compare(VectorOperators.EQ, a.min(b).max(c.min(d))).toVector());
        }
        acc.tied += tiedLanes.reduceLanes(VectorOperators.ADD) - pad;
    }
}
