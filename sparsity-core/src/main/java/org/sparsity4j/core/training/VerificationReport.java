package org.sparsity4j.core.training;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The verification of every masked weight of a model.
 *
 * @param checks one check per masked weight, in mask order
 * @param missing names of masks whose weight could not be found in the model
 */
public record VerificationReport(List<ParameterCheck> checks, List<String> missing) {

    /**
     * Copies the lists.
     *
     * @param checks checks
     * @param missing missing names
     */
    public VerificationReport {
        checks = List.copyOf(checks);
        missing = List.copyOf(missing);
    }

    /**
     * Whether every masked weight exists and kept its pattern and mask.
     *
     * @return true when valid
     */
    public boolean isValid() {
        return missing.isEmpty() && checks.stream().allMatch(ParameterCheck::isValid);
    }

    /**
     * The weights that lost their pattern or mask.
     *
     * @return failing checks
     */
    public List<ParameterCheck> failures() {
        return checks.stream().filter(c -> !c.isValid()).collect(Collectors.toList());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(isValid() ? "all " + checks.size() + " masked weights valid"
                : failures().size() + " of " + checks.size() + " masked weights invalid"
                        + (missing.isEmpty() ? "" : ", missing: " + missing));
        for (ParameterCheck c : checks) {
            sb.append(System.lineSeparator()).append("  ").append(c);
        }
        return sb.toString();
    }
}
