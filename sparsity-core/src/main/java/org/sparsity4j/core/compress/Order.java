package org.sparsity4j.core.compress;

/** Memory order of the dense matrix handed to cuSPARSELt ({@code cusparseOrder_t}). */
public enum Order {
    /** Row-major ({@code CUSPARSE_ORDER_ROW}): element (r, c) at {@code r * cols + c}. */
    ROW_MAJOR,
    /** Column-major ({@code CUSPARSE_ORDER_COL}): element (r, c) at {@code c * rows + r}. */
    COLUMN_MAJOR
}
