package org.sparsity4j.core.simd;

/**
 * Reports whether this library's SIMD kernels are used in the running JVM, and why not.
 *
 * <p>The kernels are used when all of these hold, checked once when this class is initialised:
 * <ol>
 *   <li>the system property {@code sparsity.simd} is not {@code false} (any case);</li>
 *   <li>the module {@code jdk.incubator.vector} is in the boot layer (the JVM was started with
 *       {@code --add-modules jdk.incubator.vector}; the JVM then prints a one-line warning that an
 *       incubator module is in use);</li>
 *   <li>the preferred vector size of the hardware is at least 256 bits (AVX2 and wider; the
 *       kernels use 256-bit vectors, which narrower hardware would only emulate, slowly).</li>
 * </ol>
 * Results never depend on the choice: the SIMD and scalar kernels produce identical masks, bytes
 * and reports.
 */
public final class VectorSupport {
    private static final String PROPERTY = "sparsity.simd";
    private static final String MODULE = "jdk.incubator.vector";
    private static final String REASON = detect();

    private VectorSupport() {
    }

    /**
     * Returns whether the SIMD kernels are used in this JVM.
     *
     * @return true if the SIMD kernels are used
     */
    public static boolean enabled() {
        return REASON == null;
    }

    /**
     * Returns a one-line description of the choice, for logs and version output: either
     * {@code "SIMD kernels on (jdk.incubator.vector, 256-bit)"} or {@code "SIMD kernels off: "}
     * followed by the reason.
     *
     * @return the description
     */
    public static String describe() {
        return REASON == null ? "SIMD kernels on (" + MODULE + ", 256-bit)" : "SIMD kernels off: " + REASON;
    }

    private static String detect() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim())) {
            return "-D" + PROPERTY + "=false";
        }
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return "module " + MODULE + " not present (start the JVM with --add-modules " + MODULE + ")";
        }
        try {
            int bits = VectorWidth.preferredBits();
            return bits >= 256 ? null : "preferred vector size is " + bits + " bits, the kernels need 256";
        } catch (LinkageError e) {
            return "module " + MODULE + " unusable: " + e;
        }
    }
}
