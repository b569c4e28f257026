package org.sparsity4j.core.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.optimizer.Optimizer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.sparsity4j.core.training.ParameterMask;

/**
 * An optimizer that holds N:M masks through training by wrapping another DJL optimizer.
 *
 * <p>For a masked parameter each update step (1) zeroes the gradient at pruned positions (by
 * selection, so an infinite or NaN gradient there becomes zero as well) before the wrapped
 * optimizer sees it, so its state (momentum buffers, Adam's first and second moments) never
 * receives anything at a pruned position and weight decay acts on zeros there; (2) lets the wrapped
 * optimizer update the weight; (3) zeroes the weight at pruned positions again. Step (3) changes nothing when the
 * wrapped optimizer's state is clean; when it was not (for example an optimizer that already trained
 * the dense model carries momentum at positions that are now pruned), it is what keeps those positions
 * at exactly zero, and {@link #leakedPositions()} counts how many positions it had to re-zero.
 * Unmasked parameters are passed through unchanged.
 *
 * <p>Created by {@link DjlSparsity#maskedOptimizer}. Holds the masks as arrays on each device it sees;
 * {@link #close()} frees them (idempotent); an update after close throws {@link IllegalStateException}.
 */
public final class MaskedOptimizer extends Optimizer implements AutoCloseable {
    private final Optimizer delegate;
    private final Map<String, ParameterMask> masksById;
    private final Map<String, Map<Device, NDArray>> arrays = new HashMap<>();
    private final Map<Device, NDManager> managers = new HashMap<>();
    private final AtomicLong leaked = new AtomicLong();
    private final AtomicLong maskedUpdates = new AtomicLong();
    private boolean closed;

    MaskedOptimizer(Optimizer delegate, Map<String, ParameterMask> masksById) {
        super(new Builder());
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.masksById = Map.copyOf(masksById);
    }

    /**
     * The wrapped optimizer.
     *
     * @return the delegate
     */
    public Optimizer delegate() {
        return delegate;
    }

    /**
     * How many pruned positions the wrapped optimizer made non-zero (and this wrapper re-zeroed) so far.
     * Zero when the wrapped optimizer started fine-tuning with clean state and its update of a zero
     * gradient is zero; not always so in FP16, where an optimizer's own arithmetic (Adam's epsilon,
     * for one, rounds to 0) can turn a zero gradient into NaN: those positions are re-zeroed too.
     *
     * @return the count over all steps and parameters
     */
    public long leakedPositions() {
        return leaked.get();
    }

    /**
     * How many masked parameter updates ran.
     *
     * @return the count
     */
    public long maskedUpdates() {
        return maskedUpdates.get();
    }

    /**
     * Masks the gradient, delegates the update, re-applies the mask.
     *
     * @param parameterId the parameter's id
     * @param weight the weight, updated in place
     * @param grad its gradient
     */
    @Override
    public synchronized void update(String parameterId, NDArray weight, NDArray grad) {
        if (closed) {
            throw new IllegalStateException("MaskedOptimizer is closed");
        }
        ParameterMask mask = masksById.get(parameterId);
        if (mask == null) {
            delegate.update(parameterId, weight, grad);
            return;
        }
        NDArray keep = keepArray(parameterId, mask, weight);
        // select, not multiply: an infinite or NaN gradient times a zero of the mask would be NaN
        try (NDArray zeros = grad.zerosLike(); NDArray maskedGrad = NDArrays.where(keep, grad, zeros)) {
            delegate.update(parameterId, weight, maskedGrad);
        }
        try (NDArray zeros = weight.zerosLike(); NDArray prunedValues = NDArrays.where(keep, zeros, weight);
                NDArray nonZero = prunedValues.countNonzero()) {
            long n;
            if (nonZero.getDataType() == DataType.INT64) {
                n = nonZero.getLong();
            } else {
                try (NDArray asDouble = nonZero.toType(DataType.FLOAT64, false)) {
                    n = (long) asDouble.getDouble();
                }
            }
            if (n != 0) { // NaN counts as non-zero
                leaked.addAndGet(n);
                try (NDArray fixed = NDArrays.where(keep, weight, zeros)) {
                    fixed.copyTo(weight);
                }
            }
        }
        maskedUpdates.incrementAndGet();
    }

    /** The mask as a boolean array (true = kept) on the weight's device, made once per parameter and device. */
    private NDArray keepArray(String id, ParameterMask mask, NDArray weight) {
        Map<Device, NDArray> perDevice = arrays.computeIfAbsent(id, k -> new HashMap<>());
        NDArray cached = perDevice.get(weight.getDevice());
        if (cached != null) {
            return cached;
        }
        if (!java.util.Arrays.equals(weight.getShape().getShape(), mask.shape().dims())) {
            throw new IllegalArgumentException("parameter '" + mask.name() + "' has shape " + weight.getShape()
                    + " but its mask has shape " + mask.shape());
        }
        NDManager manager = managers.computeIfAbsent(weight.getDevice(),
                d -> weight.getManager().getEngine().newBaseManager(d));
        NDArray created;
        try (NDArray floats = manager.create(mask.toFloats(), weight.getShape())) {
            created = floats.toType(DataType.BOOLEAN, false);
        }
        perDevice.put(weight.getDevice(), created);
        return created;
    }

    /** Frees the mask arrays. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (NDManager m : managers.values()) {
            m.close();
        }
        managers.clear();
        arrays.clear();
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
