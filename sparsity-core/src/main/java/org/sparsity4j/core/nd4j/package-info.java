/**
 * N:M pruning and mask enforcement for ND4J SameDiff graphs.
 *
 * <p>{@link org.sparsity4j.core.nd4j.SameDiffSparsity#prune SameDiffSparsity.prune} finds trainable
 * variables that feed {@code mmul}/{@code matmul}, {@code linear} (xw_plus_b), {@code conv1d} or
 * {@code conv2d} ops (or that the user names), picks the reduction axis from the op (axis 0 of an
 * [in, out] dense weight, the input-channel axis of a convolution weight in its weights format), skips
 * what cannot be pruned with a reported reason, and zeroes the pruned elements in place.
 * {@link org.sparsity4j.core.nd4j.MaskEnforcer} is a training listener that keeps every pruned position
 * exactly zero through {@code SameDiff.fit} for any updater: it masks each update before it is applied
 * and clears the updater's state (momentum, Adam moments) at pruned positions in the same step.
 *
 * <p>ND4J is an optional dependency of {@code sparsity-core}: this package needs {@code nd4j-api} and a
 * backend such as {@code nd4j-native} on the class path; the rest of the module does not.
 */
package org.sparsity4j.core.nd4j;
