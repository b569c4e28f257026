package org.sparsity4j.onnx.cli;

/** Exit codes of the {@code sparsity} tool. */
public enum ExitCode {
    /** Success; for {@code check}: every eligible weight satisfies the pattern. */
    OK(0),
    /** {@code check} only: at least one eligible weight does not satisfy the pattern. */
    CHECK_FAILED(1),
    /**
     * Bad command line (unknown option, missing argument, an output model or {@code OUT.data} that would
     * be the input model or one of its external data files...).
     */
    USAGE(2),
    /**
     * The input model cannot be used (missing, unreadable, corrupt, truncated, external data missing,
     * unreadable or out of range, data not matching dims...).
     */
    INPUT(3),
    /** The output could not be written (I/O error); no output model was left behind. */
    OUTPUT(4),
    /** An unexpected internal error (a bug). */
    INTERNAL(70);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** Returns the process exit status. */
    public int code() {
        return code;
    }
}
