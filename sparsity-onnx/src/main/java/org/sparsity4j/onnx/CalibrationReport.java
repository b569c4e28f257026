package org.sparsity4j.onnx;

import java.util.List;

/**
 * What activation-aware pruning measured: the calibration pass and, if asked for, the pruned
 * model's fidelity on held-out samples.
 *
 * @param source the calibration samples, e.g. {@code directory calib} or {@code 8 random samples (seed 0)}
 * @param samples calibration samples run (each may be a batch)
 * @param stages passes over the samples (more than 1 only in layer-by-layer mode)
 * @param seconds wall time of the calibration pass (model copy and session creation included)
 * @param sampleSeconds wall time of running the samples and accumulating the norms
 * @param consumers consumer nodes whose activation statistics were collected
 * @param evaluationSamples held-out samples run (0 if fidelity was not measured)
 * @param fidelity per model output, the pruned model against the dense one (empty if not measured)
 */
public record CalibrationReport(String source, int samples, int stages, double seconds, double sampleSeconds, int consumers,
        int evaluationSamples,
        List<OutputFidelity> fidelity) {

    /** Returns calibration samples per second of the sample loops (all stages; session creation excluded). */
    public double samplesPerSecond() {
        return sampleSeconds > 0 ? (double) samples * stages / sampleSeconds : Double.NaN;
    }
}
