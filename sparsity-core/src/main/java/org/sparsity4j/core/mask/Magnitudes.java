package org.sparsity4j.core.mask;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.sparsity4j.core.tensor.ElementType;

/**
 * Key → magnitude conversion for the statistics, one table per narrow type, each built on its first
 * use (an FP32 model never builds the FP16 and BF16 tables, 31 746 and 32 642 entries).
 */
final class Magnitudes {
    private static final AtomicReferenceArray<float[]> TABLES = new AtomicReferenceArray<>(ElementType.values().length);

    private Magnitudes() {
    }

    /**
     * Returns a table from key to magnitude, with NaN for non-finite keys; null for FP32, whose
     * key is itself the float bits of the magnitude.
     */
    static float[] table(ElementType type) {
        if (type == ElementType.FP32) {
            return null;
        }
        float[] table = TABLES.get(type.ordinal());
        if (table == null) {
            table = build(type);
            // threads racing here build equal tables; all of them return the first one stored
            if (!TABLES.compareAndSet(type.ordinal(), null, table)) {
                table = TABLES.get(type.ordinal());
            }
        }
        return table;
    }

    private static float[] build(ElementType t) {
        float[] table = new float[t.maxMagnitudeKey() + 1];
        for (int k = 0; k < table.length; k++) {
            double m = t.magnitudeOfKey(k);
            // non-finite keys contribute nothing to the sums; they are counted separately
            table[k] = Double.isFinite(m) ? (float) m : Float.NaN;
        }
        return table;
    }

    /** Returns the magnitude of a key, or NaN if the element is NaN or infinite. */
    static float of(float[] table, int key) {
        if (table != null) {
            return table[key];
        }
        return key >= 0x7F80_0000 ? Float.NaN : Float.intBitsToFloat(key);
    }
}
