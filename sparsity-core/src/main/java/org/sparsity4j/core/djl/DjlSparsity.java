package org.sparsity4j.core.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterCheck;
import org.sparsity4j.core.training.ParameterMask;
import org.sparsity4j.core.training.PruneOptions;
import org.sparsity4j.core.training.PruneReport;
import org.sparsity4j.core.training.VerificationReport;
import org.sparsity4j.core.training.WeightPruner;

/**
 * Prune, hold, save, verify and export N:M masks of a DJL model.
 *
 * <p>Typical use: train dense; {@code DjlPruneResult r = DjlSparsity.prune(model.getBlock(), options)};
 * fine-tune with {@code DjlSparsity.maskedOptimizer(optimizer, block, r.masks())} as the training
 * config's optimizer; {@link #save} to checkpoint with masks; {@link #export} at the end.
 */
public final class DjlSparsity {
    /** Suffix of the mask file written next to a model's parameter file. */
    public static final String MASK_FILE_SUFFIX = ".s4jmasks";

    private DjlSparsity() {
    }

    /**
     * The weights of {@code Linear} and {@code Convolution} blocks in the block tree, in parameter order.
     * Blocks must be initialized (parameters allocated).
     *
     * @param block the model's root block
     * @return candidate weights with their reduction axes
     */
    public static List<DjlWeight> candidates(Block block) {
        Objects.requireNonNull(block, "block");
        Map<Parameter, DjlWeight> owners = new IdentityHashMap<>();
        collect(block, owners);
        List<DjlWeight> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            DjlWeight w = owners.get(p.getValue());
            if (w != null) {
                out.add(new DjlWeight(p.getKey(), w.parameter(), w.layer(), w.axis(), w.otherAxis()));
            }
        }
        return out;
    }

    private static void collect(Block block, Map<Parameter, DjlWeight> owners) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            Parameter param = p.getValue();
            if (param.getType() != Parameter.Type.WEIGHT) {
                continue;
            }
            if (block instanceof Linear) {
                // Linear stores [outUnits, inUnits]; y = x W^T sums over axis 1.
                owners.put(param, new DjlWeight(null, param, "Linear", 1, 0));
            } else if (block instanceof Convolution conv) {
                // Convolution stores [filters, inChannels / groups, kernel...]; each output sums over axis 1
                // (and the kernel window), within its group.
                String layer = block.getClass().getSimpleName()
                        + (conv.getGroups() > 1 ? " groups=" + conv.getGroups() : "");
                owners.put(param, new DjlWeight(null, param, layer, 1, 0));
            }
        }
        for (Pair<String, Block> child : block.getChildren()) {
            collect(child.getValue(), owners);
        }
    }

    /**
     * Prunes every eligible linear and convolution weight of an initialized block in place.
     *
     * @param block the model's root block
     * @param options pattern, mask kind and skip rules
     * @return the masks and the report
     */
    public static DjlPruneResult prune(Block block, PruneOptions options) {
        Objects.requireNonNull(options, "options");
        List<ParameterMask> masks = new ArrayList<>();
        List<PruneReport.Entry> entries = new ArrayList<>();
        // a block added twice (shared weights) lists its parameter under each name: pruned once, under the first
        Map<Parameter, String> seen = new IdentityHashMap<>();
        for (DjlWeight w : candidates(block)) {
            NDArray array = requireArray(w.name(), w.parameter());
            Shape shape = Shape.of(array.getShape().getShape());
            String first = seen.putIfAbsent(w.parameter(), w.name());
            if (first != null) {
                entries.add(PruneReport.Entry.skipped(w.name(), w.layer(), shape,
                        "the same parameter as '" + first + "' (a block used twice); handled there"));
                continue;
            }
            if (!array.getDataType().isFloating()) {
                entries.add(PruneReport.Entry.skipped(w.name(), w.layer(), shape,
                        "data type " + array.getDataType() + " is not floating point"));
                continue;
            }
            int other = shape.rank() == 2 ? w.otherAxis() : -1;
            String reason = WeightPruner.skipReason(w.name(), w.layer(), shape, w.axis(), options);
            if (reason != null) {
                entries.add(PruneReport.Entry.skipped(w.name(), w.layer(), shape, reason));
                continue;
            }
            float[] values = readFloats(array);
            WeightPruner.Outcome outcome = WeightPruner.prune(w.name(), w.layer(), values, shape, w.axis(), other,
                    options);
            entries.add(outcome.entry());
            if (outcome.pruned()) {
                masks.add(outcome.mask());
                zeroPruned(array, outcome.mask());
            }
        }
        return new DjlPruneResult(MaskSet.of(masks), new PruneReport(entries));
    }

    /**
     * Zeroes the pruned positions of every masked weight (idempotent); pruned positions become +0.
     *
     * @param block the model's root block
     * @param masks masks by full parameter name
     * @throws IllegalArgumentException when a mask names a missing parameter or its shape differs
     */
    public static void applyMasks(Block block, MaskSet masks) {
        for (Map.Entry<ParameterMask, Parameter> e : bind(block, masks).entrySet()) {
            zeroPruned(e.getValue().getArray(), e.getKey());
        }
    }

    /**
     * Checks every masked weight: pattern still satisfied (core validator) and pruned positions exactly 0.
     *
     * @param block the model's root block
     * @param masks masks by full parameter name
     * @return the report; masks whose parameter is missing are listed as missing
     * @throws IllegalArgumentException when a mask's shape differs from its parameter's (a mask of
     *         another model: it cannot be checked)
     */
    public static VerificationReport verify(Block block, MaskSet masks) {
        Map<String, Parameter> params = parametersByName(block);
        List<ParameterCheck> checks = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (ParameterMask m : masks.masks()) {
            Parameter p = params.get(m.name());
            if (p == null || !p.isInitialized()) {
                missing.add(m.name());
                continue;
            }
            requireSameShape(m, p);
            checks.add(m.check(readFloats(p.getArray())));
        }
        return new VerificationReport(checks, missing);
    }

    /**
     * Wraps an optimizer so that fine-tuning holds the masks. See {@link MaskedOptimizer}.
     *
     * @param delegate the optimizer to wrap (SGD, SGD with momentum, Adam, ...)
     * @param block the model's root block (initialized)
     * @param masks masks by full parameter name
     * @return the wrapping optimizer; close it after training to free the mask arrays
     */
    public static MaskedOptimizer maskedOptimizer(ai.djl.training.optimizer.Optimizer delegate, Block block,
            MaskSet masks) {
        Map<String, ParameterMask> byId = new LinkedHashMap<>();
        for (Map.Entry<ParameterMask, Parameter> e : bind(block, masks).entrySet()) {
            byId.put(e.getValue().getId(), e.getKey());
        }
        applyMasks(block, masks);
        return new MaskedOptimizer(delegate, byId);
    }

    /**
     * Saves a checkpoint: the model's parameters ({@code Model.save}) and the masks next to them in
     * {@code <name>.s4jmasks}, so an interrupted fine-tune can resume with the same masks. DJL does not
     * save optimizer state: a resumed fine-tune starts the wrapped optimizer afresh (its momentum or
     * moments rebuild from masked gradients, so they stay zero at pruned positions).
     *
     * @param model the model
     * @param dir target directory
     * @param name model name
     * @param masks the masks
     * @throws IOException on write failure
     */
    public static void save(Model model, Path dir, String name, MaskSet masks) throws IOException {
        Files.createDirectories(dir);
        model.save(dir, name);
        masks.save(maskFile(dir, name));
    }

    /**
     * Reads the masks saved by {@link #save} and checks them against a loaded model: every mask must
     * name an existing parameter of the same shape whose pruned positions are zero.
     *
     * @param model the model, already loaded from {@code dir}
     * @param dir checkpoint directory
     * @param name model name
     * @return the masks
     * @throws IOException when the mask file is missing or malformed
     * @throws IllegalStateException when the loaded weights do not match the masks
     */
    public static MaskSet loadMasks(Model model, Path dir, String name) throws IOException {
        MaskSet masks = MaskSet.load(maskFile(dir, name));
        VerificationReport report;
        try {
            report = verify(model.getBlock(), masks);
        } catch (IllegalArgumentException e) { // a mask of another shape
            throw new IllegalStateException("masks in " + maskFile(dir, name).getFileName()
                    + " do not match the loaded weights: " + e.getMessage(), e);
        }
        if (!report.isValid()) {
            throw new IllegalStateException("masks in " + maskFile(dir, name).getFileName()
                    + " do not match the loaded weights: " + report);
        }
        return masks;
    }

    /**
     * The mask file of a checkpoint.
     *
     * @param dir checkpoint directory
     * @param name model name
     * @return the path
     */
    public static Path maskFile(Path dir, String name) {
        return dir.resolve(name + MASK_FILE_SUFFIX);
    }

    /**
     * Export: applies the masks a last time, verifies every weight and saves the model's plain pruned
     * parameters without any mask file.
     *
     * @param model the fine-tuned model
     * @param masks the masks
     * @param dir target directory
     * @param name model name
     * @return the verification report (valid)
     * @throws IOException on write failure
     * @throws IllegalStateException when a weight lost its pattern (nothing is written then)
     */
    public static VerificationReport export(Model model, MaskSet masks, Path dir, String name) throws IOException {
        applyMasks(model.getBlock(), masks);
        VerificationReport report = verify(model.getBlock(), masks);
        if (!report.isValid()) {
            throw new IllegalStateException("not exporting " + name + ": " + report);
        }
        Files.createDirectories(dir);
        model.save(dir, name);
        return report;
    }

    static Map<ParameterMask, Parameter> bind(Block block, MaskSet masks) {
        Map<String, Parameter> params = parametersByName(block);
        Map<ParameterMask, Parameter> out = new LinkedHashMap<>();
        for (ParameterMask m : masks.masks()) {
            Parameter p = params.get(m.name());
            if (p == null) {
                throw new IllegalArgumentException("mask for '" + m.name() + "' names no parameter of the block; "
                        + "parameters are " + params.keySet());
            }
            requireArray(m.name(), p);
            requireSameShape(m, p);
            out.put(m, p);
        }
        return out;
    }

    private static Map<String, Parameter> parametersByName(Block block) {
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            params.put(p.getKey(), p.getValue());
        }
        return params;
    }

    private static NDArray requireArray(String name, Parameter p) {
        if (!p.isInitialized()) {
            throw new IllegalStateException("parameter '" + name + "' is not initialized; initialize the block "
                    + "(or load the model) before pruning or binding masks");
        }
        return p.getArray();
    }

    private static void requireSameShape(ParameterMask m, Parameter p) {
        long[] dims = p.getArray().getShape().getShape();
        if (!Shape.of(dims).equals(m.shape())) {
            throw new IllegalArgumentException("mask for '" + m.name() + "' has shape " + m.shape()
                    + " but the parameter has shape " + Shape.of(dims));
        }
    }

    static float[] readFloats(NDArray array) {
        if (array.getDataType() == DataType.FLOAT32) {
            return array.toFloatArray();
        }
        try (NDArray f = array.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    private static void zeroPruned(NDArray array, ParameterMask mask) {
        try (NDManager scratch = array.getManager().newSubManager()) {
            // by selection, not by multiplying with the mask: an infinite or NaN value times 0 stays NaN,
            // and a negative value times 0 is -0; the zeros are +0
            NDArray keep = scratch.create(mask.toFloats(), array.getShape()).toType(DataType.BOOLEAN, false);
            NDArray zeros = scratch.zeros(array.getShape(), array.getDataType());
            try (NDArray selected = NDArrays.where(keep, array, zeros)) {
                selected.copyTo(array);
            }
        }
    }
}
