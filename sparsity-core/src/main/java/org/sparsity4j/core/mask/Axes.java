package org.sparsity4j.core.mask;

import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;

/** Argument checks shared by the maskers, with messages naming shape and axis. */
final class Axes {
    private Axes() {
    }

    /** Normalizes {@code axis} and checks that its length is a positive multiple of M. */
    static int checkGrouped(Shape shape, int axis, SparsityPattern pattern) {
        int a = shape.normalizeAxis(axis);
        long len = shape.dim(a);
        if (len % pattern.m() != 0) {
            throw new IllegalArgumentException("axis " + axis + " of shape " + shape + " has length " + len
                    + ", not a multiple of M=" + pattern.m() + " (pattern " + pattern + ")");
        }
        return a;
    }

    /** Normalizes the second axis of a tile and checks it differs from the first. */
    static int checkOther(Shape shape, int reductionAxis, int otherAxis) {
        int o = shape.normalizeAxis(otherAxis);
        if (o == reductionAxis) {
            throw new IllegalArgumentException("tile axes must differ, both are " + o + " for shape " + shape);
        }
        return o;
    }
}
