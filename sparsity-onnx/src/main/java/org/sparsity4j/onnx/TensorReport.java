package org.sparsity4j.onnx;

import java.util.List;

/**
 * One candidate weight in a {@link PruneReport}.
 *
 * @param name the tensor's name
 * @param path its structural path in the model, e.g. {@code graph/initializer[3]}
 * @param source where it is stored: "initializer", "Constant 'name'", possibly inside a subgraph
 * @param consumers its sparse-capable consumers, e.g. {@code MatMul 'fc1'}, with the ops between
 * @param dims the stored tensor's dims
 * @param dataType the ONNX data type name
 * @param storage raw_data, float_data, int32_data or external
 * @param axis the stored tensor's reduction axis, or -1 if unknown
 * @param otherAxis the stored tensor's output-channel axis (used by tile masks), or -1 if unknown
 * @param action what is done
 * @param reason why (for skips), or a short description (for prunes: violating groups)
 * @param retainedMagnitude kept L1 / total L1 of finite values, NaN where not computed
 * @param hints TensorRT hints (may be empty)
 * @param scoring how weights were ranked: {@code magnitude}, or {@code wanda} (activation-aware, from
 *     calibration); with calibration, a weight ranked by magnitude says why, e.g.
 *     {@code magnitude (MatMul 'm' is inside a subgraph ...)}
 * @param retainedScore kept score / total score under the ranking used, NaN where not computed or
 *     ranked by magnitude (then it equals the retained magnitude)
 */
public record TensorReport(String name, String path, String source, List<String> consumers, long[] dims,
        String dataType, String storage, int axis, int otherAxis, Action action, String reason, double retainedMagnitude,
        List<String> hints, String scoring, double retainedScore) {

    /** Returns the element count. */
    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }
}
