package org.sparsity4j.onnx;

/**
 * The input model cannot be used: the file is corrupt or truncated, an external data file is
 * missing, an offset or length is out of range, or a tensor's dims do not match its data. The
 * message names the tensor, file or byte offset concerned.
 */
public final class OnnxInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the tensor, file or offset
     */
    public OnnxInputException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong, naming the tensor, file or offset
     * @param cause the underlying error
     */
    public OnnxInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
