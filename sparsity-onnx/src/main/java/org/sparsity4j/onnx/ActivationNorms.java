package org.sparsity4j.onnx;

import java.util.List;
import org.sparsity4j.onnx.proto.OnnxSubset.AttributeProto;
import org.sparsity4j.onnx.proto.OnnxSubset.NodeProto;

/**
 * Accumulates, for one consumer of a weight, the sum of squares of each input feature of the
 * activation the weight multiplies; the per-feature L2 norm is the square root of the sum over all
 * calibration samples. Features are, in the order of the consumer's view of the weight:
 * <ul>
 *   <li>MatMul: the K features of the left operand {@code [..., M, K]} (summed over every leading
 *       dim, so a batched weight {@code [..., K, N]} gets one norm per K shared by its batches);</li>
 *   <li>Gemm: the K features of A ({@code [M, K]}, or {@code [K, M]} with {@code transA});</li>
 *   <li>Conv: each input channel × kernel position of the unfolded (im2col) input, honouring
 *       strides, pads (or {@code auto_pad}) and dilations; padded positions contribute 0.</li>
 * </ul>
 * Only the running sums are kept (one double per feature), never an activation.
 */
final class ActivationNorms {
    private final ConsumerUse use;
    private final double[] sumSquares;
    private final long[] kernel;
    private final long[] strides;
    private final long[] dilations;
    private final long[] pads;
    private final String autoPad;
    private final boolean transA;
    private long samples;

    private ActivationNorms(ConsumerUse use) {
        this.use = use;
        long[] v = use.viewDims();
        switch (use.opType()) {
            case "Conv": {
                int s = v.length - 2;
                kernel = new long[s];
                long features = v[1];
                for (int i = 0; i < s; i++) {
                    kernel[i] = v[i + 2];
                    features *= kernel[i];
                }
                strides = ints(use.node(), "strides", s, 1);
                dilations = ints(use.node(), "dilations", s, 1);
                pads = ints(use.node(), "pads", 2 * s, 0);
                autoPad = string(use.node(), "auto_pad", "NOTSET");
                transA = false;
                sumSquares = new double[Math.toIntExact(features)];
                break;
            }
            case "Gemm":
                kernel = strides = dilations = pads = null;
                autoPad = null;
                transA = intAttr(use.node(), "transA", 0) != 0;
                sumSquares = new double[Math.toIntExact(use.reductionDim())];
                break;
            default:
                kernel = strides = dilations = pads = null;
                autoPad = null;
                transA = false;
                sumSquares = new double[Math.toIntExact(use.reductionDim())];
        }
    }

    /**
     * Creates the accumulator for a consumer whose view of the weight is known.
     *
     * @param use the consumer
     * @return the accumulator
     */
    static ActivationNorms of(ConsumerUse use) {
        if (use.viewDims() == null) {
            throw new IllegalArgumentException("consumer " + use.label() + " has no traced weight view");
        }
        return new ActivationNorms(use);
    }

    /** Returns the consumer. */
    ConsumerUse use() {
        return use;
    }

    /** Returns the per-feature sums of squares (live array; do not modify). */
    double[] sumSquares() {
        return sumSquares;
    }

    /** Returns how many activations were added. */
    long samples() {
        return samples;
    }

    /**
     * Adds one activation (the consumer's input 0).
     *
     * @param x the values, row-major
     * @param shape the activation's shape
     * @throws OnnxInputException if the shape does not fit the weight
     */
    void add(float[] x, long[] shape) {
        switch (use.opType()) {
            case "Conv":
                conv(x, shape);
                break;
            case "Gemm":
                gemm(x, shape);
                break;
            default:
                matmul(x, shape);
        }
        samples++;
    }

    private void matmul(float[] x, long[] shape) {
        int k = sumSquares.length;
        if (shape.length < 1 || shape[shape.length - 1] != k) {
            throw mismatch(shape, "a last dim of K=" + k);
        }
        double[] acc = sumSquares;
        for (int i = 0; i < x.length; ) {
            for (int j = 0; j < k; j++, i++) {
                double v = x[i];
                acc[j] += v * v;
            }
        }
    }

    private void gemm(float[] x, long[] shape) {
        int k = sumSquares.length;
        if (shape.length != 2 || shape[transA ? 0 : 1] != k) {
            throw mismatch(shape, "rank 2 with K=" + k + " on axis " + (transA ? 0 : 1) + (transA ? " (transA)" : ""));
        }
        if (!transA) {
            matmul(x, shape);
            return;
        }
        int m = (int) shape[1];
        for (int j = 0; j < k; j++) {
            double s = 0;
            for (int i = 0, off = j * m; i < m; i++) {
                double v = x[off + i];
                s += v * v;
            }
            sumSquares[j] += s;
        }
    }

    private void conv(float[] x, long[] shape) {
        int s = kernel.length;
        long cin = use.viewDims()[1];
        if (shape.length != s + 2 || shape[1] != cin) {
            throw mismatch(shape, "rank " + (s + 2) + " with C=" + cin + " on axis 1");
        }
        long[] in = new long[s];
        long[] out = new long[s];
        long[] begin = new long[s];
        for (int a = 0; a < s; a++) {
            in[a] = shape[a + 2];
            long eff = (kernel[a] - 1) * dilations[a] + 1;
            switch (autoPad) {
                case "SAME_UPPER":
                case "SAME_LOWER": {
                    out[a] = (in[a] + strides[a] - 1) / strides[a];
                    long total = Math.max(0, (out[a] - 1) * strides[a] + eff - in[a]);
                    begin[a] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    break;
                }
                case "VALID":
                    begin[a] = 0;
                    out[a] = (in[a] - eff) / strides[a] + 1;
                    break;
                default:
                    begin[a] = pads[a];
                    out[a] = (in[a] + pads[a] + pads[a + s] - eff) / strides[a] + 1;
            }
            if (out[a] <= 0) {
                throw mismatch(shape, "a spatial size that gives a non-empty output");
            }
        }
        // For each spatial axis and kernel offset: the input index read at each output position (-1: padding).
        int[][][] index = new int[s][][];
        for (int a = 0; a < s; a++) {
            index[a] = new int[(int) kernel[a]][(int) out[a]];
            for (int k = 0; k < kernel[a]; k++) {
                for (int o = 0; o < out[a]; o++) {
                    long i = o * strides[a] - begin[a] + k * dilations[a];
                    index[a][k][o] = i >= 0 && i < in[a] ? (int) i : -1;
                }
            }
        }
        long plane = 1;
        for (long d : in) {
            plane *= d;
        }
        int kernelSize = sumSquares.length / (int) cin;
        long[] inStride = new long[s];
        long st = 1;
        for (int a = s - 1; a >= 0; a--) {
            inStride[a] = st;
            st *= in[a];
        }
        int[] kpos = new int[s];
        long batch = shape[0];
        for (long n = 0; n < batch; n++) {
            for (int c = 0; c < cin; c++) {
                long base = (n * cin + c) * plane;
                java.util.Arrays.fill(kpos, 0);
                for (int kp = 0; kp < kernelSize; kp++) {
                    sumSquares[c * kernelSize + kp] += sum(x, base, index, kpos, inStride, 0);
                    for (int a = s - 1; a >= 0; a--) {
                        if (++kpos[a] < kernel[a]) {
                            break;
                        }
                        kpos[a] = 0;
                    }
                }
            }
        }
    }

    /** Sum of squares over all output positions of one kernel offset (recursive over spatial axes). */
    private static double sum(float[] x, long base, int[][][] index, int[] kpos, long[] inStride, int axis) {
        int[] idx = index[axis][kpos[axis]];
        double s = 0;
        if (axis == index.length - 1) {
            for (int i : idx) {
                if (i >= 0) {
                    double v = x[(int) (base + i)];
                    s += v * v;
                }
            }
            return s;
        }
        for (int i : idx) {
            if (i >= 0) {
                s += sum(x, base + i * inStride[axis], index, kpos, inStride, axis + 1);
            }
        }
        return s;
    }

    private OnnxInputException mismatch(long[] shape, String expected) {
        return new OnnxInputException("activation " + java.util.Arrays.toString(shape) + " of " + use.label()
                + " (input '" + use.node().getInput(0) + "') does not fit its weight " + java.util.Arrays.toString(
                use.viewDims()) + ": expected " + expected);
    }

    private static AttributeProto attr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static long intAttr(NodeProto n, String name, long dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getI();
    }

    private static String string(NodeProto n, String name, String dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    private static long[] ints(NodeProto n, String name, int count, long dflt) {
        AttributeProto a = attr(n, name);
        long[] out = new long[count];
        java.util.Arrays.fill(out, dflt);
        if (a != null) {
            List<Long> v = a.getIntsList();
            if (v.size() != count) {
                throw new OnnxInputException("node " + n.getName() + ": attribute " + name + " has " + v.size()
                        + " values, expected " + count);
            }
            for (int i = 0; i < count; i++) {
                out[i] = v.get(i);
            }
        }
        return out;
    }
}
