package org.sparsity4j.core.validate;

/**
 * Selects how {@link Validator} counts non-zeros: with {@link SimdCount} when the running JVM has
 * the incubating {@code jdk.incubator.vector} module, its preferred vectors are at least 256 bits
 * wide, and the system property {@code sparsity.simd} is not {@code false}; with the scalar loop
 * otherwise. {@link SimdCount} is only loaded when selected here.
 */
final class ValidateSimd {
    /** Whether the SIMD counts can run in this JVM. */
    static final boolean AVAILABLE = detect();
    private static volatile boolean enabled = AVAILABLE;

    private ValidateSimd() {
    }

    private static boolean detect() {
        if ("false".equalsIgnoreCase(System.getProperty("sparsity.simd", "true").trim())) {
            return false;
        }
        if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            return false;
        }
        try {
            return SimdCount.hardwareFits();
        } catch (LinkageError e) {
            return false;
        }
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
            throw new IllegalStateException("SIMD validation is not available in this JVM (needs "
                    + "--add-modules jdk.incubator.vector, 256-bit vectors, and sparsity.simd not false)");
        }
        boolean was = enabled;
        enabled = simd;
        return was;
    }
}
