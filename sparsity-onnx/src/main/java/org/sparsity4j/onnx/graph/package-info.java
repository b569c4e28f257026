/**
 * Finding the weights to prune: every tensor source (graph initializers, {@code Constant} nodes,
 * both also inside {@code If}/{@code Loop}/{@code Scan} bodies, resolved by ONNX's lexical scoping
 * so that outer-scope references from subgraphs are followed), traced through {@code Transpose},
 * {@code Cast}, {@code Identity}, {@code Reshape} and {@code DequantizeLinear} to the consumers that
 * TensorRT runs with sparse kernels ({@code MatMul}, {@code Gemm}, {@code Conv}), with the reduction
 * axis of each consumer mapped back to the stored tensor's coordinates.
 */
package org.sparsity4j.onnx.graph;
