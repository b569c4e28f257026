package org.sparsity4j.core.simd;

import jdk.incubator.vector.IntVector;

/**
 * The hardware's preferred vector size. Kept apart from {@link VectorSupport} so that it is only
 * loaded after the module {@code jdk.incubator.vector} was found.
 */
final class VectorWidth {
    private VectorWidth() {
    }

    /** Returns the preferred vector size in bits. */
    static int preferredBits() {
        return IntVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
