package org.sparsity4j.core.pattern;

import java.util.Objects;
import org.sparsity4j.core.tensor.ElementType;

/**
 * An N:M structured-sparsity pattern: at most {@code n} non-zeros in every group of {@code m}
 * consecutive elements along the reduction axis.
 *
 * <p>Only two patterns are accelerated by NVIDIA sparse tensor cores (Ampere, Hopper):
 * {@link #TWO_OF_FOUR} for 16- and 8-bit types and {@link #ONE_OF_TWO} for FP32/TF32. Any other
 * N:M (4:8, 1:4, ...) is supported for masking and validation, but is not hardware-accelerated.
 */
public final class SparsityPattern {
    /** 2:4, the hardware pattern for FP16, BF16, INT8 and FP8. */
    public static final SparsityPattern TWO_OF_FOUR = new SparsityPattern(2, 4);
    /** 1:2, the hardware pattern for FP32 (TF32 sparse tensor cores). */
    public static final SparsityPattern ONE_OF_TWO = new SparsityPattern(1, 2);

    /** Largest group size accepted (masks use a per-group rank computation of cost m²). */
    public static final int MAX_M = 64;

    private final int n;
    private final int m;

    private SparsityPattern(int n, int m) {
        this.n = n;
        this.m = m;
    }

    /**
     * Returns the pattern keeping at most {@code n} of every {@code m}.
     *
     * @param n kept per group, {@code 1 <= n < m}
     * @param m group size, {@code 2 <= m <= MAX_M}
     * @return the pattern
     * @throws IllegalArgumentException if the numbers are out of range
     */
    public static SparsityPattern of(int n, int m) {
        if (m < 2 || m > MAX_M || n < 1 || n >= m) {
            throw new IllegalArgumentException("pattern " + n + ":" + m
                    + " is invalid: need 1 <= N < M <= " + MAX_M);
        }
        if (n == 2 && m == 4) {
            return TWO_OF_FOUR;
        }
        if (n == 1 && m == 2) {
            return ONE_OF_TWO;
        }
        return new SparsityPattern(n, m);
    }

    /**
     * Parses {@code "N:M"} (for example {@code "2:4"}).
     *
     * @param text the pattern
     * @return the pattern
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static SparsityPattern parse(String text) {
        String[] parts = Objects.requireNonNull(text, "text").trim().split(":", -1); // keeps trailing empty parts
        if (parts.length != 2) {
            throw new IllegalArgumentException("pattern '" + text + "' is not of the form N:M");
        }
        String n = parts[0].trim();
        String m = parts[1].trim();
        // digits only: Integer.parseInt would also take a sign ("+2:4")
        if (!n.matches("[0-9]+") || !m.matches("[0-9]+")) {
            throw new IllegalArgumentException("pattern '" + text + "' is not of the form N:M");
        }
        try {
            return of(Integer.parseInt(n), Integer.parseInt(m));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pattern '" + text + "' is not of the form N:M", e);
        }
    }

    /**
     * Returns the hardware-accelerated pattern for an element type (1:2 for FP32, else 2:4).
     *
     * @param type the element type
     * @return the pattern
     */
    public static SparsityPattern hardwarePattern(ElementType type) {
        return type.hardwarePattern();
    }

    /** Returns N, the number of elements kept per group. */
    public int n() {
        return n;
    }

    /** Returns M, the group size. */
    public int m() {
        return m;
    }

    /** Returns true for 2:4 and 1:2, the patterns sparse tensor cores accelerate for some type. */
    public boolean isHardwareAccelerated() {
        return this == TWO_OF_FOUR || this == ONE_OF_TWO;
    }

    /**
     * Returns true if sparse tensor cores accelerate this pattern for the given element type.
     *
     * @param type the element type
     * @return whether the pair is hardware-accelerated
     */
    public boolean isHardwareAcceleratedFor(ElementType type) {
        return equals(type.hardwarePattern());
    }

    /**
     * Checks that sparse tensor cores accelerate this pattern for {@code type}.
     *
     * @param type the element type the hardware will run
     * @return this pattern
     * @throws IllegalArgumentException naming the legal pattern if this one is not
     */
    public SparsityPattern requireHardwareSupport(ElementType type) {
        if (!isHardwareAcceleratedFor(type)) {
            throw new IllegalArgumentException("pattern " + this + " is not accelerated by sparse tensor cores for "
                    + type + "; the hardware pattern for " + type + " is " + type.hardwarePattern());
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparsityPattern && ((SparsityPattern) o).n == n && ((SparsityPattern) o).m == m;
    }

    @Override
    public int hashCode() {
        return n * 31 + m;
    }

    /** Returns {@code "N:M"}. */
    @Override
    public String toString() {
        return n + ":" + m;
    }
}
