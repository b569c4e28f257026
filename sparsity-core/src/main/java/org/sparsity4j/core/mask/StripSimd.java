package org.sparsity4j.core.mask;

/**
 * Selects the strip kernels: the SIMD kernels of {@link SimdStrip} when the running JVM has the
 * incubating {@code jdk.incubator.vector} module (started with
 * {@code --add-modules jdk.incubator.vector}), its preferred vectors are at least 256 bits wide,
 * and the system property {@code sparsity.simd} is not {@code false}; the scalar kernels of
 * {@link FusedStrip} otherwise. {@link SimdStrip} is only loaded when selected here.
 */
final class StripSimd {
    /** Whether the SIMD kernels can run in this JVM (module present, wide vectors, not turned off). */
    static final boolean AVAILABLE = detect();
    private static volatile boolean enabled = AVAILABLE;

    private StripSimd() {
    }

    private static boolean detect() {
        if ("false".equalsIgnoreCase(System.getProperty("sparsity.simd", "true").trim())) {
            return false;
        }
        if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            return false;
        }
        try {
            return SimdStrip.hardwareFits();
        } catch (LinkageError e) {
            return false;
        }
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
            throw new IllegalStateException("SIMD strip kernels are not available in this JVM (needs "
                    + "--add-modules jdk.incubator.vector, 256-bit vectors, and sparsity.simd not false)");
        }
        boolean was = enabled;
        enabled = simd;
        return was;
    }
}
