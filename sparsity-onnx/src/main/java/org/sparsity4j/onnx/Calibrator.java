package org.sparsity4j.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.sparsity4j.core.tensor.HalfFloats;
import org.sparsity4j.onnx.proto.OnnxSubset.GraphProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ValueInfoProto;

/**
 * Runs models with ONNX Runtime for calibration: collects activation norms in one streaming pass
 * over the samples (from a copy of the model whose graph outputs also list the needed activations),
 * and compares a pruned model with the dense one on held-out samples. The only class of this module
 * that uses ONNX Runtime; it is loaded only when calibration is asked for.
 */
final class Calibrator {
    private static final int DOUBLE = 11;
    private static final int BOOL = 9;

    private Calibrator() {
    }

    /**
     * Collects the activation norms of the given consumers.
     *
     * @param model the model
     * @param uses the consumers (main-graph ones are collected; the others are listed as missing)
     * @param cal the calibration
     * @param progress progress lines
     * @return the statistics
     * @throws IOException on I/O errors
     */
    static CalibrationStats collect(ModelFile model, List<ConsumerUse> uses, Calibration cal, Consumer<String> progress)
            throws IOException {
        return collect(model, model.proto(), uses, cal, progress);
    }

    /**
     * Collects the activation norms of the given consumers, running a variant of the model (for
     * example with some weights already pruned).
     *
     * @param model the model file (its directory resolves external data)
     * @param proto the model to run
     * @param uses the consumers
     * @param cal the calibration
     * @param progress progress lines
     * @return the statistics
     * @throws IOException on I/O errors
     */
    static CalibrationStats collect(ModelFile model, ModelProto proto, List<ConsumerUse> uses, Calibration cal,
            Consumer<String> progress) throws IOException {
        long t0 = System.nanoTime();
        CalibrationStats stats = new CalibrationStats();
        GraphProto g = proto.getGraph();
        Set<String> graphInputs = new HashSet<>();
        for (ValueInfoProto v : g.getInputList()) {
            graphInputs.add(v.getName());
        }
        Set<String> constants = new HashSet<>();
        g.getInitializerList().forEach(t -> constants.add(t.getName()));
        g.getNodeList().forEach(n -> {
            if (n.getOpType().equals("Constant")) {
                constants.addAll(n.getOutputList());
            }
        });
        Set<String> existingOutputs = new HashSet<>();
        g.getOutputList().forEach(v -> existingOutputs.add(v.getName()));
        Set<String> fetch = new LinkedHashSet<>();
        for (ConsumerUse u : uses) {
            if (stats.byNodePath.containsKey(u.nodePath()) || stats.missing.containsKey(u.nodePath())) {
                continue;
            }
            String a = u.node().getInputCount() > 0 ? u.node().getInput(0) : "";
            if (!u.mainGraph()) {
                stats.missing.put(u.nodePath(), u.label() + " is inside a subgraph (If/Loop/Scan body), whose"
                        + " activations cannot be fetched");
            } else if (u.viewDims() == null) {
                stats.missing.put(u.nodePath(), "the weight view of " + u.label() + " is unknown");
            } else if (a.isEmpty() || constants.contains(a) && !graphInputs.contains(a)) {
                stats.missing.put(u.nodePath(), "the input of " + u.label() + " is a constant, not an activation");
            } else {
                stats.byNodePath.put(u.nodePath(), ActivationNorms.of(u));
                fetch.add(a);
            }
        }
        if (stats.byNodePath.isEmpty()) {
            stats.seconds = (System.nanoTime() - t0) / 1e9;
            return stats;
        }
        GraphProto.Builder gb = g.toBuilder();
        for (String a : fetch) {
            if (!existingOutputs.contains(a) && !graphInputs.contains(a)) {
                gb.addOutput(ValueInfoProto.newBuilder().setName(a));
            }
        }
        ModelProto copy = proto.toBuilder().setGraph(gb).build();
        Set<String> requested = new LinkedHashSet<>();
        for (String a : fetch) {
            if (!graphInputs.contains(a)) {
                requested.add(a);
            }
        }
        Path tmp = null;
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            try (OrtSession.SessionOptions opts = options()) {
                OrtSession session;
                if (hasExternalData(model)) {
                    // External data paths are relative to the model file: run the copy from the same directory.
                    tmp = Files.createTempFile(model.baseDir(), "." + model.path().getFileName() + ".calibration.",
                            ".onnx.tmp");
                    // deleted below; also when a signal (TERM, INT, HUP) stops the JVM before that
                    tmp.toFile().deleteOnExit();
                    Files.write(tmp, copy.toByteArray());
                    session = env.createSession(tmp.toString(), opts);
                } else {
                    session = env.createSession(copy.toByteArray(), opts);
                }
                try (OrtSession s = session) {
                    Samples samples = Samples.of(cal.directory(), cal.randomSamples(), cal.seed(), cal.shapes(), s,
                            model, "calibration");
                    long t1 = System.nanoTime();
                    long runNanos = 0;
                    for (int i = 0; i < samples.count(); i++) {
                        progress.accept("calibration sample " + (i + 1) + "/" + samples.count());
                        Map<String, InputData> in = samples.get(i);
                        Map<String, OnnxTensor> feeds = feeds(env, in);
                        try {
                            Map<String, float[]> values = new LinkedHashMap<>();
                            Map<String, long[]> shapes = new LinkedHashMap<>();
                            for (String a : fetch) {
                                if (graphInputs.contains(a)) {
                                    InputData d = in.get(a);
                                    if (d == null) {
                                        throw new OnnxInputException("input '" + a + "' is an initializer override"
                                                + " not given by the sample");
                                    }
                                    values.put(a, floats(d, a));
                                    shapes.put(a, d.dims());
                                }
                            }
                            if (!requested.isEmpty()) {
                                long r0 = System.nanoTime();
                                try (OrtSession.Result r = s.run(feeds, requested)) {
                                    runNanos += System.nanoTime() - r0;
                                    for (Map.Entry<String, OnnxValue> e : r) {
                                        OnnxTensor t = (OnnxTensor) e.getValue();
                                        values.put(e.getKey(), floats(t, e.getKey()));
                                        shapes.put(e.getKey(), t.getInfo().getShape());
                                    }
                                }
                            }
                            for (ActivationNorms a : stats.byNodePath.values()) {
                                String name = a.use().node().getInput(0);
                                a.add(values.get(name), shapes.get(name));
                            }
                        } finally {
                            feeds.values().forEach(OnnxTensor::close);
                        }
                    }
                    stats.samples = samples.count();
                    stats.sampleSeconds = (System.nanoTime() - t1) / 1e9;
                    if (Boolean.getBoolean("sparsity.timing")) {
                        System.err.printf(java.util.Locale.ROOT, "[timing] calibration: %d samples, ONNX Runtime runs"
                                + " %.3f s, the rest (inputs, copies, norms) %.3f s%n", samples.count(), runNanos / 1e9,
                                stats.sampleSeconds - runNanos / 1e9);
                    }
                }
            }
        } catch (OrtException e) {
            throw new OnnxInputException("ONNX Runtime cannot run the model for calibration: " + e.getMessage());
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
        stats.seconds = (System.nanoTime() - t0) / 1e9;
        return stats;
    }

    /**
     * Runs the dense and the pruned model on held-out samples and compares their outputs.
     *
     * @param dense the dense model
     * @param pruned the pruned model
     * @param model the dense model, parsed (for input names)
     * @param cal the calibration (its evaluation samples)
     * @param progress progress lines
     * @param count receives the number of samples run at index 0
     * @return per output, the fidelity
     * @throws IOException on I/O errors
     */
    static List<OutputFidelity> fidelity(Path dense, Path pruned, ModelFile model, Calibration cal,
            Consumer<String> progress, int[] count) throws IOException {
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            try (OrtSession.SessionOptions opts = options();
                    OrtSession d = env.createSession(dense.toString(), opts);
                    OrtSession p = env.createSession(pruned.toString(), opts)) {
                Samples samples = Samples.of(cal.evaluation(), cal.evaluationRandom(), cal.seed() + 0x9E3779B97F4A7C15L,
                        cal.shapes(), d, model, "evaluation");
                List<String> names = new ArrayList<>(d.getOutputNames());
                int k = names.size();
                double[] diff = new double[k];
                double[] ref = new double[k];
                long[] agree = new long[k];
                long[] rows = new long[k];
                boolean[] floating = new boolean[k];
                java.util.Arrays.fill(floating, true);
                for (int i = 0; i < samples.count(); i++) {
                    progress.accept("evaluation sample " + (i + 1) + "/" + samples.count());
                    Map<String, OnnxTensor> feeds = feeds(env, samples.get(i));
                    try (OrtSession.Result rd = d.run(feeds); OrtSession.Result rp = p.run(feeds)) {
                        for (int o = 0; o < k; o++) {
                            OnnxTensor td = (OnnxTensor) rd.get(o);
                            OnnxTensor tp = (OnnxTensor) rp.get(o);
                            if (!isFloat(td.getInfo().type)) {
                                floating[o] = false;
                                continue;
                            }
                            float[] a = floats(td, names.get(o));
                            float[] b = floats(tp, names.get(o));
                            for (int j = 0; j < a.length; j++) {
                                double e = (double) b[j] - a[j];
                                diff[o] += e * e;
                                ref[o] += (double) a[j] * a[j];
                            }
                            long[] shape = td.getInfo().getShape();
                            int last = shape.length == 0 ? 0 : (int) shape[shape.length - 1];
                            if (shape.length >= 2 && last > 1) {
                                for (int r = 0; r + last <= a.length; r += last) {
                                    rows[o]++;
                                    if (argmax(a, r, last) == argmax(b, r, last)) {
                                        agree[o]++;
                                    }
                                }
                            }
                        }
                    } finally {
                        feeds.values().forEach(OnnxTensor::close);
                    }
                }
                count[0] = samples.count();
                List<OutputFidelity> out = new ArrayList<>();
                for (int o = 0; o < k; o++) {
                    double rel = !floating[o] ? Double.NaN : ref[o] > 0 ? Math.sqrt(diff[o] / ref[o])
                            : diff[o] == 0 ? 0 : Double.POSITIVE_INFINITY;
                    out.add(new OutputFidelity(names.get(o), rel, rows[o] > 0 ? (double) agree[o] / rows[o]
                            : Double.NaN, rows[o]));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new OnnxInputException("ONNX Runtime cannot run the models for evaluation: " + e.getMessage());
        }
    }

    private static int argmax(float[] a, int from, int n) {
        int best = from;
        for (int i = from + 1; i < from + n; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best - from;
    }

    private static OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        return o;
    }

    private static boolean hasExternalData(ModelFile model) {
        boolean[] ext = {false};
        TensorWalker.forEach(model.proto(), (path, t) -> ext[0] |= t.getDataLocation() == TensorData.EXTERNAL);
        return ext[0];
    }

    private static boolean isFloat(OnnxJavaType t) {
        return t == OnnxJavaType.FLOAT || t == OnnxJavaType.FLOAT16 || t == OnnxJavaType.BFLOAT16
                || t == OnnxJavaType.DOUBLE;
    }

    private static Map<String, OnnxTensor> feeds(OrtEnvironment env, Map<String, InputData> in) throws OrtException {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("calibration inputs are little-endian; this platform is not");
        }
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        try {
            for (InputData d : in.values()) {
                ByteBuffer b = ByteBuffer.allocateDirect(d.data().remaining()).order(ByteOrder.nativeOrder());
                b.put(d.data().duplicate()).flip();
                out.put(d.name(), OnnxTensor.createTensor(env, b, d.dims(), javaType(d.dataType(), d.name())));
            }
        } catch (OrtException | RuntimeException e) {
            out.values().forEach(OnnxTensor::close);
            throw e;
        }
        return out;
    }

    private static OnnxJavaType javaType(int onnxType, String name) {
        switch (onnxType) {
            case DataTypes.FLOAT: return OnnxJavaType.FLOAT;
            case DataTypes.FLOAT16: return OnnxJavaType.FLOAT16;
            case DataTypes.BFLOAT16: return OnnxJavaType.BFLOAT16;
            case DOUBLE: return OnnxJavaType.DOUBLE;
            case DataTypes.INT64: return OnnxJavaType.INT64;
            case DataTypes.INT32: return OnnxJavaType.INT32;
            case DataTypes.INT8: return OnnxJavaType.INT8;
            case DataTypes.UINT8: return OnnxJavaType.UINT8;
            case BOOL: return OnnxJavaType.BOOL;
            default:
                throw new OnnxInputException("input '" + name + "': data type " + DataTypes.name(onnxType)
                        + " is not supported");
        }
    }

    private static float[] floats(InputData d, String name) {
        ByteBuffer b = d.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(count(d.dims()));
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            switch (d.dataType()) {
                case DataTypes.FLOAT: out[i] = b.getFloat(i * 4); break;
                case DataTypes.FLOAT16: out[i] = HalfFloats.fp16ToFloat(b.getShort(i * 2)); break;
                case DataTypes.BFLOAT16: out[i] = HalfFloats.bf16ToFloat(b.getShort(i * 2)); break;
                case DOUBLE: out[i] = (float) b.getDouble(i * 8); break;
                default:
                    throw new OnnxInputException("activation '" + name + "' is " + DataTypes.name(d.dataType())
                            + "; calibration needs floating-point activations");
            }
        }
        return out;
    }

    private static float[] floats(OnnxTensor t, String name) {
        OnnxJavaType type = t.getInfo().type;
        switch (type) {
            case FLOAT: {
                FloatBuffer fb = t.getFloatBuffer();
                float[] a = new float[fb.remaining()];
                fb.get(a);
                return a;
            }
            case DOUBLE: {
                DoubleBuffer db = t.getDoubleBuffer();
                float[] a = new float[db.remaining()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) db.get(i);
                }
                return a;
            }
            case FLOAT16:
            case BFLOAT16: {
                ShortBuffer sb = t.getShortBuffer();
                float[] a = new float[sb.remaining()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = type == OnnxJavaType.FLOAT16 ? HalfFloats.fp16ToFloat(sb.get(i))
                            : HalfFloats.bf16ToFloat(sb.get(i));
                }
                return a;
            }
            default:
                throw new OnnxInputException("activation '" + name + "' is " + type
                        + "; calibration needs floating-point activations");
        }
    }

    private static long count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Calibration or evaluation samples: files of a directory, or seeded random inputs. */
    private static final class Samples {
        private final List<Path> dirs;
        private final List<String> inputs;
        private final int random;
        private final long seed;
        private final Map<String, long[]> shapes = new LinkedHashMap<>();
        private final Map<String, Integer> types = new LinkedHashMap<>();

        private Samples(List<Path> dirs, List<String> inputs, int random, long seed) {
            this.dirs = dirs;
            this.inputs = inputs;
            this.random = random;
            this.seed = seed;
        }

        static Samples of(Path dir, int random, long seed, Map<String, long[]> fixed, OrtSession s, ModelFile model,
                String what) throws IOException, OrtException {
            List<String> inputs = new ArrayList<>();
            Set<String> init = new HashSet<>();
            model.proto().getGraph().getInitializerList().forEach(t -> init.add(t.getName()));
            Map<String, NodeInfo> info = s.getInputInfo();
            for (ValueInfoProto v : model.proto().getGraph().getInputList()) {
                if (!init.contains(v.getName()) && info.containsKey(v.getName())) {
                    inputs.add(v.getName());
                }
            }
            if (dir != null) {
                return new Samples(SampleFiles.sampleDirs(dir, inputs), inputs, 0, seed);
            }
            Samples out = new Samples(null, inputs, random, seed);
            for (String name : fixed.keySet()) {
                if (!inputs.contains(name)) {
                    throw new IllegalArgumentException("--shape names '" + name + "', which is not a model input "
                            + inputs);
                }
            }
            for (String in : inputs) {
                TensorInfo ti = (TensorInfo) info.get(in).getInfo();
                int type;
                switch (ti.type) {
                    case FLOAT: type = DataTypes.FLOAT; break;
                    case FLOAT16: type = DataTypes.FLOAT16; break;
                    case BFLOAT16: type = DataTypes.BFLOAT16; break;
                    case DOUBLE: type = DOUBLE; break;
                    default:
                        throw new IllegalArgumentException("random " + what + " samples are floating-point only; input '"
                                + in + "' is " + ti.type + ": give a sample directory instead");
                }
                long[] dims = fixed.containsKey(in) ? fixed.get(in).clone() : ti.getShape();
                if (fixed.containsKey(in)) {
                    checkFits(in, dims, ti.getShape());
                }
                for (int a = 0; a < dims.length; a++) {
                    if (dims[a] < 1) {
                        throw new IllegalArgumentException("input '" + in + "' has a dynamic dim " + a + " in its shape "
                                + java.util.Arrays.toString(ti.getShape()) + ": fix it with --shape " + in + "=...");
                    }
                }
                out.shapes.put(in, dims);
                out.types.put(in, type);
            }
            return out;
        }

        /**
         * Refuses a {@code --shape} whose rank differs from the input's declared rank, or that changes
         * one of its fixed dims (ONNX Runtime would refuse such a sample while running the model). An
         * input declared without dims (no shape, or a scalar) takes any.
         */
        private static void checkFits(String in, long[] given, long[] declared) {
            boolean fits = declared.length == 0 || declared.length == given.length;
            for (int a = 0; fits && a < declared.length; a++) {
                fits = declared[a] < 1 || declared[a] == given[a];
            }
            if (!fits) {
                StringBuilder d = new StringBuilder("[");
                for (int a = 0; a < declared.length; a++) {
                    d.append(a > 0 ? ", " : "").append(declared[a] < 1 ? "?" : Long.toString(declared[a]));
                }
                throw new IllegalArgumentException("--shape " + in + "=" + java.util.Arrays.stream(given)
                        .mapToObj(Long::toString).collect(java.util.stream.Collectors.joining("x"))
                        + " does not fit input '" + in + "' of shape " + d.append(']')
                        + " (? marks a dim that --shape may set)");
            }
        }

        int count() {
            return dirs != null ? dirs.size() : random;
        }

        Map<String, InputData> get(int i) throws IOException {
            if (dirs != null) {
                return SampleFiles.read(dirs.get(i), inputs);
            }
            Random r = new Random(seed * 1_000_003L + i);
            Map<String, InputData> out = new LinkedHashMap<>();
            for (String in : inputs) {
                long[] dims = shapes.get(in);
                int type = types.get(in);
                int n = Math.toIntExact(Calibrator.count(dims));
                int bs = SampleFiles.elementSize(type);
                ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(n, bs)).order(ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < n; j++) {
                    float v = (float) r.nextGaussian();
                    switch (type) {
                        case DataTypes.FLOAT: b.putFloat(v); break;
                        case DataTypes.FLOAT16: b.putShort(HalfFloats.floatToFp16(v)); break;
                        case DataTypes.BFLOAT16: b.putShort(HalfFloats.floatToBf16(v)); break;
                        default: b.putDouble(v);
                    }
                }
                b.flip();
                out.put(in, new InputData(in, type, dims, b));
            }
            return out;
        }
    }
}
