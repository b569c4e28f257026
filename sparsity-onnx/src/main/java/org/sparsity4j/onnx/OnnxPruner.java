package org.sparsity4j.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.sparsity4j.core.mask.Mask;
import org.sparsity4j.core.mask.MaskStats;
import org.sparsity4j.core.mask.StripMasker;
import org.sparsity4j.core.mask.TileMasker;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.validate.ValidationReport;
import org.sparsity4j.core.validate.Validator;
import org.sparsity4j.onnx.TensorData.Storage;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;
import org.sparsity4j.onnx.proto.OnnxSubset.StringStringEntryProto;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;

/**
 * Prunes the weights of an ONNX model that TensorRT can run with sparse kernels, or reports or
 * checks them without writing.
 *
 * <p>{@link #prune} writes the output next to a temporary name in the output's directory and
 * renames it into place only when everything succeeded; the input is never modified. A model
 * whose tensors live in external data files is written with one external data file named after the
 * output ({@code OUT.data}). The same input and options always give the same bytes.
 *
 * <p>Memory: tensor bytes are never all on the heap at once. Single-file models are parsed over a
 * memory map (tensor bytes are not copied), the output is written as a byte copy of the input (or
 * re-serialized when a message must change) and pruned in place one tensor at a time; external
 * data is streamed tensor by tensor.
 */
public final class OnnxPruner {
    /** Alignment of each tensor in a written external data file. */
    public static final int EXTERNAL_ALIGNMENT = 64;
    /**
     * Whether outputs are written with direct I/O where the file system allows it (see
     * {@code SequentialOutput}); {@code -Dsparsity.directIo=false} writes through the page cache.
     */
    private static volatile boolean directIo = !"false".equals(System.getProperty("sparsity.directIo"));
    /**
     * Allows or forbids direct I/O for the outputs of later runs in this JVM, for tests that compare
     * both ways; returns the previous setting.
     */
    static boolean useDirectIo(boolean use) {
        boolean was = directIo;
        directIo = use;
        return was;
    }

    /** Opens the input model for the single-pass writer ({@link #streamRaw}). */
    interface InputChannels {
        /**
         * Opens the model file for reading.
         *
         * @param model the input model
         * @return a channel that reads it
         * @throws IOException if it cannot be opened
         */
        FileChannel open(Path model) throws IOException;
    }

    private static volatile InputChannels inputChannels = model -> FileChannel.open(model, StandardOpenOption.READ);

    /**
     * Sets how later runs in this JVM open the input model for the single-pass writer, for tests that
     * make its reads fail; returns the previous setting.
     */
    static InputChannels useInputChannels(InputChannels open) {
        InputChannels was = inputChannels;
        inputChannels = open;
        return was;
    }

    /** Channel counts below which TensorRT seldom selects sparse kernels. */
    static final long SMALL_CHANNELS = 64;

    private enum Mode { CHECK, REPORT, PRUNE }

    /** A candidate's decision and, after processing, its outcome. */
    private static final class Plan {
        Candidate c;
        ElementType type;
        /** The tensor's dims, whatever its size. */
        long[] dims;
        /** The core shape, for plans that are processed (masked) only. */
        Shape shape;
        Storage storage;
        int axis = -1;
        int other = -1;
        Action action;
        String reason = "";
        double retained = Double.NaN;
        final List<String> hints = new ArrayList<>();
        String scoring = "magnitude";
        boolean wanda;
        double retainedScore = Double.NaN;

        boolean pending() {
            return action == null;
        }
    }

    /** Set the system property {@code sparsity.timing=true} to print phase timings to stderr. */
    private static final boolean TIMING = Boolean.getBoolean("sparsity.timing");
    private static final long START = System.nanoTime();
    private long validateNanos;
    private long maskNanos;

    private final ModelFile model;
    private final PruneOptions options;
    private ByteBuffer scratch;
    private CalibrationStats stats;
    private int evaluationSamples;
    private List<OutputFidelity> fidelity = List.of();

    private OnnxPruner(ModelFile model, PruneOptions options) {
        this.model = model;
        this.options = options;
    }

    /**
     * Lists every candidate weight with what pruning would do, computing masks (for retained
     * magnitude) but writing nothing.
     *
     * @param input the model
     * @param options the options
     * @return the report
     * @throws OnnxInputException if the model is unusable
     * @throws IOException on I/O errors
     */
    public static PruneReport report(Path input, PruneOptions options) throws IOException {
        OnnxPruner p = new OnnxPruner(ModelFile.open(input), requireValid(options));
        return p.analyse(Mode.REPORT, input);
    }

    /**
     * Checks whether every eligible weight already satisfies the pattern (see
     * {@link PruneReport#allEligibleValid()}); computes no masks and writes nothing.
     *
     * @param input the model
     * @param options the options
     * @return the report: weights that would change have action {@link Action#PRUNE}
     * @throws OnnxInputException if the model is unusable
     * @throws IOException on I/O errors
     */
    public static PruneReport check(Path input, PruneOptions options) throws IOException {
        OnnxPruner p = new OnnxPruner(ModelFile.open(input), requireValid(options));
        return p.analyse(Mode.CHECK, input);
    }

    /**
     * Prunes a model into a new file.
     *
     * @param input the model
     * @param output the file to write; with external data, {@code output + ".data"} is written too.
     *     Neither may be the input model or one of the external data files it references
     * @param options the options
     * @return the report
     * @throws OnnxInputException if the model is unusable (nothing is written)
     * @throws IllegalArgumentException if the output or its data file would overwrite the input model or
     *     one of its external data files (checked before anything is written), its directory is missing,
     *     or it is a directory
     * @throws IOException on I/O errors (nothing is written)
     */
    public static PruneReport prune(Path input, Path output, PruneOptions options) throws IOException {
        OnnxPruner p = new OnnxPruner(ModelFile.open(input), requireValid(options));
        return p.write(input, output);
    }

    private static PruneOptions requireValid(PruneOptions o) {
        if (o.mask() == MaskChoice.TILE && !o.pattern().equals(SparsityPattern.TWO_OF_FOUR)) {
            throw new IllegalArgumentException("transposable tile masks are 2:4 only, not " + o.pattern());
        }
        return o;
    }

    // ---------------------------------------------------------------- planning

    private List<Plan> plan() throws IOException {
        IOException[] failure = {null};
        TensorWalker.forEach(model.proto(), (path, t) -> {
            if (failure[0] == null) {
                try {
                    TensorData.checkConsistent(t, label(t, path), model.baseDir());
                } catch (IOException e) {
                    failure[0] = e;
                }
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        List<Plan> plans = new ArrayList<>();
        for (Candidate c : WeightDiscovery.discover(model.proto(), model.baseDir())) {
            plans.add(decide(c));
        }
        return plans;
    }

    private Plan decide(Candidate c) throws IOException {
        Plan p = new Plan();
        p.c = c;
        TensorProto t = c.tensor();
        p.dims = TensorData.dims(t, c.name());
        long elements = TensorData.elements(t, c.name());
        p.storage = TensorData.storage(t);
        p.type = DataTypes.elementType(t.getDataType());
        SparsityPattern pattern = options.pattern();
        Set<Integer> axes = new LinkedHashSet<>();
        Set<Integer> others = new LinkedHashSet<>();
        for (ConsumerUse u : c.consumers()) {
            axes.add(u.reductionAxis());
            others.add(u.otherAxis());
        }
        if (!c.blockers().isEmpty()) {
            return skip(p, c.blockers().get(0));
        }
        if (axes.size() > 1 || (options.mask() == MaskChoice.TILE && others.size() > 1)) {
            StringBuilder sb = new StringBuilder("consumers need different axes:");
            for (ConsumerUse u : c.consumers()) {
                sb.append(' ').append(u.label()).append(" reduces axis ").append(u.reductionAxis()).append(',');
            }
            return skip(p, sb.substring(0, sb.length() - 1));
        }
        p.axis = axes.iterator().next();
        p.other = others.iterator().next();
        if (p.type == null) {
            return skip(p, "data type " + DataTypes.name(t.getDataType()) + " is not prunable (FLOAT, FLOAT16, "
                    + "BFLOAT16, INT8, FLOAT8E4M3FN and FLOAT8E5M2 are)");
        }
        if (elements == 0) {
            // Nothing to mask, and it may store no data at all: listed as skipped, never processed.
            return skip(p, "has no elements (a dim is 0)");
        }
        if (p.storage == Storage.OTHER) {
            return skip(p, "its data is in a field other than raw_data, float_data, int32_data or external data");
        }
        List<String> fields = TensorData.valueFields(t);
        if (fields.size() > 1) {
            return skip(p, "its data is in " + fields.size() + " fields (" + String.join(", ", fields) + "): ONNX"
                    + " allows one, and readers differ on which one holds the tensor");
        }
        if (options.include() != null && !matches(options.include(), c)) {
            return skip(p, "not matched by --include");
        }
        if (options.exclude() != null && matches(options.exclude(), c)) {
            return skip(p, "matched by --exclude");
        }
        if (elements < options.minElements()) {
            return skip(p, "smaller than the minimum size (" + elements + " < " + options.minElements()
                    + " elements)");
        }
        if (elements > Shape.MAX_ELEMENTS) {
            if (p.storage == Storage.RAW) {
                // raw_data is under 2 GiB: dims this large cannot describe it (nor can the byte count
                // overflow silently below)
                throw new OnnxInputException("tensor '" + c.name() + "': raw_data holds " + t.getRawData().size()
                        + " bytes but dims " + t.getDimsList() + " of " + DataTypes.name(t.getDataType())
                        + " describe " + elements + " elements");
            }
            return skip(p, "has " + elements + " elements; one tensor can be masked up to " + Shape.MAX_ELEMENTS);
        }
        long bytes = elements * p.type.byteSize();
        if (bytes > OrderedWriter.MAX_TENSOR_BYTES) {
            // a pruned tensor is read into one buffer; larger ones are copied as they are
            return skip(p, "has " + bytes + " bytes; one tensor can be pruned up to " + OrderedWriter.MAX_TENSOR_BYTES
                    + " bytes (2 GiB)");
        }
        p.shape = TensorData.shape(t, c.name());
        long k = p.shape.dim(p.axis);
        if (k % pattern.m() != 0) {
            return skip(p, "reduction dimension (axis " + p.axis + ") is " + k + ", not a multiple of " + pattern.m());
        }
        if (options.mask() == MaskChoice.TILE && p.other < 0) {
            return skip(p, "the output-channel axis cannot be traced back for a tile mask");
        }
        if (p.storage == Storage.RAW) {
            long need = (long) p.shape.size() * p.type.byteSize();
            if (t.getRawData().size() != need) {
                throw new OnnxInputException("tensor '" + c.name() + "': raw_data holds " + t.getRawData().size()
                        + " bytes but dims " + p.shape + " of " + DataTypes.name(t.getDataType()) + " need " + need);
            }
        }
        hints(p);
        return p;
    }

    private static boolean matches(java.util.regex.Pattern re, Candidate c) {
        if (re.matcher(c.name()).find()) {
            return true;
        }
        for (ConsumerUse u : c.consumers()) {
            if (re.matcher(u.nodeName()).find()) {
                return true;
            }
        }
        return false;
    }

    private static Plan skip(Plan p, String reason) {
        p.action = Action.SKIP;
        p.reason = reason;
        return p;
    }

    private void hints(Plan p) {
        for (ConsumerUse u : p.c.consumers()) {
            if (u.reductionDim() < SMALL_CHANNELS || u.otherDim() < SMALL_CHANNELS) {
                String what = u.opType().equals("Conv") ? "Cin=" + u.reductionDim() + ", Cout=" + u.otherDim()
                        : "K=" + u.reductionDim() + ", N=" + u.otherDim();
                p.hints.add(u.label() + " is small (" + what + "): TensorRT seldom picks sparse kernels below "
                        + SMALL_CHANNELS + " channels, expect no speed-up");
                break;
            }
        }
        if (p.type == ElementType.FP32 && options.pattern().equals(SparsityPattern.TWO_OF_FOUR)) {
            p.hints.add("FP32: 2:4 kernels run in fp16/bf16/int8 engines; TF32 needs --pattern 1:2");
        }
        if (options.pattern().equals(SparsityPattern.ONE_OF_TWO) && p.type != ElementType.FP32) {
            p.hints.add("1:2 is accelerated for TF32 only; " + p.type + " kernels need 2:4");
        }
        if (!options.pattern().isHardwareAccelerated()) {
            p.hints.add(options.pattern() + " is not a pattern sparse tensor cores accelerate");
        }
    }

    // ---------------------------------------------------------------- calibration

    /** With calibration: collects activation norms for every pending plan and marks those scored by Wanda. */
    private void calibrate(List<Plan> plans) throws IOException {
        Calibration cal = options.calibration();
        if (cal == null) {
            return;
        }
        requireRuntime();
        List<ConsumerUse> uses = new ArrayList<>();
        for (Plan p : plans) {
            if (p.pending()) {
                uses.addAll(p.c.consumers());
            }
        }
        if (cal.layerByLayer()) {
            calibrateLayerByLayer(plans, cal);
            return;
        }
        stats = Calibrator.collect(model, uses, cal, options.progress());
        for (Plan p : plans) {
            if (p.pending()) {
                markScoring(p);
            }
        }
    }

    private void markScoring(Plan p) {
        String why = null;
        for (ConsumerUse u : p.c.consumers()) {
            if (!stats.byNodePath.containsKey(u.nodePath())) {
                why = stats.missing.getOrDefault(u.nodePath(), "no statistics for " + u.label());
                break;
            }
        }
        if (why == null) {
            p.wanda = true;
            p.scoring = "wanda";
        } else {
            p.scoring = "magnitude (" + why + ")";
        }
    }

    /**
     * Layer-by-layer calibration: in each stage, statistics are collected for the remaining weights
     * whose activations depend on no other remaining weight, on the model with the weights of earlier
     * stages pruned; those weights are then pruned (in memory) for the next stages.
     */
    private void calibrateLayerByLayer(List<Plan> plans, Calibration cal) throws IOException {
        org.sparsity4j.onnx.proto.OnnxSubset.GraphProto g = model.proto().getGraph();
        Map<String, org.sparsity4j.onnx.proto.OnnxSubset.NodeProto> producer = new HashMap<>();
        for (org.sparsity4j.onnx.proto.OnnxSubset.NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                producer.put(o, n);
            }
        }
        stats = new CalibrationStats();
        Map<String, TensorProto> pruned = new HashMap<>();
        List<Plan> remaining = new ArrayList<>();
        for (Plan p : plans) {
            if (p.pending()) {
                remaining.add(p);
            }
        }
        int stage = 0;
        while (!remaining.isEmpty()) {
            Set<String> pendingOutputs = new java.util.HashSet<>();
            for (Plan p : remaining) {
                for (ConsumerUse u : p.c.consumers()) {
                    pendingOutputs.addAll(u.node().getOutputList());
                }
            }
            List<Plan> ready = new ArrayList<>();
            for (Plan p : remaining) {
                boolean free = true;
                for (ConsumerUse u : p.c.consumers()) {
                    if (u.node().getInputCount() > 0 && dependsOn(u.node().getInput(0), pendingOutputs, producer)) {
                        free = false;
                        break;
                    }
                }
                if (free) {
                    ready.add(p);
                }
            }
            if (ready.isEmpty()) {
                ready.addAll(remaining); // not expected in an acyclic graph; never loop forever
            }
            stage++;
            List<ConsumerUse> uses = new ArrayList<>();
            for (Plan p : ready) {
                uses.addAll(p.c.consumers());
            }
            String label = "stage " + stage + " (" + ready.size() + " weights), ";
            CalibrationStats s = Calibrator.collect(model, TensorReplacer.replace(model.proto(), pruned), uses, cal,
                    line -> options.progress().accept(label + line));
            stats.byNodePath.putAll(s.byNodePath);
            stats.missing.putAll(s.missing);
            stats.samples = Math.max(stats.samples, s.samples);
            stats.seconds += s.seconds;
            stats.sampleSeconds += s.sampleSeconds;
            for (Plan p : ready) {
                markScoring(p);
                TensorProto t = prunedProto(p);
                if (t != null) {
                    pruned.put(p.c.path(), t);
                }
            }
            remaining.removeAll(ready);
        }
        stats.stages = stage;
    }

    /** Whether a value depends on any of the given node outputs (main graph). */
    private static boolean dependsOn(String value, Set<String> outputs,
            Map<String, org.sparsity4j.onnx.proto.OnnxSubset.NodeProto> producer) {
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>();
        Set<String> seen = new java.util.HashSet<>();
        todo.add(value);
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (!seen.add(v)) {
                continue;
            }
            if (outputs.contains(v)) {
                return true;
            }
            org.sparsity4j.onnx.proto.OnnxSubset.NodeProto n = producer.get(v);
            if (n != null) {
                for (String in : n.getInputList()) {
                    if (!in.isEmpty()) {
                        todo.add(in);
                    }
                }
            }
        }
        return false;
    }

    /** The candidate pruned as the final pass will prune it, as a raw_data tensor; null if unchanged. */
    private TensorProto prunedProto(Plan p) throws IOException {
        Tensor t = load(p).copy();
        SparsityPattern pattern = options.pattern();
        boolean tile = options.mask() == MaskChoice.TILE;
        try {
            ValidationReport v = tile ? Validator.checkTile(t, p.axis, p.other)
                    : Validator.checkStrip(t, pattern, p.axis);
            if (v.isValid()) {
                return null;
            }
            if (p.wanda) {
                Tensor scores = WandaScores.of(t, p.c, stats.byNodePath);
                Mask m = tile ? TileMasker.twoOfFour().computeFromScores(t, scores, p.axis, p.other)
                        : StripMasker.of(pattern).computeFromScores(t, scores, p.axis);
                m.applyInPlace(t);
            } else if (tile) {
                TileMasker.twoOfFour().prune(t, p.axis, p.other);
            } else {
                StripMasker.of(pattern).prune(t, p.axis);
            }
        } catch (IllegalArgumentException e) {
            return null; // the final pass skips it with the reason
        }
        return p.c.tensor().toBuilder().clearExternalData().clearDataLocation().clearFloatData().clearInt32Data()
                .setRawData(com.google.protobuf.ByteString.copyFrom(t.toLittleEndianBytes())).build();
    }

    /**
     * Returns whether ONNX Runtime, which calibration and output fidelity need, is on the class path.
     * Loads no native library.
     *
     * @return true if its classes can be found
     */
    public static boolean onnxRuntimeAvailable() {
        try {
            Class.forName("ai.onnxruntime.OrtEnvironment", false, OnnxPruner.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Fails with a clear message when ONNX Runtime is not on the class path. */
    private static void requireRuntime() {
        if (!onnxRuntimeAvailable()) {
            throw new UnsupportedOperationException("calibration runs the model with ONNX Runtime, which is not on the class"
                    + " path: add com.microsoft.onnxruntime:onnxruntime (for the command line tool: put"
                    + " onnxruntime-<version>.jar into the lib/ folder next to sparsity-cli.jar)");
        }
    }

    // ---------------------------------------------------------------- processing one tensor

    /**
     * Decides the tensor's action and, unless checking, masks it (zeroing in PRUNE mode); returns true
     * if it changed. Strip masks without scores are computed once and their overfilled-group count
     * stands for the validation ({@link #strip}); check mode, tile masks and score masks validate first.
     * When it returns false in PRUNE mode the tensor's bytes may still differ from the input's (−0 made
     * +0 by the strip prune), so callers write the input's bytes, never {@code t}'s.
     */
    private boolean process(Plan p, Tensor t, Mode mode) {
        SparsityPattern pattern = options.pattern();
        boolean tile = options.mask() == MaskChoice.TILE;
        if (mode != Mode.CHECK && !tile && !p.wanda) {
            return strip(p, t, pattern, mode == Mode.PRUNE);
        }
        try {
            long t0 = System.nanoTime();
            ValidationReport v = tile ? Validator.checkTile(t, p.axis, p.other)
                    : Validator.checkStrip(t, pattern, p.axis);
            long t1 = System.nanoTime();
            validateNanos += t1 - t0;
            if (v.isValid()) {
                p.action = Action.ALREADY_SPARSE;
                p.reason = "already satisfies " + (tile ? "the 2:4 transposable pattern" : pattern.toString());
                p.retained = 1.0;
                p.retainedScore = p.wanda ? 1.0 : Double.NaN;
                return false;
            }
            p.action = Action.PRUNE;
            p.reason = v.violatingGroups() + " of " + v.groups() + " groups violate " + pattern;
            if (mode == Mode.CHECK) {
                return false;
            }
            Mask m;
            if (p.wanda) {
                Tensor scores = WandaScores.of(t, p.c, stats.byNodePath);
                m = tile ? TileMasker.twoOfFour().computeFromScores(t, scores, p.axis, p.other)
                        : StripMasker.of(pattern).computeFromScores(t, scores, p.axis);
                if (mode == Mode.PRUNE) {
                    m.applyInPlace(t);
                }
                p.retainedScore = m.stats().retainedScore();
            } else if (mode == Mode.PRUNE) {
                m = tile ? TileMasker.twoOfFour().prune(t, p.axis, p.other) : StripMasker.of(pattern).prune(t, p.axis);
            } else {
                m = tile ? TileMasker.twoOfFour().compute(t, p.axis, p.other)
                        : StripMasker.of(pattern).compute(t, p.axis);
            }
            p.retained = m.stats().retainedMagnitude();
            maskNanos += System.nanoTime() - t1;
            return mode == Mode.PRUNE;
        } catch (IllegalArgumentException e) {
            p.action = Action.SKIP;
            p.reason = "cannot be masked: " + e.getMessage();
            p.retained = Double.NaN;
            return false;
        }
    }

    /**
     * A strip mask in one pass, without a validation pass first: the mask's count of overfilled
     * groups is the count of violating groups a validator would report, and zero means the tensor
     * already had the pattern. Pruned in place when {@code apply}, else only computed (report).
     */
    private boolean strip(Plan p, Tensor t, SparsityPattern pattern, boolean apply) {
        try {
            long t0 = System.nanoTime();
            StripMasker masker = StripMasker.of(pattern);
            MaskStats st = (apply ? masker.prune(t, p.axis) : masker.compute(t, p.axis)).stats();
            maskNanos += System.nanoTime() - t0;
            if (st.overfilledGroups() == 0) {
                p.action = Action.ALREADY_SPARSE;
                p.reason = "already satisfies " + pattern;
                p.retained = 1.0;
                p.retainedScore = Double.NaN;
                return false;
            }
            p.action = Action.PRUNE;
            p.reason = st.overfilledGroups() + " of " + st.groups() + " groups violate " + pattern;
            p.retained = st.retainedMagnitude();
            return apply;
        } catch (IllegalArgumentException e) {
            p.action = Action.SKIP;
            p.reason = "cannot be masked: " + e.getMessage();
            p.retained = Double.NaN;
            return false;
        }
    }

    private ByteBuffer scratch(long bytes, String label) {
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new OnnxInputException("tensor '" + label + "' has " + bytes + " bytes; one tensor must stay under 2 GiB");
        }
        if (scratch == null || scratch.capacity() < bytes) {
            // Direct, so that channel reads and writes need no temporary copy of the tensor.
            scratch = ByteBuffer.allocateDirect((int) Math.max(bytes, 1 << 16));
        }
        ByteBuffer b = scratch.duplicate();
        b.clear().limit((int) bytes);
        return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private Tensor load(Plan p) throws IOException {
        if (p.storage == Storage.EXTERNAL) {
            long bytes = (long) p.shape.size() * p.type.byteSize();
            ExternalRef ref = TensorData.external(p.c.tensor(), p.c.name(), model.baseDir(), bytes);
            ByteBuffer buf = scratch(bytes, p.c.name());
            TensorData.readFully(ref, buf, p.c.name());
            buf.flip();
            return Tensor.wrap(p.type, p.shape, buf);
        }
        return TensorData.load(p.c.tensor(), p.c.name(), p.type, model.baseDir());
    }

    // ---------------------------------------------------------------- modes

    private PruneReport analyse(Mode mode, Path input) throws IOException {
        List<Plan> plans = plan();
        if (mode != Mode.CHECK) {
            calibrate(plans);
        }
        int n = countPending(plans);
        int i = 0;
        for (Plan p : plans) {
            if (p.pending()) {
                options.progress().accept("[" + (++i) + "/" + n + "] " + p.c.name());
                process(p, load(p), mode);
            }
        }
        return report(plans, input, null);
    }

    private static void time(String phase) {
        if (TIMING) {
            System.err.printf(java.util.Locale.ROOT, "[timing] %-24s %8.3f s since class init, JVM up %d ms%n", phase,
                    (System.nanoTime() - START) / 1e9,
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        }
    }

    private static int countPending(List<Plan> plans) {
        int n = 0;
        for (Plan p : plans) {
            n += p.pending() ? 1 : 0;
        }
        return n;
    }

    private PruneReport write(Path input, Path output) throws IOException {
        Path out = output.toAbsolutePath().normalize();
        if (model.isSameFile(out)) {
            throw new IllegalArgumentException("output " + output + " is the input model; refusing to overwrite it");
        }
        Path dir = out.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("output directory " + dir + " does not exist");
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("output " + output + " is a directory");
        }
        ModelProto proto = model.proto();
        Map<String, TensorProto> externals = new LinkedHashMap<>();
        TensorWalker.forEach(proto, (path, t) -> {
            if (t.getDataLocation() == TensorData.EXTERNAL) {
                externals.put(path, t);
            }
        });
        Path outData = dir.resolve(out.getFileName() + ".data");
        // The writer moves the external data of the tensors above into OUT.data. Tensors elsewhere (sparse
        // tensors, functions, training information) keep their locations: they stay valid only next to
        // the input's files, and those files must not be overwritten either.
        Map<String, TensorProto> elsewhere = new LinkedHashMap<>();
        TensorWalker.forEachElsewhere(proto, (path, t) -> {
            if (t.getDataLocation() == TensorData.EXTERNAL) {
                elsewhere.put(path, t);
            }
        });
        if (!elsewhere.isEmpty() && !sameFile(dir, model.baseDir())) {
            Map.Entry<String, TensorProto> first = elsewhere.entrySet().iterator().next();
            throw new IllegalArgumentException("tensor '" + label(first.getValue(), first.getKey()) + "' ("
                    + first.getKey() + ") of the input keeps its data in an external file that prune leaves where"
                    + " it is (it moves the data of graph initializers and node attribute tensors only); its"
                    + " location would not resolve from " + dir + ": write the output into the input's folder, "
                    + model.baseDir());
        }
        if (!externals.isEmpty() && Files.isDirectory(outData)) {
            throw new IllegalArgumentException("output data file " + outData + " (written next to the output "
                    + out.getFileName() + ") is a directory");
        }
        Map<String, TensorProto> inputFiles = new LinkedHashMap<>(externals);
        inputFiles.putAll(elsewhere);
        refuseToOverwriteInputs(out, externals.isEmpty() ? null : outData, inputFiles);
        time("parsed");
        List<Plan> plans = plan();
        time("planned");
        calibrate(plans);
        time("calibrated");
        Map<String, Plan> pendingByPath = new HashMap<>();
        for (Plan p : plans) {
            if (p.pending()) {
                pendingByPath.put(p.c.path(), p);
            }
        }
        int total = pendingByPath.size();
        int[] done = {0};
        OutputFiles files = new OutputFiles(outData);
        // a TERM, INT or HUP stops the JVM through its shutdown hooks: this one removes the files written so
        // far and puts an earlier OUT.data back, unless the output is complete by then
        Thread hook = new Thread(() -> files.undo(null), "sparsity-output-cleanup");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            hook = null; // called while the JVM shuts down (from another hook): no hook to add
        }
        PruneReport report;
        try {
            Map<String, TensorProto> replacements = new HashMap<>();
            // Tensors stored in typed fields: small; pruned on the heap and replaced in the message.
            for (Plan p : plans) {
                if (p.pending() && (p.storage == Storage.FLOAT_DATA || p.storage == Storage.INT32_DATA)) {
                    progress(p, done, total);
                    Tensor t = TensorData.load(p.c.tensor(), p.c.name(), p.type, model.baseDir());
                    if (process(p, t, Mode.PRUNE)) {
                        replacements.put(p.c.path(), TensorData.withTypedValues(p.c.tensor(), t));
                    }
                }
            }
            // External data: streamed into one new data file, tensor by tensor.
            if (!externals.isEmpty()) {
                Path tmpData = files.newTemporary(dir, "." + out.getFileName() + ".data.", true);
                writeExternal(externals, pendingByPath, tmpData, outData.getFileName().toString(), replacements,
                        done, total);
            }
            time("typed+external done");
            Path tmpModel = files.newTemporary(dir, "." + out.getFileName() + ".", false);
            boolean rawDone = false;
            if (replacements.isEmpty()) {
                // No message changes: the output is the input byte for byte except inside the raw_data of
                // pruned tensors. One sequential pass: the bytes between those tensors are copied by the
                // kernel, each tensor is read from the input, pruned and appended.
                streamRaw(plans, tmpModel, done, total);
                rawDone = true;
            } else {
                ModelProto result = TensorReplacer.replace(proto, replacements);
                try (FileChannel ch = FileChannel.open(tmpModel, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                        OutputStream os = Channels.newOutputStream(ch)) {
                    CodedOutputStream cos = CodedOutputStream.newInstance(os, 1 << 16);
                    result.writeTo(cos);
                    cos.flush();
                }
            }
            time("written");
            // raw_data tensors of a re-serialized message: pruned in place in the written file.
            if (!rawDone) {
                patchRaw(plans, tmpModel, done, total);
            }
            time("raw tensors pruned");
            force(tmpModel);
            if (files.tmpData != null) {
                force(files.tmpData);
                files.moveDataIntoPlace(dir);
            }
            if (options.calibration() != null && options.calibration().evaluates()) {
                // Measured on the complete temporary output (its external data, if any, is already in place),
                // so that a failure leaves no output model behind.
                int[] count = {0};
                fidelity = Calibrator.fidelity(model.path(), tmpModel, model, options.calibration(),
                        options.progress(), count);
                evaluationSamples = count[0];
                time("evaluated");
            }
            // The report is complete before the output appears: a failure here leaves nothing behind.
            report = report(plans, input, output);
            files.moveModelIntoPlace(out);
            time("synced and renamed");
            if (TIMING) {
                System.err.printf(java.util.Locale.ROOT, "[timing] core validation %.3f s, core masking %.3f s%n",
                        validateNanos / 1e9, maskNanos / 1e9);
            }
        } catch (Throwable failure) {
            files.undo(failure);
            throw failure;
        } finally {
            try {
                if (hook != null) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                }
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (and finds the output complete or undone)
            }
        }
        return report;
    }

    /**
     * The files a prune writes, and the undoing of them: by the writing thread when the write fails, or
     * by a shutdown hook when the JVM stops before the output is complete (TERM, INT, HUP). The renames
     * that put the output in place and the undoing run under this object's lock, so that the hook
     * finds either a complete output, which it leaves, or one it removes entirely.
     */
    private static final class OutputFiles {
        private final Path outData;
        private Path tmpModel;
        private Path tmpData;
        /** OUT.data once the new data file is there, before the model is. */
        private Path movedData;
        /** An earlier OUT.data, set aside until the new model is in place. */
        private Path oldData;
        /** The output model is in place (nothing to undo), or the write was undone. */
        private boolean settled;

        OutputFiles(Path outData) {
            this.outData = outData;
        }

        /** Creates and records a temporary file in {@code dir}: the data file, or the model. */
        synchronized Path newTemporary(Path dir, String prefix, boolean data) throws IOException {
            if (settled) {
                throw new IOException("the JVM is stopping; the output was removed");
            }
            Path tmp = createSibling(dir, prefix);
            if (data) {
                tmpData = tmp;
            } else {
                tmpModel = tmp;
            }
            return tmp;
        }

        /** Moves the new data file to OUT.data, an earlier one aside (into a hidden file of {@code dir}). */
        synchronized void moveDataIntoPlace(Path dir) throws IOException {
            if (settled) {
                throw new IOException("the JVM is stopping; the output was removed");
            }
            if (Files.exists(outData, LinkOption.NOFOLLOW_LINKS)) {
                Path aside = createSibling(dir, "." + outData.getFileName() + ".old.");
                try {
                    Files.move(outData, aside, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    step(e, () -> Files.deleteIfExists(aside));
                    throw e;
                }
                oldData = aside;
            }
            Files.move(tmpData, outData, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmpData = null;
            movedData = outData;
        }

        /** Moves the model into place: from here on the output is complete. */
        synchronized void moveModelIntoPlace(Path out) throws IOException {
            if (settled) {
                throw new IOException("the JVM is stopping; the output was removed");
            }
            Files.move(tmpModel, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmpModel = null;
            movedData = null;
            settled = true;
            if (oldData != null) {
                try {
                    Files.deleteIfExists(oldData);
                } catch (IOException e) {
                    // the output is complete; only a hidden file stays behind
                }
                oldData = null;
            }
        }

        /**
         * Removes what was written and puts an earlier OUT.data back, unless the output is complete; each
         * step runs even when one fails, whose failure is added to {@code failure} (when there is one).
         */
        synchronized void undo(Throwable failure) {
            if (settled) {
                return;
            }
            settled = true;
            if (tmpModel != null) {
                step(failure, () -> Files.deleteIfExists(tmpModel));
            }
            if (tmpData != null) {
                step(failure, () -> Files.deleteIfExists(tmpData));
            }
            if (movedData != null) {
                step(failure, () -> Files.deleteIfExists(movedData));
            }
            if (oldData != null) {
                step(failure, () -> Files.move(oldData, outData, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING));
            }
        }

        private static void step(Throwable failure, UndoStep s) {
            try {
                s.run();
            } catch (Throwable e) { // errors too: the remaining steps still run, and the failure stays the one thrown
                if (failure != null && failure != e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    /** A step that undoes part of a failed write. */
    private interface UndoStep {
        void run() throws IOException;
    }

    /**
     * Refuses (before anything is written) an output model, or an output data file, that is the input
     * model or one of the external data files the input references: writing it would destroy the input.
     *
     * @param out the output model (absolute, normalized)
     * @param outData the output data file, or null when none will be written
     * @param externals the input's external tensors by path
     */
    private void refuseToOverwriteInputs(Path out, Path outData, Map<String, TensorProto> externals)
            throws IOException {
        Map<Path, String> inputs = new LinkedHashMap<>();
        inputs.put(model.path(), "the input model");
        for (Map.Entry<String, TensorProto> e : externals.entrySet()) {
            TensorProto t = e.getValue();
            String label = label(t, e.getKey());
            ExternalRef ref = TensorData.external(t, label, model.baseDir(), -1);
            inputs.putIfAbsent(ref.file(), "the external data file of tensor '" + label + "' of the input");
        }
        for (Map.Entry<Path, String> in : inputs.entrySet()) {
            if (sameFile(out, in.getKey())) {
                throw new IllegalArgumentException("output " + out + " is " + in.getValue() + " (" + in.getKey()
                        + "); refusing to overwrite it");
            }
            if (outData != null && sameFile(outData, in.getKey())) {
                throw new IllegalArgumentException("output data file " + outData + " (written next to the output "
                        + out.getFileName() + ") is " + in.getValue() + " (" + in.getKey() + "); refusing to overwrite it");
            }
        }
    }

    /** Whether two paths name the same file: the same normalized absolute path, or the same existing file. */
    private static boolean sameFile(Path a, Path b) throws IOException {
        Path x = a.toAbsolutePath().normalize();
        Path y = b.toAbsolutePath().normalize();
        return x.equals(y) || (Files.exists(x) && Files.exists(y) && Files.isSameFile(x, y));
    }

    private void progress(Plan p, int[] done, int total) {
        options.progress().accept("[" + (++done[0]) + "/" + total + "] " + p.c.name());
    }

    private static String label(TensorProto t, String path) {
        return t.getName().isEmpty() ? path : t.getName();
    }

    /**
     * Creates an empty temporary file {@code prefix<random>.tmp} in {@code dir}, where the output will be
     * renamed to. Unlike {@code Files.createTempFile}, which makes files readable by their owner only, it
     * gets the permissions any new file gets (0666 less the process's umask on POSIX), so the renamed
     * output has the permissions users expect of a file a tool writes.
     */
    private static Path createSibling(Path dir, String prefix) throws IOException {
        for (int attempt = 0;; attempt++) {
            Path p = dir.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    private static void force(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private void writeExternal(Map<String, TensorProto> externals, Map<String, Plan> pending, Path tmpData,
            String location, Map<String, TensorProto> replacements, int[] done, int total) throws IOException {
        Map<Path, FileChannel> inputs = new HashMap<>();
        // The data file is written in order by a second thread while the next tensor is read and pruned,
        // so that disk writes overlap the masking (see OrderedWriter).
        long outputBytes = 0;
        long largest = 0; // of the tensors to prune: the writer's two buffers are allocated once, at this size
        for (Map.Entry<String, TensorProto> e : externals.entrySet()) {
            String label = label(e.getValue(), e.getKey());
            long length = TensorData.external(e.getValue(), label, model.baseDir(),
                    TensorData.expectedBytes(e.getValue(), label)).length();
            outputBytes += length;
            if (pending.containsKey(e.getKey())) {
                OrderedWriter.requireBufferable(length, label(e.getValue(), e.getKey()));
                largest = Math.max(largest, length);
            }
        }
        SequentialOutput out = SequentialOutput.open(tmpData, directIo, outputBytes);
        OrderedWriter writer = new OrderedWriter(out, largest);
        try {
            long pos = 0;
            for (Map.Entry<String, TensorProto> e : externals.entrySet()) {
                TensorProto t = e.getValue();
                String label = label(t, e.getKey());
                ExternalRef ref = TensorData.external(t, label, model.baseDir(), TensorData.expectedBytes(t, label));
                pos = (pos + EXTERNAL_ALIGNMENT - 1) / EXTERNAL_ALIGNMENT * EXTERNAL_ALIGNMENT;
                Plan p = pending.get(e.getKey());
                boolean pruned = false;
                if (p != null) {
                    progress(p, done, total);
                    ByteBuffer buf = writer.buffer(ref.length(), pos, label);
                    TensorData.readFully(ref, buf, label);
                    buf.flip();
                    pruned = process(p, Tensor.wrap(p.type, p.shape, buf), Mode.PRUNE);
                    if (!pruned) { // write the input's bytes, unchanged (see process)
                        buf.clear();
                        TensorData.readFully(ref, buf, label);
                        buf.flip();
                    }
                    long at = pos;
                    writer.submitBuffer(() -> {
                        out.zeros(at - out.position());
                        out.write(buf);
                    });
                } else {
                    FileChannel in = inputs.get(ref.file());
                    if (in == null) {
                        in = TensorData.openInput(ref, label);
                        inputs.put(ref.file(), in);
                    }
                    FileChannel from = in;
                    long at = pos;
                    writer.submit(() -> {
                        out.zeros(at - out.position());
                        out.copyFrom(from, ref.offset(), ref.length(), "external data of tensor '" + label + "'");
                    });
                }
                TensorProto.Builder b = t.toBuilder().clearExternalData();
                b.addExternalData(entry("location", location));
                b.addExternalData(entry("offset", Long.toString(pos)));
                b.addExternalData(entry("length", Long.toString(ref.length())));
                for (StringStringEntryProto kv : t.getExternalDataList()) {
                    String k = kv.getKey();
                    boolean replaced = k.equals("location") || k.equals("offset") || k.equals("length");
                    if (!replaced && !(pruned && k.equals("checksum"))) {
                        b.addExternalData(kv);
                    }
                }
                replacements.put(e.getKey(), b.build());
                pos += ref.length();
            }
            writer.submit(out::finish);
            writer.finish();
        } finally {
            // the writer stops (and is waited for) before the output and the inputs are closed
            try {
                writer.close();
            } finally {
                // the output, then every input, each closed even if an earlier close failed
                try {
                    out.close();
                } finally {
                    closeAll(inputs.values().iterator());
                }
            }
        }
    }

    /** Closes every channel, the rest too when one close fails; the first failure is thrown, others suppressed. */
    private static void closeAll(java.util.Iterator<FileChannel> channels) throws IOException {
        IOException first = null;
        while (channels.hasNext()) {
            try {
                channels.next().close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        ByteBuffer b = buf.duplicate();
        b.rewind();
        long p = pos;
        while (b.hasRemaining()) {
            p += ch.write(b, p);
        }
    }

    /**
     * Writes the input model to {@code file} in one pass, pruning the raw_data tensors on the way: the
     * bytes between them are copied from the input; each tensor is read from the input into one of two
     * buffers, pruned (or left as it is) and appended, all through one {@link SequentialOutput}, whose
     * writes run on an {@link OrderedWriter} thread while the next tensor is pruned.
     */
    private void streamRaw(List<Plan> plans, Path file, int[] done, int total) throws IOException {
        Map<String, Plan> byPath = new LinkedHashMap<>();
        for (Plan p : plans) {
            if (p.pending() && p.storage == Storage.RAW) {
                byPath.put(p.c.path(), p);
            }
        }
        Map<String, long[]> where;
        try {
            where = RawDataLocator.locate(model.path(), byPath.keySet(), "model file " + model.path());
        } catch (IOException e) {
            throw new OnnxInputException("model file " + model.path() + " cannot be read: " + e, e);
        }
        List<Plan> ordered = new ArrayList<>(byPath.values());
        for (Plan p : ordered) {
            long[] loc = where.get(p.c.path());
            long need = (long) p.shape.size() * p.type.byteSize();
            if (loc == null || loc[1] != need) {
                throw new OnnxInputException("tensor '" + p.c.name() + "': its raw_data could not be located"
                        + " unambiguously in the model");
            }
        }
        ordered.sort(java.util.Comparator.comparingLong(p -> where.get(p.c.path())[0]));
        try (FileChannel src = inputChannels.open(model.path());
                SequentialOutput dst = SequentialOutput.open(file, directIo, src.size())) {
            long largest = 0;
            for (Plan p : ordered) {
                OrderedWriter.requireBufferable(where.get(p.c.path())[1], p.c.name());
                largest = Math.max(largest, where.get(p.c.path())[1]);
            }
            OrderedWriter writer = new OrderedWriter(dst, largest); // writes overlap the next tensor's masking
            try {
                long size = src.size();
                long pos = 0;
                for (Plan p : ordered) {
                    long[] loc = where.get(p.c.path());
                    if (loc[0] < pos) {
                        throw new OnnxInputException("tensor '" + p.c.name() + "': its raw_data at byte offset " + loc[0]
                                + " overlaps the previous tensor's");
                    }
                    long from = pos;
                    writer.submit(() -> dst.copyFrom(src, from, loc[0] - from, "the model"));
                    progress(p, done, total);
                    ByteBuffer buf = writer.buffer(loc[1], loc[0], p.c.name());
                    try {
                        ChannelReads.readFully(src, buf, loc[0], at -> new OnnxInputException(
                                "model ended early at byte offset " + at + " inside tensor '" + p.c.name() + "'"));
                    } catch (IOException e) {
                        throw new OnnxInputException("model file " + model.path() + " cannot be read inside tensor '"
                                + p.c.name() + "' (byte offsets " + loc[0] + " to " + (loc[0] + loc[1]) + "): " + e, e);
                    }
                    buf.flip();
                    if (process(p, Tensor.wrap(p.type, p.shape, buf), Mode.PRUNE)) {
                        writer.submitBuffer(() -> dst.write(buf));
                    } else { // the input's bytes, unchanged
                        writer.submit(() -> dst.copyFrom(src, loc[0], loc[1], "the model"));
                    }
                    pos = loc[0] + loc[1];
                }
                long from = pos;
                writer.submit(() -> dst.copyFrom(src, from, size - from, "the model"));
                writer.submit(dst::finish);
                writer.finish();
            } finally {
                writer.close(); // before the output and the input are closed
            }
        }
    }

    private void patchRaw(List<Plan> plans, Path file, int[] done, int total) throws IOException {
        Set<String> paths = new LinkedHashSet<>();
        for (Plan p : plans) {
            if (p.pending() && p.storage == Storage.RAW) {
                paths.add(p.c.path());
            }
        }
        if (paths.isEmpty()) {
            return;
        }
        Map<String, long[]> where = RawDataLocator.locate(file, paths, "the re-serialized model (from model file "
                + model.path() + ")");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (Plan p : plans) {
                if (!(p.pending() && p.storage == Storage.RAW)) {
                    continue;
                }
                long[] loc = where.get(p.c.path());
                long need = (long) p.shape.size() * p.type.byteSize();
                if (loc == null || loc[1] != need) {
                    throw new OnnxInputException("tensor '" + p.c.name() + "': its raw_data could not be located"
                            + " unambiguously in the model (repeated singular fields?)");
                }
                progress(p, done, total);
                ByteBuffer buf = scratch(loc[1], p.c.name());
                long pos = loc[0];
                while (buf.hasRemaining()) {
                    if (ch.read(buf, pos + buf.position()) < 0) {
                        throw new IOException("written model ended early at byte offset " + (pos + buf.position()));
                    }
                }
                buf.flip();
                if (process(p, Tensor.wrap(p.type, p.shape, buf), Mode.PRUNE)) {
                    writeFully(ch, buf, pos);
                }
            }
        }
    }

    /**
     * Builds the report of processed plans.
     *
     * @throws IllegalStateException if a plan was never given an action (a bug), so that no report with
     *     a missing action reaches a caller
     */
    private PruneReport report(List<Plan> plans, Path input, Path output) {
        List<TensorReport> out = new ArrayList<>();
        for (Plan p : plans) {
            if (p.pending()) {
                throw new IllegalStateException("tensor '" + p.c.name() + "' (" + p.c.path() + ") was planned for"
                        + " pruning but never processed");
            }
            List<String> consumers = new ArrayList<>();
            for (ConsumerUse u : p.c.consumers()) {
                consumers.add(u.label() + (u.path().isEmpty() ? "" : " via " + u.path()));
            }
            out.add(new TensorReport(p.c.name(), p.c.path(), p.c.source(), List.copyOf(consumers), p.dims.clone(),
                    DataTypes.name(p.c.tensor().getDataType()), p.storage.name().toLowerCase(java.util.Locale.ROOT),
                    p.axis, p.other, p.action, p.reason, p.retained, List.copyOf(p.hints), p.scoring,
                    p.retainedScore));
        }
        CalibrationReport cal = stats == null ? null : new CalibrationReport(options.calibration().describe(),
                stats.samples, stats.stages, stats.seconds, stats.sampleSeconds,
                stats.byNodePath.size(), evaluationSamples, List.copyOf(fidelity));
        return new PruneReport(input.toString(), output == null ? null : output.toString(),
                options.pattern().toString(), options.mask(), List.copyOf(out), cal);
    }
}
