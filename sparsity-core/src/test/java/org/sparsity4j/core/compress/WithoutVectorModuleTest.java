package org.sparsity4j.core.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.tensor.ElementType;

/**
 * The scalar path in a JVM without {@code jdk.incubator.vector}, and with {@code -Dsparsity.simd=false}:
 * a child JVM compresses and decompresses the same matrices as this (vector-enabled) JVM and must
 * report the same checksums, without linking any vector class.
 */
class WithoutVectorModuleTest {

    @Test
    void childJvmsWithoutTheModuleOrWithSimdOffGiveTheSameBytes() throws IOException, InterruptedException {
        assertEquals("vector=true " + checksums(), run(List.of("--add-modules", "jdk.incubator.vector")).trim(),
                "child JVM with the module (control)");
        assertEquals("vector=false " + checksums(), run(List.of()).trim(), "child JVM without the module");
        assertEquals("vector=false " + checksums(), run(List.of("--add-modules", "jdk.incubator.vector",
                "-Dsparsity.simd=false")).trim(), "child JVM with -Dsparsity.simd=false");
    }

    private static String run(List<String> jvmArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WithoutVectorModuleTest.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("child JVM " + jvmArgs + " failed: " + err);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Run in the child JVM: prints whether vectors are used and the checksums. */
    public static void main(String[] args) {
        System.out.println("vector=" + SparseCompressor.usesVectorKernels() + " " + checksums());
    }

    /** Checksums of compress and decompress of a small and a large (band-parallel) matrix per 2:4 type family. */
    static String checksums() {
        StringBuilder sb = new StringBuilder();
        for (ElementType type : new ElementType[] {ElementType.FP16, ElementType.INT8}) {
            for (int rows : new int[] {96, 1024}) {
                CompressedFormat f = CompressedFormat.forSm90(type, rows, 1056, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
                byte[] dense = new byte[Math.toIntExact(f.denseBytes())];
                SplittableRandom rnd = new SplittableRandom(rows * 31L + type.ordinal());
                int es = type.byteSize();
                for (int g = 0; g < dense.length / (4 * es); g++) {
                    int pos = rnd.nextInt(4);
                    for (int b = 0; b < es; b++) {
                        dense[(4 * g + pos) * es + b] = (byte) (1 + rnd.nextInt(100));
                    }
                }
                byte[] c = SparseCompressor.compress(f, dense);
                byte[] back = new byte[dense.length];
                SparseCompressor.decompress(f, c, back);
                sb.append(type).append(rows).append(':').append(Arrays.hashCode(c)).append('/')
                        .append(Arrays.equals(dense, back)).append(' ');
            }
        }
        return sb.toString().trim();
    }
}
