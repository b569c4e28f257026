package org.sparsity4j.core.mask;

import org.sparsity4j.core.tensor.ElementType;

/** Key → magnitude conversion for the statistics, one table per narrow type. */
final class Magnitudes {
    private static final float[][] TABLES = new float[ElementType.values().length][];

    static {
        for (ElementType t : ElementType.values()) {
            if (t != ElementType.FP32) {
                float[] table = new float[t.maxMagnitudeKey() + 1];
                for (int k = 0; k < table.length; k++) {
                    double m = t.magnitudeOfKey(k);
                    // non-finite keys contribute nothing to the sums; they are counted separately
                    table[k] = Double.isFinite(m) ? (float) m : Float.NaN;
                }
                TABLES[t.ordinal()] = table;
            }
        }
    }

    private Magnitudes() {
    }

    /**
     * Returns a table from key to magnitude, with NaN for non-finite keys; null for FP32, whose
     * key is itself the float bits of the magnitude.
     */
    static float[] table(ElementType type) {
        return TABLES[type.ordinal()];
    }

    /** Returns the magnitude of a key, or NaN if the element is NaN or infinite. */
    static float of(float[] table, int key) {
        if (table != null) {
            return table[key];
        }
        return key >= 0x7F80_0000 ? Float.NaN : Float.intBitsToFloat(key);
    }
}
