package org.sparsity4j.core.compress;

/** The operation applied to the structured operand in the matmul ({@code cusparseOperation_t}). */
public enum Op {
    /** {@code CUSPARSE_OPERATION_NON_TRANSPOSE}: the operand is used as stored. */
    NON_TRANSPOSE,
    /** {@code CUSPARSE_OPERATION_TRANSPOSE}: the operand is used transposed. */
    TRANSPOSE
}
