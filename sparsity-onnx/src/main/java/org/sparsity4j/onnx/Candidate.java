package org.sparsity4j.onnx;

import java.util.List;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;

/**
 * A stored weight tensor with at least one sparse-capable consumer, as found in the model.
 *
 * @param name the tensor's name (for a Constant node: its output's name)
 * @param path the tensor's structural path in the model
 * @param source "initializer" or "Constant 'node name'"
 * @param tensor the tensor proto (its data may alias the model file)
 * @param consumers the sparse-capable consumers reached from it
 * @param blockers reasons it must not be pruned (other uses, non-zero zero points...), empty if none
 * @param quantized whether it reaches a consumer through DequantizeLinear
 */
record Candidate(String name, String path, String source, TensorProto tensor, List<ConsumerUse> consumers,
        List<String> blockers, boolean quantized) {
}
