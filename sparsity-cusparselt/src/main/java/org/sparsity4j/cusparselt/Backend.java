package org.sparsity4j.cusparselt;

/** The kernel family a plan executes with. */
public enum Backend {
    /** cuSPARSELt's structured-sparse kernel on the compressed operand. */
    SPARSE,
    /** Dense cuBLAS on the pruned but uncompressed operand (chosen by the opt-in dense fallback). */
    DENSE
}
