package org.sparsity4j.core.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterMask;
import org.sparsity4j.core.training.PruneOptions;
import org.sparsity4j.core.training.SyntheticTask;
import org.sparsity4j.core.training.VerificationReport;

/**
 * Train dense, prune 2:4, fine-tune with masks held, on a seeded synthetic task with DJL's PyTorch
 * engine on the CPU.
 */
@Tag("e2e")
class DjlEndToEndTest {
    /** Fine-tuned 2:4 accuracy must be within this many points of the dense accuracy. */
    static final double MARGIN = 0.03;
    static final long SEED = 7;

    @Test
    void trainPruneFineTuneRecoversAccuracy() throws Exception {
        SyntheticTask train = DjlTasks.data(SEED, 4096);
        SyntheticTask test = DjlTasks.data(SEED + 1, 2048);
        try (Model model = DjlTasks.model(DjlTasks.mlp(32), SEED)) {
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(3e-3f)).build();
            try (Trainer trainer = DjlTasks.trainer(model, adam, true)) {
                DjlTasks.train(trainer, train, 8, 64, () -> { });
            }
            double dense = DjlTasks.accuracy(model, test);

            DjlPruneResult pruned = DjlSparsity.prune(model.getBlock(), PruneOptions.twoOfFour());
            System.out.println(pruned.report());
            MaskSet masks = pruned.masks();
            assertEquals(3, masks.size(), pruned.report().toString());
            double afterPrune = DjlTasks.accuracy(model, test);
            List<float[]> prunedWeights = snapshot(model, masks);
            long leaked;

            try (MaskedOptimizer masked = DjlSparsity.maskedOptimizer(
                    Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build(), model.getBlock(), masks);
                    Trainer trainer = DjlTasks.trainer(model, masked, false)) {
                DjlTasks.train(trainer, train, 4, 64, () -> { });
                leaked = masked.leakedPositions();
            }
            double fineTuned = DjlTasks.accuracy(model, test);
            System.out.printf(Locale.ROOT, "DJL MLP 32-32-32-4, seed %d: dense %.2f%%, pruned 2:4 %.2f%%, "
                    + "fine-tuned 2:4 %.2f%% (margin %.0f points)%n", SEED, 100 * dense, 100 * afterPrune,
                    100 * fineTuned, 100 * MARGIN);

            assertEquals(0, leaked, "pruned positions the wrapped optimizer made non-zero");
            VerificationReport report = DjlSparsity.verify(model.getBlock(), masks);
            assertTrue(report.isValid(), report.toString());
            List<float[]> after = snapshot(model, masks);
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
                    "fine-tuned %.4f not within %.2f of dense %.4f (pruned %.4f)", fineTuned, MARGIN, dense,
                    afterPrune));
        }
    }

    static List<float[]> snapshot(Model model, MaskSet masks) {
        List<float[]> out = new ArrayList<>();
        for (ParameterMask m : masks.masks()) {
            out.add(model.getBlock().getParameters().get(m.name()).getArray().toFloatArray());
        }
        return out;
    }
}
