package org.sparsity4j.core.compress;

/**
 * Decides whether {@link SparseCompressor} uses its Vector API kernels ({@link VectorKernels}). They
 * run only when the running JVM has the incubating module {@code jdk.incubator.vector} (started with
 * {@code --add-modules jdk.incubator.vector}) and the system property {@code sparsity.simd} is not
 * {@code false}. This class never touches a vector type, so that it links without the module.
 */
final class SimdSwitch {
    /** True if the module is present in the running JVM. */
    static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** The current choice; starts as module present and {@code sparsity.simd} not {@code false}. */
    private static volatile boolean enabled = AVAILABLE
            && !"false".equalsIgnoreCase(System.getProperty("sparsity.simd", "true").trim());

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
            throw new IllegalStateException("the jdk.incubator.vector module is not present in this JVM");
        }
        boolean previous = enabled;
        enabled = on;
        return previous;
    }
}
