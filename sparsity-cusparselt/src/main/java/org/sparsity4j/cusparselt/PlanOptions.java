package org.sparsity4j.cusparselt;

/**
 * How a plan is prepared.
 *
 * @param search run {@code cusparseLtMatmulSearch} at plan time and keep the fastest configuration
 * @param denseFallback time the sparse kernel against dense cuBLAS on the plan's shape at plan time
 *     and execute the faster from then on
 * @param timingIterations timed runs per candidate for the fallback decision (median is used), 1 to
 *     {@link #MAX_TIMING_ITERATIONS}
 * @param algorithm a kernel configuration to use instead of cuSPARSELt's default, or null; not
 *     together with {@code search}
 */
public record PlanOptions(boolean search, boolean denseFallback, int timingIterations, AlgorithmConfig algorithm) {

    /** The most timed runs per candidate (each is one GEMM; the times of all are kept for the median). */
    public static final int MAX_TIMING_ITERATIONS = 100_000;

    /** Validates the iteration count and that search and a fixed configuration are not combined. */
    public PlanOptions {
        if (timingIterations < 1 || timingIterations > MAX_TIMING_ITERATIONS) {
            throw new IllegalArgumentException("timingIterations must be between 1 and " + MAX_TIMING_ITERATIONS
                    + ", got " + timingIterations);
        }
        if (search && algorithm != null) {
            throw new IllegalArgumentException("search and a fixed algorithm " + algorithm + " exclude each other");
        }
    }

    /**
     * Options without a fixed configuration.
     *
     * @param search run the algorithm search at plan time
     * @param denseFallback time sparse against dense at plan time
     * @param timingIterations timed runs per candidate for the fallback decision
     */
    public PlanOptions(boolean search, boolean denseFallback, int timingIterations) {
        this(search, denseFallback, timingIterations, null);
    }

    /**
     * Default options: no algorithm search (cuSPARSELt's default configuration), dense fallback off.
     * Search takes from tens of milliseconds to seconds per plan; ask for it with {@link #searched()}.
     *
     * @return the defaults
     */
    public static PlanOptions defaults() {
        return new PlanOptions(false, false, 20);
    }

    /**
     * Runs {@code cusparseLtMatmulSearch} at plan time and keeps the fastest configuration
     * ({@link MatmulPlan#algorithm()}).
     *
     * @return options with search on
     */
    public static PlanOptions searched() {
        return new PlanOptions(true, false, 20);
    }

    /**
     * Uses a configuration found earlier (typically {@link MatmulPlan#algorithm()} of a searched plan
     * for the same spec on the same device) without searching again.
     *
     * @param algorithm the configuration
     * @return options with that configuration
     */
    public static PlanOptions withAlgorithm(AlgorithmConfig algorithm) {
        return new PlanOptions(false, false, 20, java.util.Objects.requireNonNull(algorithm, "algorithm"));
    }

    /**
     * Quick plans: no search, no fallback (for tests and one-shot products).
     *
     * @return options without search
     */
    public static PlanOptions noSearch() {
        return new PlanOptions(false, false, 20);
    }

    /**
     * The dense fallback (plan-time timing of sparse against dense cuBLAS), without search.
     *
     * @return options with the fallback enabled
     */
    public static PlanOptions withDenseFallback() {
        return new PlanOptions(false, true, 20);
    }

    /**
     * Search, then the dense fallback: the fastest sparse configuration is timed against dense
     * cuBLAS, so the decision compares the best kernels of both sides.
     *
     * @return options with search and the fallback enabled
     */
    public static PlanOptions searchedWithDenseFallback() {
        return new PlanOptions(true, true, 20);
    }
}
