/**
 * N:M keep-masks: {@link org.sparsity4j.core.mask.StripMasker} (1-D, N largest of every M along an
 * axis of an N-D tensor), {@link org.sparsity4j.core.mask.TileMasker} (transposable 2:4 on 4×4
 * tiles, exhaustive over the 90 legal tiles), both by magnitude or by caller-supplied scores, with
 * the compact {@link org.sparsity4j.core.mask.Mask} and its {@link org.sparsity4j.core.mask.MaskStats}.
 */
package org.sparsity4j.core.mask;
