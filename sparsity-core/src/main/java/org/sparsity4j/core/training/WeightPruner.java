package org.sparsity4j.core.training;

import java.util.Objects;
import org.sparsity4j.core.mask.Mask;
import org.sparsity4j.core.mask.StripMasker;
import org.sparsity4j.core.mask.TileMasker;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/**
 * Decides whether one weight can be pruned under the given options and computes its mask with the
 * core maskers. Framework integrations find the weights and their axes; this class does the rest.
 */
public final class WeightPruner {
    private WeightPruner() {
    }

    /**
     * The result of pruning one candidate.
     *
     * @param mask the mask, or null when the weight was skipped
     * @param entry the report entry
     */
    public record Outcome(ParameterMask mask, PruneReport.Entry entry) {
        /**
         * Whether the weight was pruned.
         *
         * @return true when a mask was made
         */
        public boolean pruned() {
            return mask != null;
        }
    }

    /**
     * Why a weight cannot be pruned, judged from its name, layer type and shape alone.
     *
     * @param name parameter name
     * @param layer layer type or consuming op (matched by {@link PruneOptions#excludingLayers})
     * @param shape weight shape
     * @param axis reduction axis (the axis the weight is summed over when it multiplies an input)
     * @param options prune options
     * @return the reason, or null when it can be pruned
     */
    public static String skipReason(String name, String layer, Shape shape, int axis, PruneOptions options) {
        String rule = options.exclusionFor(name);
        if (rule != null) {
            return "excluded by name rule '" + rule + "'";
        }
        String layerRule = options.layerExclusionFor(layer);
        if (layerRule != null) {
            return "excluded by layer rule '" + layerRule + "'";
        }
        if (shape.size() < options.minElements()) {
            return shape.size() + " elements, below the minimum of " + options.minElements();
        }
        if (axis < 0 || axis >= shape.rank()) {
            return "reduction axis " + axis + " is outside shape " + shape;
        }
        int m = options.pattern().m();
        if (shape.dim(axis) % m != 0) {
            return "reduction axis " + axis + " has length " + shape.dim(axis) + ", not a multiple of " + m;
        }
        return null;
    }

    /**
     * Computes the mask of a weight and zeroes its pruned positions in {@code values}.
     *
     * @param name parameter name
     * @param layer layer type or consuming op, for the report
     * @param values the weight, row-major; pruned positions are set to 0 in place
     * @param shape weight shape
     * @param axis reduction axis
     * @param otherAxis for tile masks the output axis of a matrix-product weight (rank 2, or the matrices
     *     of a batched weight [.., K, N]), -1 for weights without one (convolutions); ignored for strip
     *     masks
     * @param options prune options
     * @return the mask and report entry, or only a report entry when skipped
     */
    public static Outcome prune(String name, String layer, float[] values, Shape shape, int axis, int otherAxis,
            PruneOptions options) {
        Objects.requireNonNull(values, "values");
        if (values.length != shape.size()) {
            throw new IllegalArgumentException("weight '" + name + "': " + values.length
                    + " values for shape " + shape);
        }
        String reason = skipReason(name, layer, shape, axis, options);
        if (reason != null) {
            return new Outcome(null, PruneReport.Entry.skipped(name, layer, shape, reason));
        }
        Tensor t = Tensor.ofFloats(values, shape.dims());
        boolean tile = options.tileMasks() && otherAxis >= 0 && otherAxis != axis && shape.dim(otherAxis) % 4 == 0;
        String note = "";
        if (options.tileMasks() && !tile) {
            note = otherAxis < 0 || otherAxis == axis ? " (tile masks need a matrix-product weight)"
                    : " (tile masks need the other axis to be a multiple of 4)";
        }
        Mask mask = tile
                ? TileMasker.twoOfFour().compute(t, axis, otherAxis)
                : StripMasker.of(options.pattern()).compute(t, axis);
        double retained = mask.stats().retainedMagnitude();
        mask.applyInPlace(t);
        ParameterMask pm = ParameterMask.of(name, mask);
        String detail = tile ? "2:4 tile, axes " + axis + "," + otherAxis
                : options.pattern() + " strip along axis " + axis + note;
        return new Outcome(pm, new PruneReport.Entry(name, layer, shape, true, detail, retained));
    }
}
