package org.sparsity4j.onnx.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.simd.VectorSupport;
import org.sparsity4j.onnx.Action;
import org.sparsity4j.onnx.Calibration;
import org.sparsity4j.onnx.CalibrationReport;
import org.sparsity4j.onnx.OutputFidelity;
import org.sparsity4j.onnx.MaskChoice;
import org.sparsity4j.onnx.OnnxInputException;
import org.sparsity4j.onnx.OnnxPruner;
import org.sparsity4j.onnx.PruneOptions;
import org.sparsity4j.onnx.PruneReport;
import org.sparsity4j.onnx.TensorReport;

/**
 * The {@code sparsity} command line tool. Commands: {@code prune IN -o OUT}, {@code check IN},
 * {@code report IN}; see {@link #USAGE} and {@link ExitCode}.
 */
public final class SparsityCli {
    /** The usage text. */
    public static final String USAGE = String.join("\n",
            "Usage: sparsity prune IN.onnx -o OUT.onnx [options]   prune weights for TensorRT sparse kernels",
            "       sparsity check IN.onnx [options]               exit 0 only if every eligible weight is sparse",
            "       sparsity report IN.onnx [options]              list every candidate weight, write nothing",
            "",
            "Options:",
            "  -o, --output FILE     output model (prune); never the input. External data goes to FILE.data",
            "  --pattern N:M         sparsity pattern (default 2:4; 1:2 for TF32 engines)",
            "  --mask strip|tile     strip: N:M along the reduction axis (default);",
            "                        tile: transposable 2:4 in 4x4 tiles",
            "  --include REGEX       only tensors whose name or consumer node name matches",
            "  --exclude REGEX       skip tensors whose name or consumer node name matches",
            "  --min-size N          skip tensors with fewer than N elements (default 0)",
            "  --dry-run             prune: report what would be done, write nothing",
            "",
            "Activation-aware (Wanda) pruning: score |W_ij| * ||X_j||_2 over calibration samples (needs ONNX Runtime):",
            "  --calibration DIR     samples: one folder per sample with input_0.pb... (TensorProto) or .npy files",
            "  --calibration-random N  N samples of seeded standard-normal inputs of the declared input shapes",
            "  --shape NAME=DxDx...  fix the shape of input NAME for random samples (dynamic dims); repeatable",
            "  --seed S              seed of random samples (default 0)",
            "  --eval DIR            prune: compare the pruned with the dense model on held-out samples (same layout)",
            "  --eval-random N       prune: ... on N random samples (other seeds than calibration)",
            "  --layer-by-layer      re-collect statistics stage by stage with earlier layers already pruned",
            "  --json                print the report as JSON",
            "  -q, --quiet           no report and no progress (errors still go to stderr)",
            "  -h, --help            this help",
            "  -V, --version         version, Java runtime, whether the SIMD kernels run and ONNX Runtime is present",
            "",
            "Exit codes: 0 ok, 1 check failed, 2 usage error, 3 input error, 4 output error, 70 internal error.",
            "");

    private SparsityCli() {
    }

    /**
     * The system property through which the {@code sparsity} launcher tells whether stderr is a
     * terminal ({@code true} or {@code false}); Java cannot tell that of stderr itself.
     */
    public static final String STDERR_TERMINAL_PROPERTY = "sparsity.stderrIsTerminal";

    /**
     * Runs the tool and exits with its exit code. The report (stdout) and messages (stderr) are
     * written in UTF-8 whatever the locale, so that tensor and node names are never replaced by
     * {@code ?}; JSON output is ASCII anyway. Progress is printed when stderr is a terminal, as the
     * launcher reports through {@link #STDERR_TERMINAL_PROPERTY}; without it (the jar run directly)
     * the JVM's console check stands in, which tells whether stdin and stdout are terminals.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        boolean tty = stderrIsTerminal(System.getProperty(STDERR_TERMINAL_PROPERTY), System.console() != null);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = run(args, out, err, tty);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Whether stderr is a terminal: what the launcher's property says when it is set, else whether
     * the JVM has a console.
     *
     * @param property the value of {@link #STDERR_TERMINAL_PROPERTY}, or null
     * @param console whether {@code System.console()} is non-null
     * @return whether progress may be printed to stderr
     */
    static boolean stderrIsTerminal(String property, boolean console) {
        return property == null || property.isBlank() ? console : Boolean.parseBoolean(property.trim());
    }

    /** Parsed command line. */
    private static final class Args {
        String command;
        String input;
        String output;
        boolean dryRun;
        boolean json;
        boolean quiet;
        boolean help;
        boolean version;
        PruneOptions options = PruneOptions.defaults();
        String calibrationDir;
        int calibrationRandom;
        long seed;
        final java.util.Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        String evalDir;
        int evalRandom;
        boolean layerByLayer;
    }

    /** Thrown for command line errors. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Runs the tool.
     *
     * @param args the command line
     * @param out where reports go
     * @param err where errors and progress go
     * @param progress whether to print progress (stderr is a terminal)
     * @return the exit status (see {@link ExitCode})
     */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean progress) {
        Args a;
        try {
            a = parse(args);
        } catch (UsageException e) {
            err.println("sparsity: " + e.getMessage());
            err.println("Try 'sparsity --help'.");
            return ExitCode.USAGE.code();
        }
        if (a.help) {
            out.print(USAGE);
            return ExitCode.OK.code();
        }
        if (a.version) {
            out.print(versionText());
            return ExitCode.OK.code();
        }
        PruneOptions options = a.options;
        if (progress && !a.quiet) {
            options = options.withProgress(line -> err.print("\r\033[K" + line));
        }
        try {
            PruneReport r;
            switch (a.command) {
                case "prune":
                    r = a.dryRun ? OnnxPruner.report(Path.of(a.input), options)
                            : OnnxPruner.prune(Path.of(a.input), Path.of(a.output), options);
                    break;
                case "check":
                    r = OnnxPruner.check(Path.of(a.input), options);
                    break;
                default:
                    r = OnnxPruner.report(Path.of(a.input), options);
            }
            if (progress && !a.quiet) {
                err.print("\r\033[K");
            }
            if (!a.quiet) {
                out.print(a.json ? Json.of(r, a.command) : text(r, a.command, a.dryRun));
                if (a.command.equals("prune") && !a.dryRun) {
                    simdHint(r.prunedElements(), ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent())
                            .ifPresent(err::println);
                }
            }
            if (a.command.equals("check") && !r.allEligibleValid()) {
                return ExitCode.CHECK_FAILED.code();
            }
            return ExitCode.OK.code();
        } catch (OnnxInputException e) {
            err.println("sparsity: input error: " + e.getMessage());
            return ExitCode.INPUT.code();
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            err.println("sparsity: " + e.getMessage());
            return ExitCode.USAGE.code();
        } catch (IOException | UncheckedIOException e) {
            // input read errors are OnnxInputException: an I/O error here is the output's
            String reason = e.getMessage() != null ? e.getMessage() : e.toString();
            err.println(a.command.equals("prune") && !a.dryRun
                    ? "sparsity: cannot write " + a.output + ": " + reason
                    : "sparsity: I/O error: " + e);
            return ExitCode.OUTPUT.code();
        } catch (InternalError e) {
            if (e.getMessage() == null || !e.getMessage().contains("unsafe memory access")) {
                return internal(err, e);
            }
            // what the JVM throws when a mapped file shrinks under it (the model is read through a mapping)
            err.println("sparsity: input error: reading the model failed (" + e.getMessage() + "); was "
                    + a.input + " changed or truncated while it was read?");
            return ExitCode.INPUT.code();
        } catch (RuntimeException | Error e) {
            // any other throwable, errors included: not exit 1, which means a failed check
            return internal(err, e);
        }
    }

    private static int internal(PrintStream err, Throwable e) {
        err.println("sparsity: internal error: " + e);
        e.printStackTrace(err);
        return ExitCode.INTERNAL.code();
    }

    /** Pruned weights from which {@link #simdHint} suggests the SIMD kernels. */
    static final long SIMD_HINT_ELEMENTS = 1L << 28;

    /**
     * The hint printed after pruning many weights with the scalar kernels because the JVM was started
     * without the Vector API module: on a 4 GiB model the SIMD kernels needed about half the CPU time
     * (benchmarks/RESULTS.md). Empty below {@link #SIMD_HINT_ELEMENTS} or when the module is there.
     *
     * @param prunedElements weights pruned by this run
     * @param vectorModule whether {@code jdk.incubator.vector} is in the boot layer
     * @return the hint, or empty
     */
    static java.util.Optional<String> simdHint(long prunedElements, boolean vectorModule) {
        if (vectorModule || prunedElements < SIMD_HINT_ELEMENTS) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format(java.util.Locale.ROOT, "sparsity: hint: %.2f G weights were pruned"
                + " with the scalar kernels; on models this large the SIMD kernels need about half the CPU time:"
                + " SPARSITY_JAVA_OPTS=\"-XX:+UseSerialGC --add-modules jdk.incubator.vector\"",
                prunedElements / 1e9));
    }

    /**
     * Returns what {@code --version} prints: the tool's version, the Java runtime, whether the core's
     * SIMD kernels run (and why not), and whether ONNX Runtime (calibration) is on the class path.
     *
     * @return four lines, each ending with a newline
     */
    public static String versionText() {
        String onnxRuntime = OnnxPruner.onnxRuntimeAvailable()
                ? "ONNX Runtime on the class path: calibration (--calibration, --eval) available"
                : "ONNX Runtime not on the class path: calibration (--calibration, --eval) unavailable";
        return "sparsity " + version() + " (Sparsity4J)\n"
                + "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ") on "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "\n"
                + VectorSupport.describe() + "\n"
                + onnxRuntime + "\n";
    }

    /** The version Maven wrote into version.properties, or "unknown" when the resource is missing. */
    private static String version() {
        try (InputStream in = SparsityCli.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.contains("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Args parse(String[] args) throws UsageException {
        Args a = new Args();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String s = args[i];
            String value = null;
            int eq = s.indexOf('=');
            if (s.startsWith("--") && eq > 0) {
                value = s.substring(eq + 1);
                s = s.substring(0, eq);
            }
            switch (s) {
                case "-h":
                case "--help":
                    a.help = true;
                    return a;
                case "-V":
                case "--version":
                    a.version = true;
                    return a;
                case "-o":
                case "--output":
                    a.output = value != null ? value : nextPath(args, ++i, s);
                    if (a.output.isEmpty()) {
                        throw new UsageException(s + " needs a file name, not an empty argument");
                    }
                    break;
                case "--pattern":
                    try {
                        a.options = a.options.withPattern(SparsityPattern.parse(value != null ? value
                                : next(args, ++i, s)));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                    break;
                case "--mask": {
                    String m = value != null ? value : next(args, ++i, s);
                    switch (m.toLowerCase(Locale.ROOT)) {
                        case "strip":
                            a.options = a.options.withMask(MaskChoice.STRIP);
                            break;
                        case "tile":
                            a.options = a.options.withMask(MaskChoice.TILE);
                            break;
                        default:
                            throw new UsageException("--mask must be strip or tile, not '" + m + "'");
                    }
                    break;
                }
                case "--include":
                    a.options = a.options.withInclude(regex(value != null ? value : next(args, ++i, s), s));
                    break;
                case "--exclude":
                    a.options = a.options.withExclude(regex(value != null ? value : next(args, ++i, s), s));
                    break;
                case "--min-size": {
                    String n = value != null ? value : next(args, ++i, s);
                    try {
                        long v = Long.parseLong(n);
                        if (v < 0) {
                            throw new NumberFormatException();
                        }
                        a.options = a.options.withMinElements(v);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--min-size needs a non-negative integer, not '" + n + "'");
                    }
                    break;
                }
                case "--dry-run":
                    a.dryRun = true;
                    break;
                case "--calibration":
                    a.calibrationDir = value != null ? value : nextPath(args, ++i, s);
                    break;
                case "--calibration-random":
                    a.calibrationRandom = positiveInt(value != null ? value : next(args, ++i, s), s);
                    break;
                case "--eval":
                    a.evalDir = value != null ? value : nextPath(args, ++i, s);
                    break;
                case "--eval-random":
                    a.evalRandom = positiveInt(value != null ? value : next(args, ++i, s), s);
                    break;
                case "--seed": {
                    String n = value != null ? value : next(args, ++i, s);
                    try {
                        a.seed = Long.parseLong(n);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--seed needs an integer, not '" + n + "'");
                    }
                    break;
                }
                case "--layer-by-layer":
                    a.layerByLayer = true;
                    break;
                case "--shape":
                    shape(value != null ? value : next(args, ++i, s), a);
                    break;
                case "--json":
                    a.json = true;
                    break;
                case "-q":
                case "--quiet":
                    a.quiet = true;
                    break;
                default:
                    if (s.startsWith("-") && s.length() > 1) {
                        throw new UsageException("unknown option '" + s + "'");
                    }
                    positional.add(args[i]);
            }
        }
        if (positional.isEmpty()) {
            throw new UsageException("missing command (prune, check or report)");
        }
        a.command = positional.get(0);
        if (!List.of("prune", "check", "report").contains(a.command)) {
            throw new UsageException("unknown command '" + a.command + "' (expected prune, check or report)");
        }
        if (positional.size() != 2) {
            throw new UsageException(a.command + " needs exactly one input model, got " + (positional.size() - 1));
        }
        a.input = positional.get(1);
        if (a.input.isEmpty()) {
            throw new UsageException(a.command + " needs an input model; the argument given is empty");
        }
        if (a.command.equals("prune")) {
            if (a.output == null && !a.dryRun) {
                throw new UsageException("prune needs an output file: -o OUT.onnx");
            }
        } else if (a.output != null) {
            throw new UsageException(a.command + " writes nothing; -o is for prune");
        } else if (a.dryRun) {
            throw new UsageException("--dry-run is for prune; " + a.command + " never writes");
        }
        calibration(a);
        try {
            PruneOptions o = a.options;
            if (o.mask() == MaskChoice.TILE && !o.pattern().equals(SparsityPattern.TWO_OF_FOUR)) {
                throw new UsageException("--mask tile is 2:4 only, not " + o.pattern());
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return a;
    }

    private static void calibration(Args a) throws UsageException {
        boolean any = a.calibrationDir != null || a.calibrationRandom > 0;
        if (a.calibrationDir != null && a.calibrationRandom > 0) {
            throw new UsageException("--calibration and --calibration-random exclude each other");
        }
        if (!any) {
            if (a.evalDir != null || a.evalRandom > 0 || !a.shapes.isEmpty() || a.layerByLayer) {
                throw new UsageException("--eval, --eval-random, --shape and --layer-by-layer need --calibration or"
                        + " --calibration-random");
            }
            return;
        }
        if (a.command.equals("check")) {
            throw new UsageException("check computes no masks; --calibration is for prune and report");
        }
        if (a.evalDir != null && a.evalRandom > 0) {
            throw new UsageException("--eval and --eval-random exclude each other");
        }
        if ((a.evalDir != null || a.evalRandom > 0) && !(a.command.equals("prune") && !a.dryRun)) {
            throw new UsageException("--eval compares the written model with the input; it needs prune without --dry-run");
        }
        Calibration c = a.calibrationDir != null ? Calibration.directory(Path.of(a.calibrationDir))
                : Calibration.random(a.calibrationRandom);
        c = c.withSeed(a.seed).withLayerByLayer(a.layerByLayer);
        for (java.util.Map.Entry<String, long[]> e : a.shapes.entrySet()) {
            c = c.withShape(e.getKey(), e.getValue());
        }
        if (a.evalDir != null) {
            c = c.withEvaluation(Path.of(a.evalDir));
        } else if (a.evalRandom > 0) {
            c = c.withEvaluationRandom(a.evalRandom);
        }
        a.options = a.options.withCalibration(c);
    }

    private static int positiveInt(String n, String option) throws UsageException {
        try {
            int v = Integer.parseInt(n);
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a positive integer, not '" + n + "'");
        }
    }

    /** Largest element count of one calibration input (8-byte elements in one array). */
    static final long MAX_SAMPLE_ELEMENTS = (Integer.MAX_VALUE - 8) / 8;

    private static void shape(String spec, Args a) throws UsageException {
        int eq = spec.lastIndexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new UsageException("--shape needs NAME=DxDx..., e.g. --shape input=1x3x224x224, not '" + spec + "'");
        }
        String[] parts = spec.substring(eq + 1).split("[xX,]");
        long[] dims = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                dims[i] = Long.parseLong(parts[i].trim());
                if (dims[i] < 1) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new UsageException("--shape " + spec + ": '" + parts[i] + "' is not a positive dim");
            }
        }
        long elements = 1;
        for (long d : dims) {
            elements = d > MAX_SAMPLE_ELEMENTS / elements ? MAX_SAMPLE_ELEMENTS + 1 : elements * d;
        }
        if (elements > MAX_SAMPLE_ELEMENTS) {
            throw new UsageException("--shape " + spec + ": more than " + MAX_SAMPLE_ELEMENTS
                    + " elements; one calibration input must fit a Java array");
        }
        a.shapes.put(spec.substring(0, eq), dims);
    }

    private static String next(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    /**
     * As {@link #next} for an option whose value is a path: a following option ({@code -o --quiet})
     * is taken as a missing value, not as a file name; a file whose name starts with '-' can be given
     * as {@code ./-name} or {@code --output=-name}.
     */
    private static String nextPath(String[] args, int i, String option) throws UsageException {
        String v = next(args, i, option);
        if (v.isEmpty()) {
            throw new UsageException(option + " needs a file name, not an empty argument");
        }
        if (v.startsWith("-") && v.length() > 1) {
            throw new UsageException(option + " needs a value, and '" + v + "' is an option (a file whose name"
                    + " starts with '-' can be written ./" + v + ")");
        }
        return v;
    }

    private static Pattern regex(String re, String option) throws UsageException {
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw new UsageException(option + ": invalid regular expression: " + e.getDescription());
        }
    }

    static String text(PruneReport r, String command, boolean dryRun) {
        StringBuilder sb = new StringBuilder();
        boolean cal = r.calibration() != null;
        sb.append(String.format(Locale.ROOT, "%-15s %-8s " + (cal ? "%-8s " : "%s") + "%-9s %-18s %-4s %s%n", "ACTION",
                "RETAINED", cal ? "SCORE" : "", "TYPE", "SHAPE", "AXIS", "TENSOR <- CONSUMERS"));
        for (TensorReport t : r.tensors()) {
            String retained = Double.isNaN(t.retainedMagnitude()) ? "-"
                    : String.format(Locale.ROOT, "%.4f", t.retainedMagnitude());
            String score = !cal ? "" : String.format(Locale.ROOT, "%-8s ", Double.isNaN(t.retainedScore()) ? "-"
                    : String.format(Locale.ROOT, "%.4f", t.retainedScore()));
            sb.append(String.format(Locale.ROOT, "%-15s %-8s %s%-9s %-18s %-4s %s <- %s%n", t.action().word(), retained,
                    score, t.dataType(), java.util.Arrays.toString(t.dims()),
                    t.axis() < 0 ? "-" : Integer.toString(t.axis()), t.name(), String.join(", ", t.consumers())));
            if (t.action() == Action.SKIP) {
                sb.append("    reason: ").append(t.reason()).append('\n');
            } else if (cal && !t.scoring().equals("wanda")) {
                sb.append("    scoring: ").append(t.scoring()).append('\n');
            }
            for (String h : t.hints()) {
                sb.append("    hint: ").append(h).append('\n');
            }
        }
        long prune = r.count(Action.PRUNE);
        String verb;
        switch (command) {
            case "prune":
                verb = dryRun ? "would prune" : "pruned";
                break;
            case "check":
                verb = "not yet sparse";
                break;
            default:
                verb = "to prune";
        }
        sb.append(String.format(Locale.ROOT, "%d candidates: %d %s (%d weights), %d already sparse, %d skipped (pattern %s,"
                + " %s mask)%n", r.tensors().size(), prune, verb, r.prunedElements(), r.count(Action.ALREADY_SPARSE),
                r.count(Action.SKIP), r.pattern(), r.mask().name().toLowerCase(Locale.ROOT)));
        if (cal) {
            CalibrationReport c = r.calibration();
            sb.append(String.format(Locale.ROOT, "calibration: %s, %d samples%s in %.2f s (%.1f samples/s after %.2f s"
                    + " of setup), %d consumers; RETAINED is kept L1 / total L1, SCORE kept / total Wanda score%n",
                    c.source(), c.samples(), c.stages() > 1 ? " x " + c.stages() + " stages" : "", c.seconds(),
                    c.samplesPerSecond(), c.seconds() - c.sampleSeconds(), c.consumers()));
            for (OutputFidelity f : c.fidelity()) {
                sb.append(String.format(Locale.ROOT, "fidelity on %d held-out samples, output %s: relative error %.4f%s%n",
                        c.evaluationSamples(), f.name(), f.relativeError(), f.rows() == 0 ? ""
                                : String.format(Locale.ROOT, ", top-1 agreement %.4f (%d rows)", f.top1Agreement(),
                                        f.rows())));
            }
        }
        if (r.output() != null) {
            sb.append("wrote ").append(r.output()).append('\n');
        }
        if (command.equals("check")) {
            sb.append(r.allEligibleValid() ? "check passed\n" : "check FAILED: " + prune
                    + " eligible weight(s) do not satisfy the pattern\n");
        }
        return sb.toString();
    }
}
