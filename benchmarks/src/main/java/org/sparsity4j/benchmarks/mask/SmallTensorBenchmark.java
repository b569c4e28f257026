package org.sparsity4j.benchmarks.mask;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.HalfFloats;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.validate.ValidationReport;
import org.sparsity4j.core.validate.Validator;

/**
 * The fixed cost of one call on a small tensor: 2:4 strip mask + apply ({@link StripMasker#prune},
 * default parallelism) and strip validation ({@link Validator#checkStrip}) of FP16 tensors of
 * {@code [size / 1024, 1024]} along axis 1, as a model with many small weights or a training hook
 * calls them. Each prune restores the original first (inside the timed region, so that short calls
 * are not dominated by per-invocation set-up); the reference, measured in the same run, is that
 * restore alone ({@link #copy}).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar SmallTensorBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SmallTensorBenchmark {
    /** Elements of the tensor (a multiple of 1024). */
    @Param({"1024", "65536", "524288"})
    public int size;

    private short[] original;
    private short[] work;
    private Tensor tensor;
    private Tensor pruned;
    private StripMasker masker;

    /** Fills the original with seeded Gaussian values and prunes a copy for {@link #validate}. */
    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(42);
        original = new short[size];
        for (int i = 0; i < size; i++) {
            original[i] = HalfFloats.floatToFp16((float) (r.nextDouble() * 2 - 1));
        }
        work = original.clone();
        tensor = Tensor.ofShorts(ElementType.FP16, work, size / 1024, 1024);
        masker = StripMasker.of(SparsityPattern.TWO_OF_FOUR);
        pruned = Tensor.ofShorts(ElementType.FP16, original.clone(), size / 1024, 1024);
        masker.prune(pruned, 1);
    }

    /**
     * Restores the original, then computes the mask and zeroes pruned elements in place.
     *
     * @return the mask (consumed by JMH)
     */
    @Benchmark
    public Mask prune() {
        System.arraycopy(original, 0, work, 0, size);
        return masker.prune(tensor, 1);
    }

    /**
     * Checks the pruned tensor against 2:4 along axis 1.
     *
     * @return the report (consumed by JMH)
     */
    @Benchmark
    public ValidationReport validate() {
        return Validator.checkStrip(pruned, SparsityPattern.TWO_OF_FOUR, 1);
    }

    /**
     * Reference: the restore of {@link #prune} alone.
     *
     * @return the restored array (consumed by JMH)
     */
    @Benchmark
    public short[] copy() {
        System.arraycopy(original, 0, work, 0, size);
        return work;
    }
}
