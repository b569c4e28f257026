package org.sparsity4j.core.compress;

import org.sparsity4j.core.simd.VectorSupport;

/**
 * Decides whether {@link SparseCompressor} uses its Vector API kernels ({@link VectorKernels}):
 * when {@link VectorSupport#enabled()}. This class never touches a vector type, so that it links
 * without the module.
 */
final class SimdSwitch {
    /** True if the vector kernels can run in this JVM (see {@link VectorSupport}). */
    static final boolean AVAILABLE = VectorSupport.enabled();

    /** The current choice; starts as {@link #AVAILABLE}. */
    private static volatile boolean enabled = AVAILABLE;

    private SimdSwitch() {
    }

    /** Returns whether the vector kernels are used. */
    static boolean enabled() {
        return enabled;
    }

    /**
     * Turns the vector kernels on or off (for tests that compare both paths in one JVM).
     *
     * @param on the new choice
     * @return the previous choice
     * @throws IllegalStateException if {@code on} and the module is not present
     */
    static boolean set(boolean on) {
        if (on && !AVAILABLE) {
            throw new IllegalStateException("the vector kernels are not available: " + VectorSupport.describe());
        }
        boolean previous = enabled;
        enabled = on;
        return previous;
    }
}
