package org.sparsity4j.onnx;

import java.util.List;

/**
 * What activation-aware pruning measured: the calibration pass and, if asked for, the pruned
 * model's fidelity on held-out samples.
 *
 * @param source the calibration samples, e.g. {@code directory calib} or {@code 8 random samples (seed 0)}
 * @param samples calibration samples run (each may be a batch)
 * @param seconds wall time of the calibration pass (model copy and session creation included)
 * @param sampleSeconds wall time of running the samples and accumulating the norms
 * @param consumers consumer nodes whose activation statistics were collected
 * @param evaluationSamples held-out samples run (0 if fidelity was not measured)
 * @param fidelity per model output, the pruned model against the dense one (empty if not measured)
 */
public record CalibrationReport(String source, int samples, double seconds, double sampleSeconds, int consumers, int evaluationSamples,
        List<OutputFidelity> fidelity) {

    /** Returns calibration samples per second of the sample loop (session creation excluded). */
    public double samplesPerSecond() {
        return sampleSeconds > 0 ? samples / sampleSeconds : Double.NaN;
    }
}
