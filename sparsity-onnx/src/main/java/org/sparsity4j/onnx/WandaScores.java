package org.sparsity4j.onnx;

import java.util.Map;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Builds Wanda scores {@code |W_ij| * ||X_j||_2} laid out like the stored weight tensor: each
 * consumer's per-feature norms are spread over its view of the weight, mapped back through the
 * Transposes between the stored tensor and the consumer (Reshapes, Casts and dequantization keep the
 * element order), and squared norms of several consumers are added (as if their activations were
 * concatenated). {@code |W|} is the magnitude of the stored value (for quantized weights: of the
 * integer or FP8 value, without the scale).
 */
final class WandaScores {
    private WandaScores() {
    }

    /**
     * Computes the scores.
     *
     * @param weights the stored tensor
     * @param c the candidate
     * @param stats per consumer node path, the accumulated norms
     * @return FP32 scores of the weight's shape, finite and non-negative
     */
    static Tensor of(Tensor weights, Candidate c, Map<String, ActivationNorms> stats) {
        int n = Math.toIntExact(weights.shape().size());
        float[] energy = new float[n];
        for (ConsumerUse u : c.consumers()) {
            ActivationNorms a = stats.get(u.nodePath());
            float[] view = spread(u, a.sumSquares());
            for (int i = u.steps().size() - 1; i >= 0; i--) {
                view = u.steps().get(i).undo(view);
            }
            if (view.length != n) {
                throw new IllegalStateException("view of " + c.name() + " through " + u.label() + " has " + view.length
                        + " elements, the stored tensor " + n);
            }
            for (int i = 0; i < n; i++) {
                energy[i] += view[i];
            }
        }
        ElementType type = weights.type();
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
            double w = Math.abs(type.decode(weights.bits(i)));
            float s;
            if (!Double.isFinite(w)) {
                s = Float.MAX_VALUE; // NaN/Inf weights: kept first, as magnitude masking does
            } else {
                s = (float) (w * Math.sqrt(energy[i]));
                if (!Float.isFinite(s)) {
                    s = Float.MAX_VALUE;
                }
            }
            scores[i] = s;
        }
        return Tensor.ofFloats(scores, weights.shape().dims());
    }

    /** The consumer's per-feature sums of squares, spread over its view of the weight. */
    static float[] spread(ConsumerUse u, double[] sumSquares) {
        long[] v = u.viewDims();
        long size = 1;
        for (long d : v) {
            size *= d;
        }
        float[] out = new float[Math.toIntExact(size)];
        if (u.opType().equals("Conv")) {
            int f = sumSquares.length; // Cin x kernel positions: the trailing dims of [Cout, Cin, k...]
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) sumSquares[i % f];
            }
            return out;
        }
        int k = v.length - 2; // MatMul: [..., K, N]
        if (u.opType().equals("Gemm")) {
            k = transB(u) ? 1 : 0; // B is [K, N], or [N, K] with transB
        }
        long inner = 1;
        for (int i = k + 1; i < v.length; i++) {
            inner *= v[i];
        }
        long kd = v[k];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) sumSquares[(int) ((i / inner) % kd)];
        }
        return out;
    }

    private static boolean transB(ConsumerUse u) {
        for (var a : u.node().getAttributeList()) {
            if (a.getName().equals("transB")) {
                return a.getI() != 0;
            }
        }
        return false;
    }
}
