package org.sparsity4j.benchmarks.mask;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sparsity4j.core.mask.Mask;
import org.sparsity4j.core.mask.StripMasker;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.simd.VectorSupport;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.HalfFloats;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Strip mask + apply ({@link StripMasker#prune}) on an 8192×8192 matrix, against a plain copy of
 * the same buffer measured in the same run. Each pruning call starts from the original
 * (restored outside the timed region). Report throughput as input bytes per second:
 * FP32 = 256 MiB, FP16 = 128 MiB per operation.
 *
 * <p>The fork runs with the incubating Vector API module, so {@code simd=true} measures the SIMD
 * kernels of sparsity-core (where the machine has 256-bit vectors) and {@code simd=false} the
 * scalar ones. Its heap is touched at start ({@code -XX:+AlwaysPreTouch}): each prune allocates its
 * mask (8 MiB here), and until those allocations had gone once through the heap's untouched pages,
 * the operating system's first-touch faults made the first measured iterations up to twice as slow
 * (the copy allocates nothing and never showed it; benchmarks/RESULTS.md).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar StripMaskBenchmark -f 1 -wi 2 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class StripMaskBenchmark {
    /** Matrix side. */
    static final int N = 8192;

    /** Element type. */
    @Param({"FP32", "FP16"})
    public String type;

    /**
     * The pattern: {@code hardware} for the element type's hardware pattern (FP32 1:2, FP16 2:4), or
     * one such as {@code 2:4} (FP32 weights pruned for an FP16 or INT8 engine: {@code -p pattern=2:4}).
     */
    @Param({"hardware"})
    public String pattern;

    /** 1 = contiguous reduction axis (Linear [out,in]); 0 = strided axis (MatMul B [K,N]). */
    @Param({"1", "0"})
    public int axis;

    /** Whether the masker and the copy use all cores. */
    @Param({"false", "true"})
    public boolean parallel;

    /**
     * Whether sparsity-core may use its SIMD kernels (the system property {@code sparsity.simd},
     * set before the first masking call of the fork; every parameter combination runs in its own
     * fork). Ignored by {@link #copy}.
     */
    @Param({"true", "false"})
    public boolean simd;

    private float[] f32Original;
    private float[] f32Work;
    private float[] f32Target;
    private short[] f16Original;
    private short[] f16Work;
    private short[] f16Target;
    private Tensor work;
    private StripMasker masker;

    /** Fills the original with seeded Gaussian values. */
    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty("sparsity.simd", Boolean.toString(simd));
        if (simd != VectorSupport.enabled()) {
            throw new IllegalStateException("simd=" + simd + " requested, but " + VectorSupport.describe()
                    + " (a trial in a JVM that already masked? run with forks)");
        }
        SplittableRandom r = new SplittableRandom(42);
        ElementType t = ElementType.valueOf(type);
        if (t == ElementType.FP32) {
            f32Original = new float[N * N];
            for (int i = 0; i < f32Original.length; i++) {
                f32Original[i] = (float) gaussian(r);
            }
            f32Work = f32Original.clone();
            f32Target = new float[N * N];
            work = Tensor.ofFloats(f32Work, N, N);
        } else {
            f16Original = new short[N * N];
            for (int i = 0; i < f16Original.length; i++) {
                f16Original[i] = HalfFloats.floatToFp16((float) gaussian(r));
            }
            f16Work = f16Original.clone();
            f16Target = new short[N * N];
            work = Tensor.ofShorts(ElementType.FP16, f16Work, N, N);
        }
        masker = StripMasker.of(pattern.equals("hardware") ? t.hardwarePattern() : SparsityPattern.parse(pattern))
                .parallel(parallel);
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    /** Restores the unpruned data before every pruning call (not timed). */
    @Setup(Level.Invocation)
    public void restore() {
        if (f32Original != null) {
            System.arraycopy(f32Original, 0, f32Work, 0, f32Original.length);
        } else {
            System.arraycopy(f16Original, 0, f16Work, 0, f16Original.length);
        }
    }

    /**
     * Computes the mask and zeroes pruned elements in place.
     *
     * @return the mask (consumed by JMH)
     */
    @Benchmark
    public Mask prune() {
        return masker.prune(work, axis);
    }

    /**
     * Reference: copies the same buffer (one thread, or chunked over all cores).
     *
     * @return the target (consumed by JMH)
     */
    @Benchmark
    public Object copy() {
        final Object src = f32Original != null ? f32Original : f16Original;
        final Object dst = f32Original != null ? f32Target : f16Target;
        final int len = N * N;
        if (!parallel) {
            System.arraycopy(src, 0, dst, 0, len);
        } else {
            int chunks = 256;
            int per = len / chunks;
            IntStream.range(0, chunks).parallel().forEach(c -> System.arraycopy(src, c * per, dst, c * per, per));
        }
        return dst;
    }
}
