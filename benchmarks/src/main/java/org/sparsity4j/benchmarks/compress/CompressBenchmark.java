package org.sparsity4j.benchmarks.compress;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.sparsity4j.core.compress.CompressedFormat;
import org.sparsity4j.core.compress.Op;
import org.sparsity4j.core.compress.Order;
import org.sparsity4j.core.compress.SparseCompressor;
import org.sparsity4j.core.tensor.ElementType;

/**
 * Compression and decompression of an 8192 × 8192 2:4 matrix (row-major, op N, the layout PyTorch
 * uses), split into 64-row bands on the common pool, against a single-threaded
 * {@link System#arraycopy} of the same bytes in the same run: {@code copyDense} copies the dense
 * matrix (what compression reads), {@code copyCompressed} the compressed buffer (the reference for
 * decompression and for {@code checkMetadata}). {@code simd} selects
 * the Vector API kernels or the scalar ones (the fork always has the incubating module; the choice is
 * made through the {@code sparsity.simd} system property before the compressor is first used, and
 * checked). Run: {@code java -jar benchmarks/target/benchmarks.jar Compress}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "--add-modules", "jdk.incubator.vector"})
public class CompressBenchmark {
    /** Matrix side. */
    public static final int N = 8192;

    /** Element type. */
    @Param({"FP16", "INT8"})
    public String type;

    /** Vector API kernels ({@code true}) or scalar ones ({@code false}). */
    @Param({"true", "false"})
    public String simd;

    private CompressedFormat format;
    private byte[] dense;
    private byte[] compressed;
    private byte[] denseOut;
    private byte[] compressedOut;

    /** Makes a random valid 2:4 matrix (two random non-zeros per group, some groups underfilled). */
    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty("sparsity.simd", simd);
        if (SparseCompressor.usesVectorKernels() != Boolean.parseBoolean(simd)) {
            throw new IllegalStateException("simd=" + simd + " requested but the compressor "
                    + (SparseCompressor.usesVectorKernels() ? "uses" : "does not use") + " the vector kernels"
                    + " (a trial in a JVM that already used the compressor? run with forks)");
        }
        ElementType t = ElementType.valueOf(type);
        format = CompressedFormat.forSm90(t, N, N, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
        int es = t.byteSize();
        dense = new byte[Math.toIntExact(format.denseBytes())];
        SplittableRandom rnd = new SplittableRandom(42);
        int groups = N * N / 4;
        for (int g = 0; g < groups; g++) {
            int a = rnd.nextInt(4);
            int b = rnd.nextInt(4);
            for (int pos : new int[] {a, b}) {
                int bits = 1 + rnd.nextInt(es == 2 ? 0x7BFF : 0x7F);
                for (int i = 0; i < es; i++) {
                    dense[(g * 4 + pos) * es + i] = (byte) (bits >>> (8 * i));
                }
            }
        }
        compressed = SparseCompressor.compress(format, dense);
        denseOut = new byte[dense.length];
        compressedOut = new byte[compressed.length];
    }

    /** Compresses the dense matrix. */
    @Benchmark
    public byte[] compress() {
        SparseCompressor.compress(format, dense, compressedOut);
        return compressedOut;
    }

    /** Decompresses the compressed buffer. */
    @Benchmark
    public byte[] decompress() {
        SparseCompressor.decompress(format, compressed, denseOut);
        return denseOut;
    }

    /**
     * Checks every metadata code of the compressed buffer (what {@code MatmulPlan.uploadCompressed}
     * adds before an upload); scalar in both {@code simd} settings.
     */
    @Benchmark
    public byte[] checkMetadata() {
        SparseCompressor.checkMetadata(format, compressed);
        return compressed;
    }

    /** Copies the dense bytes (the reference for compression). */
    @Benchmark
    public byte[] copyDense() {
        System.arraycopy(dense, 0, denseOut, 0, dense.length);
        return denseOut;
    }

    /** Copies the compressed bytes. */
    @Benchmark
    public byte[] copyCompressed() {
        System.arraycopy(compressed, 0, compressedOut, 0, compressed.length);
        return compressedOut;
    }
}
