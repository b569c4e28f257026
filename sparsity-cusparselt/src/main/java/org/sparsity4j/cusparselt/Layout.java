package org.sparsity4j.cusparselt;

/** Memory order of a matrix. */
public enum Layout {
    /** Rows are contiguous ({@code CUSPARSE_ORDER_ROW}). */
    ROW_MAJOR(2),
    /** Columns are contiguous ({@code CUSPARSE_ORDER_COL}). */
    COLUMN_MAJOR(1);

    private final int code;

    Layout(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    /**
     * Leading dimension of a rows x cols matrix stored densely in this order.
     *
     * @param rows rows
     * @param cols columns
     * @return the leading dimension in elements
     */
    public long leadingDimension(long rows, long cols) {
        return this == ROW_MAJOR ? cols : rows;
    }
}
