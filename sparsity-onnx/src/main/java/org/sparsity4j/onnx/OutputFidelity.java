package org.sparsity4j.onnx;

/**
 * How close one output of the pruned model is to the dense model's, over held-out samples.
 *
 * @param name the output's name
 * @param relativeError {@code ||pruned - dense||_2 / ||dense||_2} over all held-out samples (NaN for
 *     outputs that are not floating point)
 * @param top1Agreement for outputs of rank at least 2 with a last dim above 1 (classifier logits): the
 *     fraction of rows whose arg-max over the last dim is the same; NaN otherwise
 * @param rows the number of rows compared for top-1 agreement (0 if not applicable)
 */
public record OutputFidelity(String name, double relativeError, double top1Agreement, long rows) {
}
