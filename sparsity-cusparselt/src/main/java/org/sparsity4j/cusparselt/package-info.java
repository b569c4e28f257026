/**
 * Safe sparse matrix products on NVIDIA GPUs through cuSPARSELt: availability
 * ({@link org.sparsity4j.cusparselt.CusparseLt}), per-device contexts
 * ({@link org.sparsity4j.cusparselt.SparseContext}), product descriptions
 * ({@link org.sparsity4j.cusparselt.MatmulSpec}), plans with algorithm search, plan cache and an
 * opt-in dense cuBLAS fallback ({@link org.sparsity4j.cusparselt.MatmulPlan}), on-device prune, prune
 * check and compress, and device memory and streams. Every native resource is
 * {@link java.lang.AutoCloseable}; native failures raise
 * {@link org.sparsity4j.cusparselt.CusparseLtException}, argument errors
 * {@link java.lang.IllegalArgumentException}.
 */
package org.sparsity4j.cusparselt;
