package org.sparsity4j.cusparselt;

/**
 * A cuSPARSELt kernel configuration: the configuration id and the split-K settings of an algorithm
 * selection. {@link MatmulPlan#algorithm()} reports the one a plan runs (after
 * {@code cusparseLtMatmulSearch} when searched); {@link PlanOptions#withAlgorithm(AlgorithmConfig)}
 * builds a plan with a configuration found earlier, so a search need not be repeated in every
 * process. A configuration is only meaningful for the spec (shape, types, layouts) and device it
 * was found on.
 *
 * <p>The split-K values are kept as cuSPARSELt reports them (after a search it may report -1);
 * they are applied to a new plan only when {@code splitK > 1}.
 *
 * @param configId {@code CUSPARSELT_MATMUL_ALG_CONFIG_ID}, at least 0
 * @param splitK {@code CUSPARSELT_MATMUL_SPLIT_K}
 * @param splitKMode {@code CUSPARSELT_MATMUL_SPLIT_K_MODE}
 * @param splitKBuffers {@code CUSPARSELT_MATMUL_SPLIT_K_BUFFERS}
 */
public record AlgorithmConfig(int configId, int splitK, int splitKMode, int splitKBuffers) {

    /** Validates the configuration id. */
    public AlgorithmConfig {
        if (configId < 0) {
            throw new IllegalArgumentException("configId must be at least 0, got " + configId);
        }
    }
}
