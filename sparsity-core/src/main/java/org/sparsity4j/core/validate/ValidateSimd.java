package org.sparsity4j.core.validate;

import org.sparsity4j.core.simd.VectorSupport;

/**
 * Selects how {@link Validator} counts non-zeros: with {@link SimdCount} when
 * {@link VectorSupport#enabled()}, with the scalar loop otherwise. {@link SimdCount} is only
 * loaded when selected here.
 */
final class ValidateSimd {
    /** Whether the SIMD counts can run in this JVM (see {@link VectorSupport}). */
    static final boolean AVAILABLE = VectorSupport.enabled();
    private static volatile boolean enabled = AVAILABLE;

    private ValidateSimd() {
    }

    /** True if the SIMD counts handle groups of {@code m} (without loading them). */
    static boolean supports(int m) {
        return m == 2 || m == 4;
    }

    /** Returns whether the SIMD counts are used. */
    static boolean enabled() {
        return enabled;
    }

    /**
     * Selects the SIMD ({@code true}) or the scalar counts, for tests that compare both in one JVM.
     *
     * @param simd whether to use the SIMD counts
     * @return the previous selection
     * @throws IllegalStateException if {@code simd} is true and the SIMD counts are not available
     */
    static boolean use(boolean simd) {
        if (simd && !AVAILABLE) {
            throw new IllegalStateException("SIMD validation is not available: " + VectorSupport.describe());
        }
        boolean was = enabled;
        enabled = simd;
        return was;
    }
}
