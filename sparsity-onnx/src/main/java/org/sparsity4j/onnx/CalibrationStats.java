package org.sparsity4j.onnx;

import java.util.LinkedHashMap;
import java.util.Map;

/** The result of a calibration pass (mutable; filled by {@link Calibrator}). */
final class CalibrationStats {
    /** Accumulated norms per consumer node path. */
    final Map<String, ActivationNorms> byNodePath = new LinkedHashMap<>();
    /** Why a consumer's statistics could not be collected, per consumer node path. */
    final Map<String, String> missing = new LinkedHashMap<>();
    /** Passes over the samples (stages of the layer-by-layer mode; 1 otherwise). */
    int stages = 1;
    /** Samples run. */
    int samples;
    /** Wall time of the pass, session creation included. */
    double seconds;
    /** Wall time of running the samples and accumulating norms (session creation excluded). */
    double sampleSeconds;
}
