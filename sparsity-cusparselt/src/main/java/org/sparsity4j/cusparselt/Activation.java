package org.sparsity4j.cusparselt;

/** Activation applied by cuSPARSELt's epilogue after {@code alpha op(A) op(B) + beta C (+ bias)}. */
public enum Activation {
    /** No activation. */
    NONE,
    /** max(0, x) ({@code CUSPARSELT_MATMUL_ACTIVATION_RELU}). */
    RELU,
    /** GELU ({@code CUSPARSELT_MATMUL_ACTIVATION_GELU}). */
    GELU
}
