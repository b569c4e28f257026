package org.sparsity4j.core.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.sparsity4j.core.pattern.SparsityPattern;

/**
 * What to prune and how: the N:M pattern, strip or transposable tile masks, the smallest weight worth
 * pruning, and name and layer-type rules. Immutable; every {@code with...}/{@code excluding} method returns a copy.
 */
public final class PruneOptions {
    private final SparsityPattern pattern;
    private final boolean tile;
    private final long minElements;
    private final List<Pattern> excludes;
    private final List<Pattern> layerExcludes;

    private PruneOptions(SparsityPattern pattern, boolean tile, long minElements, List<Pattern> excludes,
                         List<Pattern> layerExcludes) {
        this.pattern = pattern;
        this.tile = tile;
        this.minElements = minElements;
        this.excludes = List.copyOf(excludes);
        this.layerExcludes = List.copyOf(layerExcludes);
    }

    /**
     * Default options: 2:4 strip masks, every eligible weight regardless of size, nothing excluded.
     *
     * @return the defaults
     */
    public static PruneOptions twoOfFour() {
        return new PruneOptions(SparsityPattern.TWO_OF_FOUR, false, 0, List.of(), List.of());
    }

    /**
     * Strip masks with the given pattern (for example 1:2).
     *
     * @param pattern the N:M pattern applied along each weight's reduction axis
     * @return a copy with that pattern; tile masks are switched off
     */
    public PruneOptions withPattern(SparsityPattern pattern) {
        return new PruneOptions(Objects.requireNonNull(pattern, "pattern"), false, minElements, excludes, layerExcludes);
    }

    /**
     * Transposable 2:4 tile masks (every 4x4 block has two kept elements in each row and column) for
     * the weights of matrix products, so that the transposed weight used in the backward pass is 2:4
     * too: rank-2 weights, and each matrix of a batched SameDiff weight [.., K, N]. Convolution weights
     * keep strip masks along their reduction axis, as does a weight whose output axis is not a
     * multiple of 4 (the report says why).
     *
     * @return a copy that uses tile masks; the pattern becomes 2:4
     */
    public PruneOptions withTileMasks() {
        return new PruneOptions(SparsityPattern.TWO_OF_FOUR, true, minElements, excludes, layerExcludes);
    }

    /**
     * Skips weights with fewer elements than {@code minElements}.
     *
     * @param minElements smallest element count that is pruned, at least 0
     * @return a copy with that threshold
     */
    public PruneOptions withMinElements(long minElements) {
        if (minElements < 0) {
            throw new IllegalArgumentException("minElements must be >= 0, got " + minElements);
        }
        return new PruneOptions(pattern, tile, minElements, excludes, layerExcludes);
    }

    /**
     * Skips every parameter whose name matches the regular expression (found anywhere in the name).
     *
     * @param regex a {@link java.util.regex.Pattern} expression
     * @return a copy with the rule added
     */
    public PruneOptions excluding(String regex) {
        List<Pattern> list = new ArrayList<>(excludes);
        list.add(Pattern.compile(Objects.requireNonNull(regex, "regex")));
        return new PruneOptions(pattern, tile, minElements, list, layerExcludes);
    }

    /**
     * Skips every weight whose layer type matches the regular expression (found anywhere in the
     * layer description the report shows: for DJL the block class, e.g. {@code Linear} or
     * {@code Conv2d}; for SameDiff the consuming op and the weight's role in it: {@code Mmul a},
     * {@code Mmul b}, {@code Mmul b (transposed)}, {@code linear (xw_plus_b) w}, {@code conv2d OIYX}
     * (also {@code YXIO}, {@code OYXI}) and {@code conv1d}). The match is case-sensitive unless the
     * expression says otherwise. Example: {@code excludingLayers("(?i)conv")} prunes linear layers
     * and matrix products only.
     *
     * @param regex a {@link java.util.regex.Pattern} expression
     * @return a copy with the rule added
     */
    public PruneOptions excludingLayers(String regex) {
        List<Pattern> list = new ArrayList<>(layerExcludes);
        list.add(Pattern.compile(Objects.requireNonNull(regex, "regex")));
        return new PruneOptions(pattern, tile, minElements, excludes, list);
    }

    /**
     * The layer-type rule that matches a layer description, if any.
     *
     * @param layer a layer description
     * @return the matching expression, or null when none matches
     */
    public String layerExclusionFor(String layer) {
        for (Pattern p : layerExcludes) {
            if (layer != null && p.matcher(layer).find()) {
                return p.pattern();
            }
        }
        return null;
    }

    /**
     * The pattern used.
     *
     * @return the N:M pattern
     */
    public SparsityPattern pattern() {
        return pattern;
    }

    /**
     * Whether matrix-product weights get transposable tile masks.
     *
     * @return true for tile masks
     */
    public boolean tileMasks() {
        return tile;
    }

    /**
     * The size threshold.
     *
     * @return the smallest element count that is pruned
     */
    public long minElements() {
        return minElements;
    }

    /**
     * The exclusion rule that matches a name, if any.
     *
     * @param name a parameter name
     * @return the matching expression, or null when none matches
     */
    public String exclusionFor(String name) {
        for (Pattern p : excludes) {
            if (p.matcher(name).find()) {
                return p.pattern();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "PruneOptions{" + pattern + (tile ? " tile" : " strip") + ", minElements=" + minElements
                + ", excludes=" + excludes + ", layerExcludes=" + layerExcludes + "}";
    }
}
