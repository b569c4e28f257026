package org.sparsity4j.core.mask;

import org.sparsity4j.core.simd.VectorSupport;

/**
 * Selects the strip kernels: the SIMD kernels of {@link SimdStrip} when
 * {@link VectorSupport#enabled()}, the scalar kernels of {@link FusedStrip} otherwise.
 * {@link SimdStrip} is only loaded when selected here.
 */
final class StripSimd {
    /** Whether the SIMD kernels can run in this JVM (see {@link VectorSupport}). */
    static final boolean AVAILABLE = VectorSupport.enabled();
    private static volatile boolean enabled = AVAILABLE;

    private StripSimd() {
    }

    /** Returns whether the SIMD kernels are used. */
    static boolean enabled() {
        return enabled;
    }

    /**
     * Selects the SIMD ({@code true}) or the scalar kernels, for tests that compare both in one JVM.
     *
     * @param simd whether to use the SIMD kernels
     * @return the previous selection
     * @throws IllegalStateException if {@code simd} is true and the SIMD kernels are not available
     */
    static boolean use(boolean simd) {
        if (simd && !AVAILABLE) {
            throw new IllegalStateException("SIMD strip kernels are not available: " + VectorSupport.describe());
        }
        boolean was = enabled;
        enabled = simd;
        return was;
    }
}
