package org.sparsity4j.benchmarks.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end benchmark of {@code ./sparsity prune} (JVM start included) on synthetic models: a
 * single-file fp32 MLP of {@code layers} MatMul weights {@code [dim, dim]}, and the same with every
 * weight in one external data file. Models are written here with a minimal protobuf encoder (no
 * dependency), into a scratch directory, never committed. Each run goes through
 * {@code /usr/bin/time -v} and writes a new output (the previous run's is deleted first, as the
 * references delete their copies); one more run then writes over the previous output, to show what
 * freeing the old file's blocks adds on this file system. The first run after a rebuild (or with new
 * options) records the launcher's class-data archive or AOT cache; prune once before timing to leave it
 * out. The report gives weights per second, peak RSS and the time as a multiple
 * of a reference measured in the same run: {@code dd} copying the same files, before and after the
 * runs (the ratios use the faster of the two), and {@link JavaCopy} writing the same files as the tool
 * writes, in a JVM with the launcher's options. {@link WarmPrune} then shows the tool's own cost
 * without the JVM start and the JIT warm-up.
 *
 * <p>Usage (from the repository root, after {@code ./mvnw -q -B package -DskipTests}):
 * {@code java -cp benchmarks/target/classes org.sparsity4j.benchmarks.onnx.OnnxPruneBenchmark
 * SCRATCH_DIR [single|external] LAYERS DIM [REPEATS]} (REPEATS 0: write the model only)
 */
public final class OnnxPruneBenchmark {
    private OnnxPruneBenchmark() {
    }

    /**
     * Generates the model (unless present) and times the tool on it.
     *
     * @param args scratch directory, kind, layers, dim, repeats
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: OnnxPruneBenchmark SCRATCH_DIR single|external LAYERS DIM [REPEATS]");
            System.exit(2);
        }
        Path scratch = Path.of(args[0]);
        boolean external = args[1].equals("external");
        int layers = Integer.parseInt(args[2]);
        int dim = Integer.parseInt(args[3]);
        int repeats = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        if (repeats < 0) {
            System.err.println("REPEATS must be 0 (write the model only) or more, not " + repeats);
            System.exit(2);
        }
        Files.createDirectories(scratch);
        String name = (external ? "ext" : "single") + "-" + layers + "x" + dim + ".onnx";
        Path model = scratch.resolve(name);
        if (!Files.exists(model)) {
            long t0 = System.nanoTime();
            write(model, layers, dim, external);
            System.out.printf(Locale.ROOT, "generated %s in %.1f s%n", model, (System.nanoTime() - t0) / 1e9);
        }
        long weights = (long) layers * dim * dim;
        long bytes = Files.size(model) + (external ? Files.size(scratch.resolve(name + ".data")) : 0);
        System.out.printf(Locale.ROOT, "model %s: %d weights, %.1f MiB%n", name, weights, bytes / 1048576.0);
        if (repeats == 0) {
            return; // the model only
        }
        Path out = scratch.resolve("pruned-" + name);
        List<Path> inputs = new ArrayList<>(List.of(model));
        if (external) {
            inputs.add(scratch.resolve(name + ".data"));
        }
        double copy = copySeconds(inputs, scratch);
        System.out.printf(Locale.ROOT, "reference: dd copy of the same files (8 MiB blocks, O_DIRECT writes, fsync):"
                + " %.2f s, %.1f M weights/s%n", copy, weights / copy / 1e6);
        double javaCopy = javaCopySeconds(inputs, scratch);
        System.out.printf(Locale.ROOT, "reference: JavaCopy of the same files in a JVM with the launcher's options"
                + " (mapped input, O_DIRECT writes, fsync, rename): %.2f s, %.1f M weights/s%n", javaCopy,
                weights / javaCopy / 1e6);
        List<Double> walls = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            // a new output each run, as the references write theirs: replacing the previous run's output
            // adds the file system's cost of freeing its blocks (measured once, below)
            deleteOutput(out);
            walls.add(prune(model, out, "run " + (i + 1), weights, bytes));
        }
        double over = prune(model, out, "run over the previous run's output", weights, bytes);
        System.out.printf(Locale.ROOT, "replacing an existing output added %.2f s to the median run%n",
                over - median(walls));
        warm(model, out);
        double after = copySeconds(inputs, scratch);
        double faster = Math.min(copy, after);
        System.out.printf(Locale.ROOT, "reference again after the runs: %.2f s, %.1f M weights/s%n", after,
                weights / after / 1e6);
        double javaAfter = javaCopySeconds(inputs, scratch);
        double javaFaster = Math.min(javaCopy, javaAfter);
        System.out.printf(Locale.ROOT, "JavaCopy again after the runs: %.2f s, %.1f M weights/s%n", javaAfter,
                weights / javaAfter / 1e6);
        StringBuilder ratios = new StringBuilder();
        StringBuilder javaRatios = new StringBuilder();
        for (double wall : walls) {
            ratios.append(String.format(Locale.ROOT, " %.2f", wall / faster));
            javaRatios.append(String.format(Locale.ROOT, " %.2f", wall / javaFaster));
        }
        System.out.printf(Locale.ROOT, "runs as multiples of the faster dd copy (%.2f s):%s%n", faster, ratios);
        System.out.printf(Locale.ROOT, "runs as multiples of the faster JavaCopy (%.2f s):%s%n", javaFaster,
                javaRatios);
    }

    /** One timed {@code ./sparsity prune} run, printed; returns its wall time in seconds. */
    private static double prune(Path model, Path out, String label, long weights, long bytes)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/time", "-v", "./sparsity", "prune", model.toString(), "-o",
                out.toString(), "--quiet").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0) {
            System.out.println(log);
            throw new IllegalStateException("sparsity exited with " + code);
        }
        double wall = wallSeconds(log);
        long rssKb = Long.parseLong(find(log, "Maximum resident set size \\(kbytes\\): (\\d+)"));
        System.out.printf(Locale.ROOT, "%s: wall %.2f s, %.1f M weights/s, peak RSS %.1f MiB (%.2fx model),"
                + " user %s s, sys %s s%n", label, wall, weights / wall / 1e6, rssKb / 1024.0,
                rssKb * 1024.0 / bytes, find(log, "User time \\(seconds\\): ([0-9.]+)"),
                find(log, "System time \\(seconds\\): ([0-9.]+)"));
        return wall;
    }

    private static void deleteOutput(Path out) throws IOException {
        Files.deleteIfExists(out);
        Files.deleteIfExists(out.resolveSibling(out.getFileName() + ".data"));
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /**
     * The reference: wall time of copying the model's files with {@code dd} (8 MiB blocks, writes past
     * the page cache as the tool's, synced at the end): reading and writing the same bytes, without a
     * JVM, parsing or masking.
     */
    private static double copySeconds(List<Path> files, Path scratch) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        for (Path f : files) {
            Path to = scratch.resolve("copy-" + f.getFileName());
            Process p = new ProcessBuilder("dd", "if=" + f, "of=" + to, "bs=8M", "oflag=direct", "conv=fsync",
                    "status=none").redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("dd failed: " + log);
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        for (Path f : files) {
            Files.deleteIfExists(scratch.resolve("copy-" + f.getFileName()));
        }
        return s;
    }

    /**
     * The second reference: wall time of {@link JavaCopy} on the same files, in a JVM started with the
     * launcher's JVM options ({@code SPARSITY_JAVA_OPTS}, else its default), including that JVM's start.
     */
    private static double javaCopySeconds(List<Path> files, Path scratch) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-v", javaCommand()));
        cmd.addAll(launcherOptions());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JavaCopy.class.getName(), scratch.toString()));
        for (Path f : files) {
            cmd.add(f.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("JavaCopy failed: " + log);
        }
        for (Path f : files) {
            Files.deleteIfExists(scratch.resolve("java-copy-" + f.getFileName()));
        }
        return wallSeconds(log);
    }

    /**
     * The tool's cost without the JVM start and the JIT warm-up: {@link WarmPrune} in a JVM started with
     * the launcher's options, pruning the model several times; the first run is the cold one.
     */
    private static void warm(Path model, Path out) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaCommand()));
        cmd.addAll(launcherOptions());
        cmd.addAll(List.of("-cp", Path.of("sparsity-onnx", "target", "sparsity-cli.jar") + java.io.File.pathSeparator
                + System.getProperty("java.class.path"), WarmPrune.class.getName(), model.toString(), out.toString(), "6"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("WarmPrune failed: " + log);
        }
        System.out.print(log.replace("in-process run 1:", "in-process run 1 (cold):"));
    }

    /**
     * The launcher's JVM options: {@code SPARSITY_JAVA_OPTS} split at spaces, or its default (the same as
     * the {@code sparsity} script's) when unset or blank.
     */
    private static List<String> launcherOptions() {
        String opts = System.getenv("SPARSITY_JAVA_OPTS");
        if (opts == null || opts.isBlank()) {
            opts = "-XX:+UseSerialGC -Djdk.reflect.useNativeAccessorOnly=true";
        }
        List<String> list = new ArrayList<>(List.of(opts.trim().split("\\s+")));
        int feature = Runtime.version().feature(); // the JDK of javaCommand()
        if (System.getenv("SPARSITY_JAVA_OPTS") == null || System.getenv("SPARSITY_JAVA_OPTS").isBlank()) {
            // the launcher's JIT hints, which it adds to its default options
            list.add("-XX:CompileCommand=quiet");
            list.add("-XX:CompileCommand=dontinline,org.sparsity4j.core.mask.FusedStrip::transfer");
            list.add("-XX:CompileCommand=dontinline,org.sparsity4j.core.mask.Bits::orNibbleBit");
            if (feature < 25) {
                list.add("-XX:CompileCommand=CompileThresholdScaling,org.sparsity4j.core.mask.*::*,0.1");
            }
        }
        if (feature >= 23) { // as the launcher adds it
            list.add("--sun-misc-unsafe-memory-access=allow");
        }
        return list;
    }

    /**
     * The {@code java} of the JDK running this benchmark, for the reference and warm runs, so that the
     * options above fit it. The timed {@code ./sparsity} runs use the {@code java} on the PATH: run
     * the benchmark with that one.
     */
    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String find(String log, String regex) {
        Matcher m = Pattern.compile(regex).matcher(log);
        if (!m.find()) {
            throw new IllegalStateException("no '" + regex + "' in:\n" + log);
        }
        return m.group(1);
    }

    private static double wallSeconds(String log) {
        String t = find(log, "Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\): ([0-9:.]+)");
        String[] parts = t.split(":");
        double s = 0;
        for (String part : parts) {
            s = s * 60 + Double.parseDouble(part);
        }
        return s;
    }

    // ------------------------------------------------------------------ minimal ONNX writer

    private static void write(Path model, int layers, int dim, boolean external) throws IOException {
        long tensorBytes = (long) dim * dim * 4;
        SplittableRandom rnd = new SplittableRandom(42);
        Path data = model.resolveSibling(model.getFileName() + ".data");
        List<byte[]> headers = new ArrayList<>();
        List<byte[]> nodes = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            ByteArrayOutputStream t = new ByteArrayOutputStream();
            varintField(t, 1, dim);
            varintField(t, 1, dim);
            varintField(t, 2, 1);
            bytesField(t, 8, ("w" + i).getBytes(StandardCharsets.UTF_8));
            if (external) {
                bytesField(t, 13, entry("location", data.getFileName().toString()));
                bytesField(t, 13, entry("offset", Long.toString(i * tensorBytes)));
                bytesField(t, 13, entry("length", Long.toString(tensorBytes)));
                varintField(t, 14, 1);
            } else {
                tag(t, 9, 2);
                varint(t, tensorBytes); // raw_data bytes follow
            }
            headers.add(t.toByteArray());
            ByteArrayOutputStream n = new ByteArrayOutputStream();
            bytesField(n, 1, (i == 0 ? "x" : "h" + (i - 1)).getBytes(StandardCharsets.UTF_8));
            bytesField(n, 1, ("w" + i).getBytes(StandardCharsets.UTF_8));
            bytesField(n, 2, (i == layers - 1 ? "y" : "h" + i).getBytes(StandardCharsets.UTF_8));
            bytesField(n, 3, ("mm" + i).getBytes(StandardCharsets.UTF_8));
            bytesField(n, 4, "MatMul".getBytes(StandardCharsets.UTF_8));
            nodes.add(n.toByteArray());
        }
        ByteArrayOutputStream small = new ByteArrayOutputStream();
        for (byte[] n : nodes) {
            bytesField(small, 1, n);
        }
        bytesField(small, 2, "mlp".getBytes(StandardCharsets.UTF_8));
        bytesField(small, 11, valueInfo("x", 1, dim));
        bytesField(small, 12, valueInfo("y", 1, dim));
        long graphLen = small.size();
        for (byte[] h : headers) {
            long len = h.length + (external ? 0 : tensorBytes);
            graphLen += 1 + varintSize(len) + len;
        }
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        varintField(head, 1, 8);
        ByteArrayOutputStream opset = new ByteArrayOutputStream();
        varintField(opset, 2, 17);
        bytesField(head, 8, opset.toByteArray());
        tag(head, 7, 2);
        varint(head, graphLen);
        ByteBuffer buf = ByteBuffer.allocate((int) tensorBytes).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(model, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                FileChannel dch = external ? FileChannel.open(data, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE) : null) {
            OutputStream os = java.nio.channels.Channels.newOutputStream(ch);
            os.write(head.toByteArray());
            os.write(small.toByteArray());
            for (byte[] h : headers) {
                long len = h.length + (external ? 0 : tensorBytes);
                ByteArrayOutputStream f = new ByteArrayOutputStream();
                tag(f, 5, 2);
                varint(f, len);
                os.write(f.toByteArray());
                os.write(h);
                buf.clear();
                while (buf.hasRemaining()) {
                    buf.putFloat((rnd.nextInt(1 << 24) - (1 << 23)) / (float) (1 << 23));
                }
                buf.flip();
                if (external) {
                    while (buf.hasRemaining()) {
                        dch.write(buf);
                    }
                } else {
                    os.flush();
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                }
            }
            os.flush();
        }
    }

    private static byte[] entry(String k, String v) throws IOException {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        bytesField(e, 1, k.getBytes(StandardCharsets.UTF_8));
        bytesField(e, 2, v.getBytes(StandardCharsets.UTF_8));
        return e.toByteArray();
    }

    private static byte[] valueInfo(String name, int batch, int dim) throws IOException {
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (int d : new int[] {batch, dim}) {
            ByteArrayOutputStream dd = new ByteArrayOutputStream();
            varintField(dd, 1, d);
            bytesField(shape, 1, dd.toByteArray());
        }
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        varintField(tensor, 1, 1);
        bytesField(tensor, 2, shape.toByteArray());
        ByteArrayOutputStream type = new ByteArrayOutputStream();
        bytesField(type, 1, tensor.toByteArray());
        ByteArrayOutputStream vi = new ByteArrayOutputStream();
        bytesField(vi, 1, name.getBytes(StandardCharsets.UTF_8));
        bytesField(vi, 2, type.toByteArray());
        return vi.toByteArray();
    }

    private static void tag(OutputStream o, int field, int wire) throws IOException {
        varint(o, (long) field << 3 | wire);
    }

    private static void varintField(OutputStream o, int field, long v) throws IOException {
        tag(o, field, 0);
        varint(o, v);
    }

    private static void bytesField(OutputStream o, int field, byte[] b) throws IOException {
        tag(o, field, 2);
        varint(o, b.length);
        o.write(b);
    }

    private static void varint(OutputStream o, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            o.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}
