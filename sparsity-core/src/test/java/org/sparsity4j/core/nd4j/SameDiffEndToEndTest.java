package org.sparsity4j.core.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.learning.config.Adam;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterMask;
import org.sparsity4j.core.training.PruneOptions;
import org.sparsity4j.core.training.SyntheticTask;
import org.sparsity4j.core.training.VerificationReport;

/** Train dense, prune 2:4, fine-tune with masks held, on a seeded synthetic task with SameDiff on the CPU. */
@Tag("e2e")
class SameDiffEndToEndTest {
    /** Fine-tuned 2:4 accuracy must be within this many points of the dense accuracy. */
    static final double MARGIN = 0.03;
    static final long SEED = 7;

    @Test
    void trainPruneFineTuneRecoversAccuracy() {
        SyntheticTask train = SyntheticTask.generate(SEED, 4096);
        SyntheticTask test = SyntheticTask.generate(SEED + 1, 2048);
        SameDiff sd = SameDiffTasks.mlp(32, SEED);
        SameDiffTasks.configure(sd, new Adam(5e-3));
        SameDiffTasks.train(sd, train, 8, 128, () -> { });
        double dense = SameDiffTasks.accuracy(sd, test);

        SameDiffPruneResult pruned = SameDiffSparsity.prune(sd, PruneOptions.twoOfFour());
        System.out.println(pruned.report());
        MaskSet masks = pruned.masks();
        assertEquals(List.of("w0", "w1", "w2"), masks.names(), pruned.report().toString());
        double afterPrune = SameDiffTasks.accuracy(sd, test);
        List<float[]> prunedWeights = snapshot(sd, masks);

        MaskEnforcer enforcer = MaskEnforcer.of(sd, masks);
        sd.addListeners(enforcer);
        SameDiffTasks.configure(sd, new Adam(1e-3));
        SameDiffTasks.train(sd, train, 4, 128, () -> { });
        double fineTuned = SameDiffTasks.accuracy(sd, test);
        System.out.printf(Locale.ROOT, "SameDiff MLP 32-32-32-4, seed %d: dense %.2f%%, pruned 2:4 %.2f%%, "
                + "fine-tuned 2:4 %.2f%% (margin %.0f points)%n", SEED, 100 * dense, 100 * afterPrune,
                100 * fineTuned, 100 * MARGIN);

        assertEquals(3L * 4 * (4096 / 128), enforcer.maskedUpdates());
        VerificationReport report = SameDiffSparsity.verify(sd, masks);
        assertTrue(report.isValid(), report.toString());
        List<float[]> after = snapshot(sd, masks);
        for (int i = 0; i < masks.size(); i++) {
            ParameterMask m = masks.masks().get(i);
            int changed = 0;
            for (int j = 0; j < m.size(); j++) {
                if (m.isKept(j) && after.get(i)[j] != prunedWeights.get(i)[j]) {
                    changed++;
                }
            }
            assertTrue(changed > m.keptCount() / 2, m.name() + ": only " + changed + " of " + m.keptCount()
                    + " kept weights changed");
        }
        assertTrue(dense > 0.75, "dense model did not learn the task: " + dense);
        assertTrue(afterPrune < fineTuned, "fine-tuning did not improve on the freshly pruned model");
        assertTrue(fineTuned >= dense - MARGIN, String.format(Locale.ROOT,
                "fine-tuned %.4f not within %.2f of dense %.4f (pruned %.4f)", fineTuned, MARGIN, dense, afterPrune));
    }

    static List<float[]> snapshot(SameDiff sd, MaskSet masks) {
        List<float[]> out = new ArrayList<>();
        for (ParameterMask m : masks.masks()) {
            out.add(SameDiffSparsity.readFloats(sd.getVariable(m.name()).getArr()));
        }
        return out;
    }
}
