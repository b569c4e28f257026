package org.sparsity4j.benchmarks.onnx;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;

/**
 * A diagnostic for {@link OnnxPruneBenchmark}: the tool's {@code prune} run several times in one JVM,
 * so that the later runs show its cost without the JVM start and the JIT warm-up. The CLI is found on
 * the class path by name ({@code sparsity-cli.jar}), so this module needs no dependency on it.
 *
 * <p>Usage, from the repository root: {@code java -cp
 * sparsity-onnx/target/sparsity-cli.jar:benchmarks/target/classes
 * org.sparsity4j.benchmarks.onnx.WarmPrune IN OUT RUNS}; prints one line per run with its wall time in
 * seconds.
 */
public final class WarmPrune {
    private WarmPrune() {
    }

    /**
     * Prunes {@code IN} into {@code OUT} {@code RUNS} times.
     *
     * @param args input model, output model, number of runs
     * @throws Exception on failure, or if the tool exits non-zero
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: WarmPrune IN OUT RUNS (with sparsity-cli.jar on the class path)");
            System.exit(2);
        }
        Class<?> cli = Class.forName("org.sparsity4j.onnx.cli.SparsityCli");
        Method run = cli.getMethod("run", String[].class, PrintStream.class, PrintStream.class, boolean.class);
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        int runs = Integer.parseInt(args[2]);
        java.nio.file.Path out = java.nio.file.Path.of(args[1]);
        for (int i = 0; i < runs; i++) {
            // a new output each run, as the launcher runs of OnnxPruneBenchmark write theirs
            java.nio.file.Files.deleteIfExists(out);
            java.nio.file.Files.deleteIfExists(out.resolveSibling(out.getFileName() + ".data"));
            long t0 = System.nanoTime();
            int code = (int) run.invoke(null, new String[] {"prune", args[0], "-o", args[1], "--quiet"}, discard,
                    System.err, false);
            double s = (System.nanoTime() - t0) / 1e9;
            if (code != 0) {
                throw new IllegalStateException("prune exited with " + code);
            }
            System.out.printf(Locale.ROOT, "in-process run %d: %.3f s%n", i + 1, s);
        }
    }
}
