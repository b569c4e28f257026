package org.sparsity4j.core.nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterMask;

/**
 * A SameDiff training listener that holds N:M masks through {@code fit} for any updater.
 *
 * <p>SameDiff calls {@link #preUpdate} for each trainable variable after its updater turned the gradient
 * into an update (and regularization was applied) and just before the update is subtracted from the
 * weight. For a masked variable this listener then (1) sets the update to zero at pruned positions, so
 * the pruned positions of the weight stay exactly zero (by selection, not by multiplying with the mask:
 * an infinite or NaN update there becomes zero too), and (2) does the same to every state array of the
 * variable's updater (momentum for Nesterovs, first and second moments for Adam, ...), so
 * no gradient that reached a pruned position survives into the next step. Because the built-in updaters
 * are element-wise, this is the same as masking the gradient before the updater: kept positions follow
 * exactly the trajectory they would with a masked gradient.
 *
 * <p>Add it with {@code sd.addListeners(MaskEnforcer.of(sd, masks))} or pass it to {@code fit}.
 */
public final class MaskEnforcer extends BaseListener {
    private final SameDiff owner;
    private final MaskSet masks;
    private final Map<String, INDArray> arrays = new HashMap<>();
    private final AtomicLong maskedUpdates = new AtomicLong();
    private final AtomicLong clearedStates = new AtomicLong();

    private MaskEnforcer(SameDiff owner, MaskSet masks) {
        this.owner = Objects.requireNonNull(owner, "sd");
        this.masks = Objects.requireNonNull(masks, "masks");
    }

    /**
     * A listener that enforces the masks on a graph. Checks that every mask names a variable of the
     * graph with the mask's shape, and zeroes the pruned positions once.
     *
     * @param sd the graph that will be trained (its updater state is the one masked)
     * @param masks masks by variable name
     * @return the listener
     * @throws IllegalArgumentException when a mask does not match the graph
     */
    public static MaskEnforcer of(SameDiff sd, MaskSet masks) {
        SameDiffSparsity.applyMasks(sd, masks);
        return new MaskEnforcer(sd, masks);
    }

    /**
     * The masks enforced.
     *
     * @return masks
     */
    public MaskSet masks() {
        return masks;
    }

    /**
     * Number of masked variable updates so far.
     *
     * @return the count
     */
    public long maskedUpdates() {
        return maskedUpdates.get();
    }

    /**
     * Number of updater state arrays masked so far.
     *
     * @return the count
     */
    public long maskedStateArrays() {
        return clearedStates.get();
    }

    /**
     * Active during training only.
     *
     * @param operation the operation
     * @return true for training
     */
    @Override
    public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
    }

    /**
     * Masks the update and the variable's updater state.
     *
     * @param sd the graph executing the step (SameDiff passes its gradient function here; the updater
     *     state is taken from the graph given to {@link #of})
     * @param at where training is
     * @param v the variable about to be updated
     * @param update the update that will be subtracted from the variable
     */
    @Override
    public synchronized void preUpdate(SameDiff sd, At at, Variable v, INDArray update) {
        ParameterMask mask = masks.get(v.getName());
        if (mask == null) {
            return;
        }
        INDArray m = prunedFor(mask);
        if (update.length() != mask.size()) {
            throw new IllegalStateException("update of '" + v.getName() + "' has " + update.length()
                    + " elements but its mask has shape " + mask.shape());
        }
        SameDiffSparsity.zeroPruned(update, m);
        @SuppressWarnings("rawtypes") // SameDiff declares its updater map with the raw type
        Map<String, GradientUpdater> updaters = owner.getUpdaterMap();
        GradientUpdater<?> updater = updaters == null ? null : updaters.get(v.getName());
        if (updater != null && updater.getState() != null) {
            for (INDArray state : updater.getState().values()) {
                if (state != null && state.length() == mask.size()) {
                    SameDiffSparsity.zeroPruned(state, m);
                    clearedStates.incrementAndGet();
                }
            }
        }
        maskedUpdates.incrementAndGet();
    }

    /** The pruned positions of a parameter as a boolean array of its shape (true = pruned), made once. */
    private INDArray prunedFor(ParameterMask mask) {
        return arrays.computeIfAbsent(mask.name(), k -> SameDiffSparsity.prunedArray(mask));
    }
}
