/**
 * N:M pruning and mask enforcement for Deep Java Library (DJL) models.
 *
 * <p>{@link org.sparsity4j.core.djl.DjlSparsity#prune DjlSparsity.prune} finds the weights of
 * {@code Linear} and {@code Convolution} blocks, picks the reduction axis (axis 1 for both: DJL stores a
 * linear weight as [out, in] and a convolution weight as [out, in/groups, kernel...]), skips what cannot
 * be pruned with a reported reason, and zeroes the pruned elements in place.
 * {@link org.sparsity4j.core.djl.MaskedOptimizer} wraps any DJL optimizer so that fine-tuning keeps
 * every pruned position exactly zero: gradients are masked before the wrapped optimizer sees them (so
 * momentum and Adam moments never accumulate at pruned positions) and the weights are re-masked after
 * each update. Masks are saved next to the model and verified with the core validator.
 *
 * <p>DJL is an optional dependency of {@code sparsity-core}: this package needs {@code ai.djl:api} and
 * an engine on the class path; the rest of the module does not.
 */
package org.sparsity4j.core.djl;
