package org.sparsity4j.onnx;

import java.util.List;
import org.sparsity4j.onnx.proto.OnnxSubset.NodeProto;

/**
 * One consumer of a weight that TensorRT can run with sparse kernels, with the consumer's axes
 * mapped back to the stored tensor.
 *
 * @param opType MatMul, Gemm or Conv
 * @param nodeName the consumer node's name (may be empty)
 * @param reductionAxis the stored tensor's axis the consumer reduces over (K, or Cin for Conv), or
 *     -1 if it cannot be traced
 * @param otherAxis the stored tensor's output-channel axis (N, or Cout for Conv), or -1
 * @param reductionDim the length of the reduction dimension as the consumer sees it
 * @param otherDim the length of the output-channel dimension as the consumer sees it
 * @param path the ops between the stored tensor and the consumer, e.g. "DequantizeLinear > Transpose"
 * @param node the consumer node
 * @param nodePath the consumer node's structural path (unique in the model)
 * @param mainGraph whether the consumer is a node of the main graph (not of a subgraph)
 * @param viewDims the weight's dims as the consumer sees them, or null if they cannot be traced
 * @param steps the transposes between the stored tensor and the consumer's view, in order
 *     (reshapes, casts and dequantization keep the row-major element order, so they need no step)
 */
record ConsumerUse(String opType, String nodeName, int reductionAxis, int otherAxis, long reductionDim,
        long otherDim, String path, NodeProto node, String nodePath, boolean mainGraph, long[] viewDims,
        List<ViewStep> steps) {

    /** Returns e.g. {@code MatMul 'fc1'}. */
    public String label() {
        return nodeName.isEmpty() ? opType : opType + " '" + nodeName + "'";
    }
}
