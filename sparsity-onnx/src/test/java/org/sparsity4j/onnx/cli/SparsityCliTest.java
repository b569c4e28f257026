package org.sparsity4j.onnx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsity4j.core.simd.VectorSupport;
import org.sparsity4j.onnx.proto.OnnxSubset;

/** The command line: commands, options, exit codes, and that failures leave no output. */
class SparsityCliTest {
    @TempDir
    Path dir;
    Path model;
    String stdout;
    String stderr;

    @BeforeEach
    void copyModel() throws Exception {
        model = dir.resolve("resnet.onnx");
        try (InputStream in = getClass().getResourceAsStream("/models/resnet_tiny_fp32.onnx")) {
            Files.copy(in, model);
        }
    }

    private int run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SparsityCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        stdout = out.toString(StandardCharsets.UTF_8);
        stderr = err.toString(StandardCharsets.UTF_8);
        return code;
    }

    @Test
    void versionNamesTheVersionTheRuntimeTheSimdChoiceAndOnnxRuntime() {
        for (String flag : new String[] {"--version", "-V"}) {
            assertEquals(0, run(flag, "prune"), stderr);
            String[] lines = stdout.split("\n");
            assertEquals(4, lines.length, stdout);
            assertTrue(lines[0].matches("sparsity \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Sparsity4J\\)"), lines[0]);
            assertTrue(lines[1].startsWith("Java " + System.getProperty("java.version") + " ("), lines[1]);
            assertEquals(VectorSupport.describe(), lines[2]);
            // The tests run with ONNX Runtime on the class path (the calibration tests need it).
            assertTrue(lines[3].startsWith("ONNX Runtime on the class path"), lines[3]);
            assertEquals("", stderr);
        }
    }

    @Test
    void largeScalarRunsSuggestTheSimdKernels() {
        long n = SparsityCli.SIMD_HINT_ELEMENTS;
        assertTrue(SparsityCli.simdHint(n - 1, false).isEmpty(), "below the threshold");
        assertTrue(SparsityCli.simdHint(n, true).isEmpty(), "module present");
        String hint = SparsityCli.simdHint(1_073_741_824L, false).orElseThrow();
        assertTrue(hint.contains("1.07 G weights") && hint.contains("--add-modules jdk.incubator.vector"), hint);
    }

    @Test
    void pruneThenCheck() throws Exception {
        String in = model.toString();
        assertEquals(ExitCode.CHECK_FAILED.code(), run("check", in));
        assertTrue(stdout.contains("check FAILED"), stdout);
        Path out = dir.resolve("out.onnx");
        assertEquals(0, run("prune", in, "-o", out.toString()), stderr);
        assertTrue(stdout.contains("6 pruned"), stdout);
        assertEquals(0, run("check", out.toString()), stdout + stderr);
        assertTrue(stdout.contains("check passed"), stdout);
        byte[] first = Files.readAllBytes(out);
        assertEquals(0, run("prune", in, "--output=" + out, "--quiet"));
        assertEquals("", stdout);
        assertArrayEquals(first, Files.readAllBytes(out), "not deterministic");
    }

    @Test
    void reportJsonAndDryRunWriteNothing() throws Exception {
        assertEquals(0, run("report", model.toString(), "--json", "--min-size", "1000"));
        assertTrue(stdout.startsWith("{") && stdout.trim().endsWith("}"), stdout);
        assertTrue(stdout.contains("\"action\": \"skip\"") && stdout.contains("\"reason\": \"smaller than the minimum size"),
                stdout);
        assertTrue(stdout.contains("\"retainedMagnitude\": 0."), stdout);
        Path out = dir.resolve("dry.onnx");
        assertEquals(0, run("prune", model.toString(), "-o", out.toString(), "--dry-run"));
        assertTrue(stdout.contains("would prune"), stdout);
        assertFalse(Files.exists(out));
        assertEquals(0, run("report", model.toString(), "--pattern", "1:2", "--mask", "strip", "--exclude", "layer2"));
        assertTrue(stdout.contains("matched by --exclude"), stdout);
        assertEquals(0, run("--help"));
        assertTrue(stdout.startsWith("Usage: sparsity"));
    }

    @Test
    void exitCodes() throws Exception {
        String in = model.toString();
        assertEquals(ExitCode.USAGE.code(), run());
        assertEquals(ExitCode.USAGE.code(), run("frobnicate", in));
        assertEquals(ExitCode.USAGE.code(), run("prune", in));
        assertEquals(ExitCode.USAGE.code(), run("prune", in, "-o"));
        assertEquals(ExitCode.USAGE.code(), run("check", in, "--bogus"));
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--pattern", "5:4"));
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--mask", "tile", "--pattern", "1:2"));
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--include", "("));
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--min-size", "-3"));
        assertEquals(ExitCode.USAGE.code(), run("prune", in, "-o", in));
        assertTrue(stderr.contains("refusing to overwrite"), stderr);
        assertEquals(ExitCode.INPUT.code(), run("report", dir.resolve("nope.onnx").toString()));
        assertTrue(stderr.contains("does not exist"), stderr);
        Path bad = dir.resolve("bad.onnx");
        byte[] b = Files.readAllBytes(model);
        Files.write(bad, java.util.Arrays.copyOf(b, b.length / 2));
        Path out = dir.resolve("bad-out.onnx");
        assertEquals(ExitCode.INPUT.code(), run("prune", bad.toString(), "-o", out.toString()));
        assertFalse(Files.exists(out));
        assertEquals(ExitCode.USAGE.code(), run("prune", in, "-o", dir.resolve("no/such/dir/x.onnx").toString()));
        assertTrue(stderr.contains("does not exist"), stderr);
        // an option after -o is not taken as the output's name
        // an empty file name is a command-line mistake, not an unusable model
        assertEquals(ExitCode.USAGE.code(), run("check", ""));
        assertTrue(stderr.contains("the argument given is empty"), stderr);
        assertEquals(ExitCode.USAGE.code(), run("prune", in, "-o", ""));
        assertTrue(stderr.contains("-o needs a file name"), stderr);
        assertEquals(ExitCode.USAGE.code(), run("prune", in, "-o", "--quiet"));
        assertTrue(stderr.contains("-o needs a value") && stderr.contains("./--quiet"), stderr);
        assertFalse(Files.exists(Path.of("--quiet")));
        assertEquals(ExitCode.USAGE.code(), run("prune", in, "--calibration", "-q", "-o", out.toString()));
        // an output that is a directory is refused before any work
        Path outDir = Files.createDirectory(dir.resolve("out-dir.onnx"));
        assertEquals(ExitCode.USAGE.code(), run("prune", in, "-o", outDir.toString()));
        assertTrue(stderr.contains("is a directory"), stderr);
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }

    private static String resource(String name) throws Exception {
        return Path.of(SparsityCliTest.class.getResource("/calibration/digits/" + name).toURI()).toString();
    }

    @Test
    void calibratedPruning() throws Exception {
        String in = resource("digits_mlp.onnx");
        Path out = dir.resolve("wanda.onnx");
        assertEquals(0, run("prune", in, "-o", out.toString(), "--calibration", resource("calibration"), "--eval",
                resource("evaluation")), stderr);
        assertTrue(stdout.contains("calibration: directory") && stdout.contains("16 samples"), stdout);
        assertTrue(stdout.contains("top-1 agreement") && stdout.contains("(400 rows)"), stdout);
        assertTrue(stdout.contains("SCORE"), stdout);
        assertEquals(0, run("check", out.toString()), stdout);
        assertEquals(0, run("report", in, "--json", "--calibration-random", "2", "--shape", "pixels=3x64", "--seed",
                "5"), stderr);
        assertTrue(stdout.contains("\"scoring\": \"wanda\"") && stdout.contains("\"retainedScore\": 0."), stdout);
        assertTrue(stdout.contains("\"calibration\": {\"source\": \"2 random samples (seed 5)\""), stdout);
        // Dynamic batch dim without --shape: a usage error naming the input.
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--calibration-random", "2"));
        assertTrue(stderr.contains("'pixels'") && stderr.contains("--shape"), stderr);
        assertEquals(ExitCode.USAGE.code(), run("prune", in, "-o", out.toString(), "--eval", resource("evaluation")));
        assertEquals(ExitCode.USAGE.code(), run("check", in, "--calibration", resource("calibration")));
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--calibration", "x", "--calibration-random", "3"));
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--calibration-random", "0"));
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--calibration-random", "1", "--shape", "pixels=3y64"));
        // a --shape that changes a fixed dim or the rank: a usage error naming the declared shape
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--calibration-random", "1", "--shape", "pixels=3x65"));
        assertTrue(stderr.contains("--shape pixels=3x65 does not fit input 'pixels' of shape [?, 64]"), stderr);
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--calibration-random", "1", "--shape", "pixels=3x1x64"));
        assertTrue(stderr.contains("does not fit input 'pixels'"), stderr);
        // more elements than one calibration input can hold: a usage error, not an internal one
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--calibration-random", "1", "--shape",
                "pixels=65536x65536"));
        assertTrue(stderr.contains("--shape pixels=65536x65536: more than"), stderr);
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--calibration-random", "1", "--shape",
                "pixels=4294967296x4294967296x4294967296"));
        assertEquals(ExitCode.USAGE.code(), run("report", in, "--calibration", resource("calibration"), "--eval",
                resource("evaluation")));
        // A missing calibration or evaluation directory is an input error and leaves nothing behind.
        Path out2 = dir.resolve("none.onnx");
        assertEquals(ExitCode.INPUT.code(), run("prune", in, "-o", out2.toString(), "--calibration",
                dir.resolve("nope").toString()));
        assertTrue(stderr.contains("does not exist"), stderr);
        assertEquals(ExitCode.INPUT.code(), run("prune", in, "-o", out2.toString(), "--calibration",
                resource("calibration"), "--eval", dir.resolve("nope").toString()));
        assertFalse(Files.exists(out2));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }
    @Test
    void jsonStringsAreAsciiWithEscapes() {
        assertEquals("\"W\\\"q\\n\\u00e9\\u4e2d\\ud83d\\ude00\\u0001\\u2028\\u007f~\"",
                Json.str("W\"q\n\u00e9\u4e2d\uD83D\uDE00\u0001\u2028\u007f~"));
    }

    @Test
    void progressFollowsTheLaunchersStderrTerminalPropertyElseTheConsole() {
        assertTrue(SparsityCli.stderrIsTerminal("true", false));
        assertFalse(SparsityCli.stderrIsTerminal("false", true));
        assertTrue(SparsityCli.stderrIsTerminal(null, true));
        assertFalse(SparsityCli.stderrIsTerminal(null, false));
    }

    /** Runs the tool in a new JVM under the C locale; returns {exit code, stdout, stderr} (read as UTF-8). */
    private static String[] runJvm(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        return new String[] {Integer.toString(code), out, new String(err.get(), StandardCharsets.UTF_8)};
    }

    @Test
    void namesOutsideAsciiSurviveTheCLocaleAndProgressFollowsTheProperty() throws Exception {
        String name = "W\u00e9\u4e2d\uD83D\uDE00";
        java.nio.ByteBuffer w = java.nio.ByteBuffer.allocate(256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 64; i++) {
            w.putFloat((float) r.nextGaussian());
        }
        OnnxSubset.GraphProto g = OnnxSubset.GraphProto.newBuilder().setName("g")
                .addInitializer(OnnxSubset.TensorProto.newBuilder().setName(name).setDataType(1).addDims(8).addDims(8)
                        .setRawData(com.google.protobuf.ByteString.copyFrom(w.array())))
                .addNode(OnnxSubset.NodeProto.newBuilder().setOpType("MatMul").setName("mm\u00fc").addInput("x")
                        .addInput(name).addOutput("y"))
                .build();
        Path in = dir.resolve("names.onnx");
        Files.write(in, OnnxSubset.ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OnnxSubset.OperatorSetIdProto.newBuilder().setVersion(17)).build().toByteArray());
        String main = SparsityCli.class.getName();
        String[] text = runJvm("-D" + SparsityCli.STDERR_TERMINAL_PROPERTY + "=false", main, "report", in.toString());
        assertEquals("0", text[0], text[2]);
        assertTrue(text[1].contains(name + " <- MatMul 'mm\u00fc'"), text[1]);
        assertFalse(text[2].contains("\033"), "progress in a stderr that is no terminal: " + text[2]);
        String[] json = runJvm("-D" + SparsityCli.STDERR_TERMINAL_PROPERTY + "=true", main, "report", in.toString(),
                "--json");
        assertEquals("0", json[0], json[2]);
        assertTrue(json[1].chars().allMatch(c -> c < 0x7F), json[1]);
        assertTrue(json[1].contains("\"name\": \"W\\u00e9\\u4e2d\\ud83d\\ude00\""), json[1]);
        assertTrue(json[2].contains("\033[K"), "no progress in a terminal: " + json[2]);
    }
}
