package org.sparsity4j.cusparselt;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** GPU test gate: skip without cuSPARSELt and a device, fail instead when sparsity.requireGpu=true. */
final class Gpu {

    private Gpu() {
    }

    /** Prints a timestamped progress line immediately (the GPU run's log shows where time goes). */
    static void progress(String what) {
        System.out.println(java.time.Instant.now() + " " + what);
        System.out.flush();
    }

    static void require() {
        if (CusparseLt.isAvailable()) {
            return;
        }
        String why = CusparseLt.unavailableReason();
        if (Boolean.getBoolean("sparsity.requireGpu")) {
            fail("sparsity.requireGpu=true but cuSPARSELt is unavailable: " + why);
        }
        assumeTrue(false, "cuSPARSELt unavailable: " + why);
    }
}
