/**
 * Framework-neutral pieces of the prune-then-fine-tune workflow shared by the DJL and ND4J/SameDiff
 * integrations: pruning options, per-parameter masks and their file format, pruning reports and
 * verification reports.
 *
 * <p>The masks themselves are computed by {@link org.sparsity4j.core.mask.StripMasker} and
 * {@link org.sparsity4j.core.mask.TileMasker} and checked by {@link org.sparsity4j.core.validate.Validator};
 * this package only records them per named parameter so a training integration can hold them through
 * fine-tuning, save them beside the model and verify the weights afterwards.
 */
package org.sparsity4j.core.training;
