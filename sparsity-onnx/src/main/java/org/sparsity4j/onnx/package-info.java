/**
 * ONNX-in/ONNX-out N:M pruning for TensorRT's sparse kernels. {@link org.sparsity4j.onnx.OnnxPruner}
 * finds the weights that TensorRT runs as sparse MatMul/Gemm/Conv operands, prunes them with the
 * core masks and writes a model in which everything else is unchanged; {@link
 * org.sparsity4j.onnx.PruneReport} lists every candidate with the action taken and why.
 */
package org.sparsity4j.onnx;
