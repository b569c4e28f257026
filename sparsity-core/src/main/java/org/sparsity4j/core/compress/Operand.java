package org.sparsity4j.core.compress;

/**
 * Which matmul operand is the structured one ({@code isSparseA} of {@code cusparseLtSpMMACompress2}).
 * In {@code D = op(A) · op(B)} with {@code op(A)} of m×k and {@code op(B)} of k×n, the groups of
 * the pattern always run along k.
 */
public enum Operand {
    /** The left operand: {@code op(A)} is m×k. */
    A,
    /** The right operand: {@code op(B)} is k×n. */
    B
}
