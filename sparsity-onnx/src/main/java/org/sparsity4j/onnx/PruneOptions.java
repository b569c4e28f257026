package org.sparsity4j.onnx;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.sparsity4j.core.pattern.SparsityPattern;

/**
 * Options for {@link OnnxPruner}: an immutable value; start from {@link #defaults()} and derive
 * variants with the {@code with...} methods.
 */
public final class PruneOptions {
    private final SparsityPattern pattern;
    private final MaskChoice mask;
    private final Pattern include;
    private final Pattern exclude;
    private final long minElements;
    private final Consumer<String> progress;
    private final Calibration calibration;

    private PruneOptions(SparsityPattern pattern, MaskChoice mask, Pattern include, Pattern exclude, long minElements,
            Consumer<String> progress, Calibration calibration) {
        this.calibration = calibration;
        this.pattern = pattern;
        this.mask = mask;
        this.include = include;
        this.exclude = exclude;
        this.minElements = minElements;
        this.progress = progress;
    }

    /** Returns the defaults: 2:4 strip masks, every candidate, no progress reporting. */
    public static PruneOptions defaults() {
        return new PruneOptions(SparsityPattern.TWO_OF_FOUR, MaskChoice.STRIP, null, null, 0, s -> { }, null);
    }

    /**
     * Returns these options with another pattern.
     *
     * @param p the pattern (1:2 for TF32 targets)
     * @return the new options
     */
    public PruneOptions withPattern(SparsityPattern p) {
        return new PruneOptions(Objects.requireNonNull(p, "pattern"), mask, include, exclude, minElements, progress,
                calibration);
    }

    /**
     * Returns these options with another mask kind. Tile masks require the 2:4 pattern.
     *
     * @param m the mask kind
     * @return the new options
     */
    public PruneOptions withMask(MaskChoice m) {
        return new PruneOptions(pattern, Objects.requireNonNull(m, "mask"), include, exclude, minElements, progress,
                calibration);
    }

    /**
     * Returns these options pruning only tensors whose name or a consumer node's name matches.
     *
     * @param regex a Java regular expression (found anywhere in the name), or null for all
     * @return the new options
     */
    public PruneOptions withInclude(Pattern regex) {
        return new PruneOptions(pattern, mask, regex, exclude, minElements, progress, calibration);
    }

    /**
     * Returns these options skipping tensors whose name or a consumer node's name matches.
     *
     * @param regex a Java regular expression (found anywhere in the name), or null for none
     * @return the new options
     */
    public PruneOptions withExclude(Pattern regex) {
        return new PruneOptions(pattern, mask, include, regex, minElements, progress, calibration);
    }

    /**
     * Returns these options skipping tensors with fewer elements.
     *
     * @param n the minimum element count
     * @return the new options
     */
    public PruneOptions withMinElements(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("minimum size " + n + " is negative");
        }
        return new PruneOptions(pattern, mask, include, exclude, n, progress, calibration);
    }

    /**
     * Returns these options reporting progress (one line per tensor processed) to a consumer.
     *
     * @param listener receives progress lines
     * @return the new options
     */
    public PruneOptions withProgress(Consumer<String> listener) {
        return new PruneOptions(pattern, mask, include, exclude, minElements,
                Objects.requireNonNull(listener, "listener"), calibration);
    }

    /**
     * Returns these options with activation-aware (Wanda) scoring: each weight is scored by
     * {@code |W_ij| * ||X_j||_2}, the L2 norm over the calibration samples of the input feature it
     * multiplies, and the best N of each group of M by score are kept. Needs ONNX Runtime on the
     * class path. Without calibration (null), weights are kept by magnitude.
     *
     * @param c the calibration, or null for magnitude pruning
     * @return the new options
     */
    public PruneOptions withCalibration(Calibration c) {
        return new PruneOptions(pattern, mask, include, exclude, minElements, progress, c);
    }

    /** Returns the calibration, or null for magnitude pruning. */
    public Calibration calibration() {
        return calibration;
    }

    /** Returns the pattern. */
    public SparsityPattern pattern() {
        return pattern;
    }

    /** Returns the mask kind. */
    public MaskChoice mask() {
        return mask;
    }

    /** Returns the include filter, or null. */
    public Pattern include() {
        return include;
    }

    /** Returns the exclude filter, or null. */
    public Pattern exclude() {
        return exclude;
    }

    /** Returns the minimum element count. */
    public long minElements() {
        return minElements;
    }

    /** Returns the progress listener. */
    public Consumer<String> progress() {
        return progress;
    }
}
