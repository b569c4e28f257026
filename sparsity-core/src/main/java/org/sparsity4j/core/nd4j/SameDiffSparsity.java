package org.sparsity4j.core.nd4j;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv1D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.shape.Transpose;
import org.nd4j.linalg.api.ops.impl.transforms.custom.XwPlusB;
import org.nd4j.linalg.factory.Nd4j;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterCheck;
import org.sparsity4j.core.training.ParameterMask;
import org.sparsity4j.core.training.PruneOptions;
import org.sparsity4j.core.training.PruneReport;
import org.sparsity4j.core.training.VerificationReport;
import org.sparsity4j.core.training.WeightPruner;

/**
 * Prune, hold, save, verify and export N:M masks of a SameDiff graph.
 *
 * <p>Typical use: train dense with {@code sd.fit}; {@code SameDiffPruneResult r = SameDiffSparsity.prune(sd,
 * options)}; {@code sd.addListeners(MaskEnforcer.of(sd, r.masks()))} and fine-tune with {@code sd.fit};
 * {@link #save} to checkpoint with masks; {@link #export} at the end.
 */
public final class SameDiffSparsity {
    /** Suffix appended to the model file's name for its mask file. */
    public static final String MASK_FILE_SUFFIX = ".s4jmasks";

    private SameDiffSparsity() {
    }

    /**
     * Trainable variables that feed a matrix multiply, linear or convolution op, with their reduction
     * axes, in the order the ops were added. A matrix-multiply operand may also be a {@code transpose}
     * or {@code permute} of a variable (one step, the permutation given as the op's non-negative
     * arguments); the variable's axis is the one the permutation moves to the operand's K axis. Other
     * computed operands (a reshape, a cast, a transpose whose permutation is another variable, a
     * permute with a negative axis, which ND4J runs as the identity) are not followed and not listed.
     * A matrix-product weight carries its N axis as {@link SameDiffWeight#otherAxis()} for tile masks,
     * unless two uses name different N axes.
     *
     * @param sd the graph
     * @return the candidates; a variable used with two different axes carries a conflict
     */
    public static List<SameDiffWeight> candidates(SameDiff sd) {
        Objects.requireNonNull(sd, "sd");
        Map<String, SameDiffWeight> found = new LinkedHashMap<>();
        for (SameDiffOp op : sd.getOps().values()) {
            DifferentialFunction f = op.getOp();
            List<String> inputs = op.getInputsToOp();
            if (inputs == null) {
                continue;
            }
            if (f instanceof Mmul) {
                Map<String, Object> props = f.propertiesForFunction();
                boolean ta = Boolean.TRUE.equals(props.get("transposeA"));
                boolean tb = Boolean.TRUE.equals(props.get("transposeB"));
                // C = op(A) op(B) over the last two axes (any leading axes are batch axes): A [.., M, K]
                // sums over its last axis (the one before when transposed), B [.., K, N] over the one
                // before its last (its last when transposed).
                offerMatmul(sd, found, inputs, 0, "Mmul a" + (ta ? " (transposed)" : ""), !ta);
                offerMatmul(sd, found, inputs, 1, "Mmul b" + (tb ? " (transposed)" : ""), tb);
            } else if (f instanceof XwPlusB xw) {
                int[] iArgs = toInts(xw.iArgs());
                boolean tb = iArgs.length > 1 && iArgs[1] != 0;
                offer(sd, found, inputs, 1, "linear (xw_plus_b) w" + (tb ? " (transposed)" : ""), tb ? 1 : 0,
                        tb ? 0 : 1);
            } else if (f instanceof Conv2D conv) {
                WeightsFormat wf = weightsFormat(conv);
                int axis = switch (wf) {
                    case YXIO -> 2; // [kH, kW, iC, oC]
                    case OIYX -> 1; // [oC, iC, kH, kW]
                    case OYXI -> 3; // [oC, kH, kW, iC]
                };
                offer(sd, found, inputs, 1, "conv2d " + wf, axis, -1);
            } else if (f instanceof Conv1D) {
                offer(sd, found, inputs, 1, "conv1d", 1, -1); // [kW, iC, oC]
            }
        }
        return new ArrayList<>(found.values());
    }

    /**
     * The weights layout a Conv2D op runs with: its integer argument 10 (0 = YXIO, 1 = OIYX,
     * 2 = OYXI), which is what ND4J executes; a graph loaded from a file can carry a config whose
     * weightsFormat field says otherwise (YXIO, the default). Without that argument, the config's,
     * else YXIO.
     */
    private static WeightsFormat weightsFormat(Conv2D conv) {
        long[] iArgs = conv.iArgs();
        if (iArgs != null && iArgs.length > 10 && iArgs[10] >= 0 && iArgs[10] <= 2) {
            return new WeightsFormat[] {WeightsFormat.YXIO, WeightsFormat.OIYX, WeightsFormat.OYXI}[(int) iArgs[10]];
        }
        return conv.getConfig() == null || conv.getConfig().getWeightsFormat() == null
                ? WeightsFormat.YXIO : conv.getConfig().getWeightsFormat();
    }

    /**
     * Offers a matrix-multiply operand of rank 2 or more: its reduction axis is the last one
     * ({@code kLast}) or the one before; leading axes index independent matrices. The other of the
     * two is its tile masks' second axis (tiles of each matrix of a batched weight). Operands of rank
     * below 2 are not weights of a matrix product.
     */
    private static void offerMatmul(SameDiff sd, Map<String, SameDiffWeight> found, List<String> inputs, int index,
            String layer, boolean kLast) {
        if (index >= inputs.size()) {
            return;
        }
        SDVariable v = sd.getVariable(inputs.get(index));
        if (v == null) {
            return;
        }
        int[] perm = null;
        if (v.getVariableType() == VariableType.ARRAY) {
            // the operand may be a transpose or permutation of a weight: follow it one step
            DifferentialFunction producer = sd.getVariableOutputOp(v.name());
            perm = producer instanceof Transpose ? permutation(sd, producer) : null;
            if (perm == null) {
                return;
            }
            v = sd.getVariable(sd.getOps().get(producer.getOwnName()).getInputsToOp().get(0));
            layer += " (through " + producer.opName() + " " + java.util.Arrays.toString(perm) + ")";
        }
        if (v.getVariableType() != VariableType.VARIABLE) {
            return;
        }
        long[] shape = shapeOf(v);
        if (shape == null || shape.length < 2 || (perm != null && perm.length != shape.length)) {
            return;
        }
        int r = shape.length;
        int axis = kLast ? r - 1 : r - 2;
        int otherAxis = kLast ? r - 2 : r - 1;
        if (perm != null) {
            // the operand's axis i is the weight's axis perm[i]
            axis = perm[axis];
            otherAxis = perm[otherAxis];
        }
        offer(sd, found, v.name(), layer, axis, otherAxis);
    }

    private static long[] shapeOf(SDVariable v) {
        long[] shape = v.getShape();
        if (shape == null && v.getArr() != null) {
            shape = v.getArr().shape();
        }
        return shape;
    }

    /**
     * The permutation of a {@code transpose} or {@code permute} op with one input whose shape is known
     * (output axis i is input axis perm[i]): its integer arguments, or for a plain transpose without
     * them the reversed axes; null when the permutation is not known (given as a second input), not a
     * permutation, or holds a negative axis (ND4J's SameDiff runs such a permute as the identity,
     * whatever the axes say, so following it would prune along an axis the product does not sum over).
     */
    private static int[] permutation(SameDiff sd, DifferentialFunction op) {
        List<String> in = sd.getOps().get(op.getOwnName()).getInputsToOp();
        if (in == null || in.size() != 1) {
            return null;
        }
        long[] shape = shapeOf(sd.getVariable(in.get(0)));
        if (shape == null) {
            return null;
        }
        int r = shape.length;
        int[] perm = toInts(op instanceof Transpose t ? t.iArgs() : null);
        if (perm.length == 0 && op.getClass() == Transpose.class) {
            perm = new int[r];
            for (int i = 0; i < r; i++) {
                perm[i] = r - 1 - i;
            }
        }
        if (perm.length != r) {
            return null;
        }
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int a = perm[i];
            if (a < 0 || a >= r || seen[a]) {
                return null;
            }
            seen[a] = true;
        }
        return perm;
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values == null ? 0 : values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    private static void offer(SameDiff sd, Map<String, SameDiffWeight> found, List<String> inputs, int index,
            String layer, int axis, int otherAxis) {
        if (index < inputs.size()) {
            offer(sd, found, inputs.get(index), layer, axis, otherAxis);
        }
    }

    private static void offer(SameDiff sd, Map<String, SameDiffWeight> found, String name, String layer, int axis,
            int otherAxis) {
        SDVariable v = sd.getVariable(name);
        if (v == null || v.getVariableType() != VariableType.VARIABLE) {
            return;
        }
        SameDiffWeight prev = found.get(name);
        if (prev == null) {
            found.put(name, new SameDiffWeight(name, layer, axis, otherAxis, null));
        } else if (prev.axis() == axis && prev.otherAxis() != otherAxis && prev.otherAxis() >= 0
                && prev.conflict() == null) {
            // the same reduction axis but another output axis (a batched weight used through a
            // permutation): a tile mask would be 2:4 along one use's backward reduction only, so the
            // weight gets a strip mask, valid for both uses
            found.put(name, new SameDiffWeight(name, prev.layer(), axis, -1, null));
        } else if (prev.axis() != axis && prev.conflict() == null) {
            found.put(name, new SameDiffWeight(name, prev.layer(), prev.axis(), prev.otherAxis(),
                    "used as " + prev.layer() + " (axis " + prev.axis() + ") and as " + layer + " (axis " + axis
                            + ")"));
        }
    }

    /**
     * Prunes every eligible variable found by {@link #candidates} in place.
     *
     * @param sd the graph, with its variables' arrays set
     * @param options pattern, mask kind and skip rules
     * @return the masks and the report
     */
    public static SameDiffPruneResult prune(SameDiff sd, PruneOptions options) {
        return prune(sd, options, Map.of());
    }

    /**
     * Prunes the found candidates and, in addition, the variables the caller names with their reduction
     * axes (a named axis overrides the one inferred from the graph).
     *
     * @param sd the graph
     * @param options pattern, mask kind and skip rules
     * @param namedAxes variable name to reduction axis
     * @return the masks and the report
     * @throws IllegalArgumentException when a named variable does not exist or is not trainable
     */
    public static SameDiffPruneResult prune(SameDiff sd, PruneOptions options, Map<String, Integer> namedAxes) {
        Objects.requireNonNull(options, "options");
        Map<String, SameDiffWeight> targets = new LinkedHashMap<>();
        for (SameDiffWeight w : candidates(sd)) {
            targets.put(w.name(), w);
        }
        for (Map.Entry<String, Integer> e : namedAxes.entrySet()) {
            SDVariable v = sd.getVariable(e.getKey());
            if (v == null || v.getVariableType() != VariableType.VARIABLE) {
                throw new IllegalArgumentException("'" + e.getKey() + "' is not a trainable variable of the graph"
                        + (v == null ? "" : " (it is a " + v.getVariableType() + ")"));
            }
            targets.put(e.getKey(), new SameDiffWeight(e.getKey(), "named", e.getValue(), -1, null));
        }
        List<ParameterMask> masks = new ArrayList<>();
        List<PruneReport.Entry> entries = new ArrayList<>();
        for (SameDiffWeight w : targets.values()) {
            INDArray arr = requireArray(sd, w.name());
            Shape shape = Shape.of(arr.shape());
            if (w.conflict() != null) {
                entries.add(PruneReport.Entry.skipped(w.name(), w.layer(), shape, w.conflict()));
                continue;
            }
            if (!arr.dataType().isFPType()) {
                entries.add(PruneReport.Entry.skipped(w.name(), w.layer(), shape,
                        "data type " + arr.dataType() + " is not floating point"));
                continue;
            }
            int axis = w.axis() < 0 && shape.rank() > 0 ? w.axis() + shape.rank() : w.axis();
            String reason = WeightPruner.skipReason(w.name(), w.layer(), shape, axis, options);
            if (reason != null) {
                entries.add(PruneReport.Entry.skipped(w.name(), w.layer(), shape, reason));
                continue;
            }
            int other = w.otherAxis() >= 0 ? w.otherAxis() : shape.rank() == 2 ? 1 - axis : -1;
            WeightPruner.Outcome outcome = WeightPruner.prune(w.name(), w.layer(), readFloats(arr), shape, axis,
                    other, options);
            entries.add(outcome.entry());
            if (outcome.pruned()) {
                masks.add(outcome.mask());
                zeroPruned(arr, prunedArray(outcome.mask()));
            }
        }
        return new SameDiffPruneResult(MaskSet.of(masks), new PruneReport(entries));
    }

    /**
     * Zeroes the pruned positions of every masked variable (idempotent); pruned positions become +0.
     *
     * @param sd the graph
     * @param masks masks by variable name
     */
    public static void applyMasks(SameDiff sd, MaskSet masks) {
        for (ParameterMask m : masks.masks()) {
            INDArray arr = requireArray(sd, m.name());
            requireSameShape(m, arr);
            zeroPruned(arr, prunedArray(m));
        }
    }

    /**
     * Checks every masked variable: pattern still satisfied (core validator) and pruned positions exactly 0.
     *
     * @param sd the graph
     * @param masks masks by variable name
     * @return the report; masks whose variable is missing are listed as missing
     * @throws IllegalArgumentException when a mask's shape differs from its variable's (a mask of
     *         another graph: it cannot be checked)
     */
    public static VerificationReport verify(SameDiff sd, MaskSet masks) {
        List<ParameterCheck> checks = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (ParameterMask m : masks.masks()) {
            SDVariable v = sd.getVariable(m.name());
            INDArray arr = v == null ? null : v.getArr();
            if (arr == null) {
                missing.add(m.name());
                continue;
            }
            requireSameShape(m, arr);
            checks.add(m.check(readFloats(arr)));
        }
        return new VerificationReport(checks, missing);
    }

    /**
     * Saves a checkpoint: the graph ({@code SameDiff.save}, with the updater state so that momentum and
     * Adam moments survive a resume) and the masks in {@code <file>.s4jmasks}.
     *
     * @param sd the graph
     * @param file target model file
     * @param masks the masks
     * @throws IOException on write failure
     */
    public static void save(SameDiff sd, File file, MaskSet masks) throws IOException {
        sd.save(file, true);
        masks.save(maskFile(file.toPath()));
    }

    /**
     * Reads the masks saved by {@link #save} and checks them against the loaded graph: every mask must
     * name an existing variable of the same shape whose pruned positions are zero.
     *
     * @param sd the graph, loaded from {@code file}
     * @param file the model file
     * @return the masks
     * @throws IOException when the mask file is missing or malformed
     * @throws IllegalStateException when the loaded weights do not match the masks
     */
    public static MaskSet loadMasks(SameDiff sd, File file) throws IOException {
        Path maskFile = maskFile(file.toPath());
        MaskSet masks = MaskSet.load(maskFile);
        VerificationReport report;
        try {
            report = verify(sd, masks);
        } catch (IllegalArgumentException e) { // a mask of another shape
            throw new IllegalStateException("masks in " + maskFile.getFileName()
                    + " do not match the loaded weights: " + e.getMessage(), e);
        }
        if (!report.isValid()) {
            throw new IllegalStateException("masks in " + maskFile.getFileName()
                    + " do not match the loaded weights: " + report);
        }
        return masks;
    }

    /**
     * The mask file of a model file.
     *
     * @param modelFile the model file
     * @return the path of its mask file
     */
    public static Path maskFile(Path modelFile) {
        return modelFile.resolveSibling(modelFile.getFileName() + MASK_FILE_SUFFIX);
    }

    /**
     * Export: applies the masks a last time, verifies every weight and saves the graph with plain
     * pruned weights, without updater state and without a mask file.
     *
     * @param sd the fine-tuned graph
     * @param masks the masks
     * @param file target model file
     * @return the verification report (valid)
     * @throws IOException on write failure
     * @throws IllegalStateException when a weight lost its pattern (nothing is written then)
     */
    public static VerificationReport export(SameDiff sd, MaskSet masks, File file) throws IOException {
        applyMasks(sd, masks);
        VerificationReport report = verify(sd, masks);
        if (!report.isValid()) {
            throw new IllegalStateException("not exporting " + file.getName() + ": " + report);
        }
        sd.save(file, false);
        return report;
    }

    static INDArray requireArray(SameDiff sd, String name) {
        SDVariable v = sd.getVariable(name);
        if (v == null) {
            throw new IllegalArgumentException("the graph has no variable '" + name + "'");
        }
        INDArray arr = v.getArr();
        if (arr == null) {
            throw new IllegalStateException("variable '" + name + "' has no array");
        }
        return arr;
    }

    static void requireSameShape(ParameterMask m, INDArray arr) {
        if (!Shape.of(arr.shape()).equals(m.shape())) {
            throw new IllegalArgumentException("mask for '" + m.name() + "' has shape " + m.shape()
                    + " but the variable has shape " + Shape.of(arr.shape()));
        }
    }

    static float[] readFloats(INDArray arr) {
        INDArray c = arr.dataType() == DataType.FLOAT ? arr.dup('c') : arr.castTo(DataType.FLOAT).dup('c');
        return c.data().asFloat();
    }

    /** The pruned positions of a mask as a boolean array of its shape (true = pruned). */
    static INDArray prunedArray(ParameterMask mask) {
        boolean[] pruned = new boolean[mask.size()];
        for (int i = 0; i < pruned.length; i++) {
            pruned[i] = !mask.isKept(i);
        }
        return Nd4j.createFromArray(pruned).reshape('c', mask.shape().dims());
    }

    /**
     * Sets the pruned positions of {@code target} to +0, by selection rather than by multiplying with
     * the mask (an infinite or NaN value times zero would stay NaN); kept positions are unchanged.
     * {@code target} may be a flat view ([1, n] or [n]) of an array of the mask's shape.
     */
    static void zeroPruned(INDArray target, INDArray pruned) {
        INDArray where = java.util.Arrays.equals(target.shape(), pruned.shape()) ? pruned : pruned.reshape('c', target.shape());
        target.assign(target.putWhereWithMask(where, 0.0));
    }
}
