package org.sparsity4j.cusparselt;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.sparsity4j.cusparselt.gen.global.cusparseLt;

import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;

/**
 * The one place that loads the native side: bytedeco's CUDA runtime bindings, cuSPARSELt and the
 * JNI glue generated for it.
 *
 * <p>Search order, first match wins for each piece:
 * <ol>
 *   <li>The JNI glue {@code libjniCusparseLt.so}: the directory named by the system property
 *       {@code sparsity.cusparselt.jniDir}, else by the environment variable
 *       {@code SPARSITY_CUSPARSELT_JNI_DIR}; then JavaCPP's own search (class-path resources under
 *       {@code org/sparsity4j/cusparselt/gen/global/linux-x86_64/}, then {@code java.library.path}).</li>
 *   <li>{@code libcusparseLt.so.0}: {@code <home>/lib}, where home is the system property
 *       {@code sparsity.cusparselt.home}, else the environment variable {@code CUSPARSELT_HOME}
 *       (the Python wheel's {@code nvidia/cusparselt} folder has this layout); then the run path
 *       recorded in the glue when it was built, then the system linker's search path.</li>
 *   <li>The CUDA runtime ({@code libcudart.so.13}) and cuBLAS: the system linker's search path, as
 *       bytedeco's presets expect.</li>
 * </ol>
 * Loading happens once; the outcome, success or the reason for failure, is remembered.
 */
final class NativeLibrary {

    private static final Object LOCK = new Object();
    private static volatile Outcome outcome;

    private NativeLibrary() {
    }

    /** Outcome of the single load attempt. */
    private record Outcome(boolean loaded, String reason, int deviceCount) {
    }

    /** Loads everything once; never throws. */
    private static Outcome outcome() {
        Outcome o = outcome;
        if (o != null) {
            return o;
        }
        synchronized (LOCK) {
            if (outcome == null) {
                outcome = attempt();
            }
            return outcome;
        }
    }

    private static Outcome attempt() {
        try {
            List<String> paths = new ArrayList<>();
            String jniDir = setting("sparsity.cusparselt.jniDir", "SPARSITY_CUSPARSELT_JNI_DIR");
            if (jniDir != null) {
                paths.add(jniDir);
            }
            String home = setting("sparsity.cusparselt.home", "CUSPARSELT_HOME");
            if (home != null) {
                paths.add(home + File.separator + "lib");
            }
            if (!paths.isEmpty()) {
                String key = "org.bytedeco.javacpp.platform.preloadpath";
                String existing = System.getProperty(key);
                String joined = String.join(File.pathSeparator, paths);
                System.setProperty(key, existing == null || existing.isEmpty()
                        ? joined : joined + File.pathSeparator + existing);
            }
            String loaded = Loader.load(cusparseLt.class);
            if (loaded == null) {
                return new Outcome(false, "JavaCPP did not load libraries (org.bytedeco.javacpp.loadLibraries=false)", 0);
            }
            int[] count = new int[1];
            try (IntPointer p = new IntPointer(1)) {
                int status = cudaGetDeviceCount(p);
                count[0] = p.get();
                if (status != 0) {
                    return new Outcome(false, "cudaGetDeviceCount failed: " + Status.cudaErrorName(status), 0);
                }
            }
            if (count[0] <= 0) {
                return new Outcome(false, "no CUDA device present", 0);
            }
            return new Outcome(true, null, count[0]);
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return new Outcome(false, "cannot load cuSPARSELt bindings: " + root, 0);
        }
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v;
    }

    /** Whether the library, its glue and a CUDA device are all usable. Never throws. */
    static boolean isAvailable() {
        return outcome().loaded();
    }

    /** Why the library is unavailable, or null when it is available. Never throws. */
    static String unavailableReason() {
        return outcome().reason();
    }

    /** Number of CUDA devices seen at load time (0 when unavailable). */
    static int deviceCount() {
        return outcome().deviceCount();
    }

    /**
     * Ensures the native side is usable.
     *
     * @throws IllegalStateException naming the reason when it is not
     */
    static void require() {
        Outcome o = outcome();
        if (!o.loaded()) {
            throw new IllegalStateException("cuSPARSELt is not available: " + o.reason());
        }
    }
}
