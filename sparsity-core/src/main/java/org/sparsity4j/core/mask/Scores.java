package org.sparsity4j.core.mask;

import java.util.Arrays;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Tensor;

/** Checks on caller-supplied score tensors. */
final class Scores {
    private Scores() {
    }

    static void check(Tensor weights, Tensor scores) {
        if (scores.type() != ElementType.FP32) {
            throw new IllegalArgumentException("scores must be FP32, got " + scores.type());
        }
        if (!scores.shape().equals(weights.shape())) {
            throw new IllegalArgumentException("scores have shape " + scores.shape() + " but the weights have shape "
                    + weights.shape());
        }
        for (int i = 0; i < scores.size(); i++) {
            int bits = scores.bits(i);
            float v = Float.intBitsToFloat(bits);
            if (!(v >= 0) || Float.isInfinite(v)) {
                throw new IllegalArgumentException("score " + v + " at " + Arrays.toString(scores.shape().coordinates(i))
                        + " of shape " + scores.shape() + " is not finite and non-negative");
            }
        }
    }
}
