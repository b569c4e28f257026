package org.sparsity4j.cusparselt;

/**
 * A native call (cuSPARSELt, the CUDA runtime or cuBLAS) returned an error status.
 *
 * <p>Carries the library, the call, the numeric status and its symbolic name (for example
 * {@code CUSPARSE_STATUS_INVALID_VALUE}). Argument errors that Java can detect before calling
 * into native code are reported as {@link IllegalArgumentException} instead.
 */
public final class CusparseLtException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String library;
    private final String call;
    private final int status;
    private final String statusName;

    CusparseLtException(String library, String call, int status, String statusName, String detail) {
        super(library + " call " + call + " failed with " + statusName + " (" + status + ")"
                + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.library = library;
        this.call = call;
        this.status = status;
        this.statusName = statusName;
    }

    /**
     * The library whose call failed: {@code "cuSPARSELt"}, {@code "CUDA runtime"} or {@code "cuBLAS"}.
     *
     * @return the library name
     */
    public String library() {
        return library;
    }

    /**
     * The native function that failed, for example {@code cusparseLtMatmulPlanInit}.
     *
     * @return the function name
     */
    public String call() {
        return call;
    }

    /**
     * The numeric status the call returned.
     *
     * @return the status code
     */
    public int status() {
        return status;
    }

    /**
     * The symbolic name of the status, for example {@code CUSPARSE_STATUS_NOT_SUPPORTED}.
     *
     * @return the status name
     */
    public String statusName() {
        return statusName;
    }
}
