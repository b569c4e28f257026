package org.sparsity4j.cusparselt;

/** Which input of {@code D = alpha op(A) op(B) + beta C} carries the 2:4 structure. */
public enum Operand {
    /** A is structured (the usual weight-times-activation case). */
    A,
    /** B is structured. */
    B
}
