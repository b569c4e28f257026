package org.sparsity4j.core.nd4j;

/**
 * A SameDiff variable that pruning considers, with the reduction axis taken from the op it feeds.
 *
 * @param name variable name
 * @param layer the consuming op and the role of the variable, for example {@code Mmul b}
 * @param axis reduction axis of the weight
 * @param otherAxis output axis for tile masks: the N axis of a matrix-product weight, of rank 2 or batched
 *     ([.., K, N] or [.., N, K]); -1 for convolution weights
 * @param conflict a reason the variable cannot be pruned from its uses (for example two uses needing
 *     different axes), or null
 */
public record SameDiffWeight(String name, String layer, int axis, int otherAxis, String conflict) {
}
