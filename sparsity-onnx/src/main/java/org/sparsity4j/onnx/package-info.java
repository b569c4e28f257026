/**
 * ONNX-in/ONNX-out N:M pruning for TensorRT's sparse kernels.
 *
 * <p>The API: {@link org.sparsity4j.onnx.OnnxPruner} ({@code prune}, {@code check}, {@code report})
 * with {@link org.sparsity4j.onnx.PruneOptions}, returning a {@link org.sparsity4j.onnx.PruneReport}
 * that lists every candidate weight with the action taken and why; unusable input raises
 * {@link org.sparsity4j.onnx.OnnxInputException}.
 *
 * <p>Package-private internals, so that no generated protobuf type appears in a public signature:
 * reading and writing model files ({@code ModelFile}: memory-mapped parse with aliasing;
 * {@code TensorData}: raw_data, typed fields and external data; {@code RawDataLocator}: where tensor
 * bytes lie in a written file; {@code TensorPaths}, {@code TensorWalker}, {@code TensorReplacer}) and
 * weight discovery ({@code WeightDiscovery}: initializers and Constant nodes, inside If/Loop/Scan
 * bodies too, with outer-scope references resolved by ONNX's lexical scoping, traced through
 * Transpose, Cast, Identity, Reshape and DequantizeLinear to MatMul/Gemm/Conv, with each consumer's
 * reduction axis mapped back to the stored tensor).
 *
 * <p>Activation-aware (Wanda) pruning: {@link org.sparsity4j.onnx.Calibration} (samples, held-out
 * samples, layer-by-layer mode) set with {@link org.sparsity4j.onnx.PruneOptions#withCalibration};
 * the results are in {@link org.sparsity4j.onnx.CalibrationReport} and per tensor in
 * {@link org.sparsity4j.onnx.TensorReport#retainedScore()}. Internals: {@code SampleFiles} (TensorProto
 * and .npy samples), {@code Calibrator} (the only class that uses ONNX Runtime: one streaming pass
 * over the samples through a model copy that outputs the needed activations, and the fidelity
 * pass), {@code ActivationNorms} (per-feature sums of squares; im2col for Conv) and
 * {@code WandaScores} (scores laid out like the stored tensor, through {@code ViewStep} transposes).
 */
package org.sparsity4j.onnx;
