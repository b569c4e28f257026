package org.sparsity4j.onnx;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where activation-aware (Wanda) pruning takes its calibration samples from, and optionally
 * held-out samples to measure the pruned model's fidelity on: an immutable value used with
 * {@link PruneOptions#withCalibration}. Start from {@link #directory} or {@link #random}.
 *
 * <p>Sample directories use the layout of ONNX test data sets: one folder per sample holding
 * {@code input_0.pb}, {@code input_1.pb}... (serialized TensorProto) or {@code .npy} files, or files
 * named after the model inputs ({@code NAME.pb}, {@code NAME.npy}). A sample may hold a batch.
 * Running the model needs ONNX Runtime ({@code com.microsoft.onnxruntime:onnxruntime}) on the
 * class path.
 */
public final class Calibration {
    private final Path directory;
    private final int randomSamples;
    private final long seed;
    private final Map<String, long[]> shapes;
    private final Path evaluation;
    private final int evaluationRandom;
    private final boolean layerByLayer;

    private Calibration(Path directory, int randomSamples, long seed, Map<String, long[]> shapes, Path evaluation,
            int evaluationRandom, boolean layerByLayer) {
        this.layerByLayer = layerByLayer;
        this.directory = directory;
        this.randomSamples = randomSamples;
        this.seed = seed;
        this.shapes = shapes;
        this.evaluation = evaluation;
        this.evaluationRandom = evaluationRandom;
    }

    /**
     * Calibrates on the samples of a directory.
     *
     * @param dir the directory (one folder per sample)
     * @return the calibration
     */
    public static Calibration directory(Path dir) {
        return new Calibration(Objects.requireNonNull(dir, "dir"), 0, 0, Map.of(), null, 0, false);
    }

    /**
     * Calibrates on seeded standard-normal inputs of the model's declared input shapes; dynamic
     * dims must be fixed with {@link #withShape}. Floating-point inputs only.
     *
     * @param samples how many samples (at least 1)
     * @return the calibration
     */
    public static Calibration random(int samples) {
        if (samples < 1) {
            throw new IllegalArgumentException("random calibration needs at least 1 sample, not " + samples);
        }
        return new Calibration(null, samples, 0, Map.of(), null, 0, false);
    }

    /**
     * Returns this calibration with another seed for random samples (default 0).
     *
     * @param s the seed
     * @return the new calibration
     */
    public Calibration withSeed(long s) {
        return new Calibration(directory, randomSamples, s, shapes, evaluation, evaluationRandom, layerByLayer);
    }

    /**
     * Returns this calibration with a fixed shape for a model input (for random samples).
     *
     * @param input the input name
     * @param dims the dims (each at least 1)
     * @return the new calibration
     */
    public Calibration withShape(String input, long... dims) {
        for (long d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("shape of input '" + input + "': dim " + d + " is not positive");
            }
        }
        Map<String, long[]> m = new LinkedHashMap<>(shapes);
        m.put(Objects.requireNonNull(input, "input"), dims.clone());
        return new Calibration(directory, randomSamples, seed, Collections.unmodifiableMap(m), evaluation,
                evaluationRandom, layerByLayer);
    }

    /**
     * Returns this calibration measuring the pruned model against the dense one on the samples of a
     * directory (same layout), after pruning.
     *
     * @param dir the held-out samples, or null for none
     * @return the new calibration
     */
    public Calibration withEvaluation(Path dir) {
        return new Calibration(directory, randomSamples, seed, shapes, dir, dir == null ? evaluationRandom : 0,
                layerByLayer);
    }

    /**
     * Returns this calibration measuring fidelity on random samples (other seeds than the
     * calibration samples), after pruning.
     *
     * @param samples how many (0 for none)
     * @return the new calibration
     */
    public Calibration withEvaluationRandom(int samples) {
        if (samples < 0) {
            throw new IllegalArgumentException("evaluation sample count " + samples + " is negative");
        }
        return new Calibration(directory, randomSamples, seed, shapes, samples > 0 ? null : evaluation, samples,
                layerByLayer);
    }

    /**
     * Returns this calibration in layer-by-layer mode: statistics are collected in stages, each on
     * the model with the weights of earlier stages already pruned (a stage holds every remaining
     * weight whose activation does not depend on another remaining weight), so later layers are
     * scored on the activations they will see after pruning. Costs one pass over the samples per
     * stage and keeps the pruned weights of earlier stages on the heap.
     *
     * @param on whether to use layer-by-layer mode
     * @return the new calibration
     */
    public Calibration withLayerByLayer(boolean on) {
        return new Calibration(directory, randomSamples, seed, shapes, evaluation, evaluationRandom, on);
    }

    /** Tells whether statistics are re-collected layer by layer (see {@link #withLayerByLayer}). */
    public boolean layerByLayer() {
        return layerByLayer;
    }

    /** Returns the sample directory, or null for random samples. */
    public Path directory() {
        return directory;
    }

    /** Returns the number of random samples (0 when a directory is used). */
    public int randomSamples() {
        return randomSamples;
    }

    /** Returns the seed of random samples. */
    public long seed() {
        return seed;
    }

    /** Returns the fixed input shapes by input name (unmodifiable; arrays are copies). */
    public Map<String, long[]> shapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        shapes.forEach((k, v) -> m.put(k, v.clone()));
        return Collections.unmodifiableMap(m);
    }

    /** Returns the held-out sample directory, or null. */
    public Path evaluation() {
        return evaluation;
    }

    /** Returns the number of random held-out samples (0 for none). */
    public int evaluationRandom() {
        return evaluationRandom;
    }

    /** Tells whether fidelity is measured after pruning. */
    public boolean evaluates() {
        return evaluation != null || evaluationRandom > 0;
    }

    /** Returns a short description, e.g. {@code directory calib/} or {@code 16 random samples (seed 0)}. */
    public String describe() {
        return (directory != null ? "directory " + directory : randomSamples + " random samples (seed " + seed + ")")
                + (layerByLayer ? ", layer by layer" : "");
    }
}
