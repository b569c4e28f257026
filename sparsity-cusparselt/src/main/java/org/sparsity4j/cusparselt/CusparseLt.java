package org.sparsity4j.cusparselt;

/**
 * Entry point: whether cuSPARSELt can be used here, and why not.
 *
 * <pre>{@code
 * if (CusparseLt.isAvailable()) {
 *     try (SparseContext ctx = SparseContext.create(0)) {
 *         MatmulPlan plan = ctx.plan(MatmulSpec.builder(4096, 2048, 4096).input(DataType.FP16).build());
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class CusparseLt {

    private CusparseLt() {
    }

    /**
     * Whether the cuSPARSELt library, its JNI glue, the CUDA runtime and at least one CUDA device
     * are all usable. Loads them on first call; never throws.
     *
     * @return true when sparse products can run
     */
    public static boolean isAvailable() {
        return NativeLibrary.isAvailable();
    }

    /**
     * Why {@link #isAvailable()} is false, or null when it is true. Never throws.
     *
     * @return the reason, or null
     */
    public static String unavailableReason() {
        return NativeLibrary.unavailableReason();
    }

    /**
     * Number of CUDA devices (0 when unavailable). Never throws.
     *
     * @return the device count
     */
    public static int deviceCount() {
        return NativeLibrary.deviceCount();
    }
}
