package org.sparsity4j.cusparselt;

/** Operation applied to an input matrix before the product. */
public enum Op {
    /** Use the matrix as stored ({@code CUSPARSE_OPERATION_NON_TRANSPOSE}). */
    N(0),
    /** Use the transpose ({@code CUSPARSE_OPERATION_TRANSPOSE}). */
    T(1);

    private final int code;

    Op(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }
}
