package org.sparsity4j.core.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterMask;
import org.sparsity4j.core.training.PruneOptions;
import org.sparsity4j.core.training.SyntheticTask;
import org.sparsity4j.core.training.VerificationReport;

/** Masks hold through SameDiff fine-tuning with stateless and stateful updaters. */
class SameDiffMaskEnforcementTest {
    static final long SEED = 11;

    /** An updater with its regularization. */
    record Setup(IUpdater updater, Regularization[] regularization) {
    }

    static Stream<Arguments> updaters() {
        return Stream.of(
                Arguments.of("sgd", (Supplier<Setup>) () -> new Setup(new Sgd(0.1), new Regularization[0])),
                Arguments.of("momentum(nesterovs)+weightDecay", (Supplier<Setup>) () -> new Setup(
                        new Nesterovs(0.05, 0.9), new Regularization[] {new WeightDecay(1e-2, true)})),
                Arguments.of("adam+l2", (Supplier<Setup>) () -> new Setup(new Adam(1e-2),
                        new Regularization[] {new L2Regularization(1e-3)})),
                Arguments.of("adam+weightDecay", (Supplier<Setup>) () -> new Setup(new Adam(1e-2),
                        new Regularization[] {new WeightDecay(1e-2, true)})));
    }

    private static SameDiff trainedDense(Setup setup) {
        SameDiff sd = SameDiffTasks.mlp(16, SEED);
        SameDiffTasks.configure(sd, setup.updater(), setup.regularization());
        SameDiffTasks.train(sd, SyntheticTask.generate(SEED, 512), 1, 64, () -> { });
        return sd;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("updaters")
    void freshUpdaterKeepsPrunedWeightsAndStateZeroAfterEveryStep(String name, Supplier<Setup> setup) {
        SameDiff sd = trainedDense(setup.get());
        MaskSet masks = SameDiffSparsity.prune(sd, PruneOptions.twoOfFour()).masks();
        assertEquals(3, masks.size());
        List<float[]> before = SameDiffEndToEndTest.snapshot(sd, masks);
        Setup fresh = setup.get();
        SameDiffTasks.configure(sd, fresh.updater(), fresh.regularization());
        MaskEnforcer enforcer = MaskEnforcer.of(sd, masks);
        sd.addListeners(enforcer);
        int[] steps = {0};
        SameDiffTasks.train(sd, SyntheticTask.generate(SEED + 1, 512), 1, 64, () -> {
            steps[0]++;
            assertMasksHold(name + " step " + steps[0], sd, masks);
        });
        assertEquals(8, steps[0]);
        assertEquals(3L * steps[0], enforcer.maskedUpdates());
        assertKeptWeightsLearned(name, sd, masks, before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("updaters")
    void updaterStateFromDenseTrainingIsClearedAtPrunedPositions(String name, Supplier<Setup> setup) {
        SameDiff sd = trainedDense(setup.get());
        MaskSet masks = SameDiffSparsity.prune(sd, PruneOptions.twoOfFour()).masks();
        if (!name.equals("sgd")) {
            // The dense run left momentum / moments at positions that are now pruned.
            assertTrue(prunedStateNonZero(sd, masks) > 0, name);
        }
        sd.addListeners(MaskEnforcer.of(sd, masks));
        int[] steps = {0};
        SameDiffTasks.train(sd, SyntheticTask.generate(SEED + 1, 256), 1, 64, () -> {
            steps[0]++;
            assertMasksHold(name + " step " + steps[0], sd, masks);
        });
        assertEquals(4, steps[0]);
    }

    /** An infinite or NaN update at a pruned position becomes exactly zero (Inf * 0 is NaN); kept positions are untouched. */
    @Test
    void nonFiniteUpdatesAtPrunedPositionsBecomeZero() {
        SameDiff sd = trainedDense(new Setup(new Sgd(0.1), new Regularization[0]));
        MaskSet masks = SameDiffSparsity.prune(sd, PruneOptions.twoOfFour()).masks();
        MaskEnforcer enforcer = MaskEnforcer.of(sd, masks);
        org.sparsity4j.core.training.ParameterMask mask = masks.masks().get(0);
        org.nd4j.autodiff.samediff.SDVariable v = sd.getVariable(mask.name());
        float[] u = new float[mask.size()];
        int pruned = 0;
        for (int j = 0; j < u.length; j++) {
            u[j] = mask.isKept(j) ? (j == 0 ? Float.NaN : 0.5f) : pruned++ % 2 == 0 ? Float.NEGATIVE_INFINITY : Float.NaN;
        }
        long[] shape = v.getArr().shape();
        org.nd4j.linalg.api.ndarray.INDArray update = org.nd4j.linalg.factory.Nd4j.createFromArray(u).reshape('c', shape);
        enforcer.preUpdate(sd, null, sd.getVariables().get(mask.name()), update);
        float[] after = update.dup('c').data().asFloat();
        for (int j = 0; j < after.length; j++) {
            if (!mask.isKept(j)) {
                assertEquals(0, Float.floatToRawIntBits(after[j]), "pruned position " + j + ": " + after[j]);
            } else {
                assertEquals(Float.floatToRawIntBits(u[j]), Float.floatToRawIntBits(after[j]), "kept position " + j);
            }
        }
    }

    @Test
    void withoutTheListenerTheMasksAreLost() {
        SameDiff sd = trainedDense(new Setup(new Sgd(0.1), new Regularization[0]));
        MaskSet masks = SameDiffSparsity.prune(sd, PruneOptions.twoOfFour()).masks();
        assertTrue(SameDiffSparsity.verify(sd, masks).isValid());
        SameDiffTasks.train(sd, SyntheticTask.generate(SEED + 1, 64), 1, 64, () -> { });
        VerificationReport r = SameDiffSparsity.verify(sd, masks);
        assertFalse(r.isValid(), r.toString());
        assertEquals(3, r.failures().size(), r.toString());
    }

    static void assertMasksHold(String what, SameDiff sd, MaskSet masks) {
        VerificationReport r = SameDiffSparsity.verify(sd, masks);
        assertTrue(r.isValid(), what + ": " + r);
        assertEquals(0, prunedStateNonZero(sd, masks), what + ": updater state non-zero at pruned positions");
    }

    /** Non-zero updater state entries at pruned positions, over all masked variables and state arrays. */
    static long prunedStateNonZero(SameDiff sd, MaskSet masks) {
        long count = 0;
        @SuppressWarnings("rawtypes") // SameDiff declares its updater map with the raw type
        Map<String, GradientUpdater> updaters = sd.getUpdaterMap();
        assertNotNull(updaters);
        for (ParameterMask m : masks.masks()) {
            GradientUpdater<?> u = updaters.get(m.name());
            if (u == null || u.getState() == null) {
                continue;
            }
            for (INDArray state : u.getState().values()) {
                float[] values = SameDiffSparsity.readFloats(state.reshape('c', m.shape().dims()));
                for (int i = 0; i < values.length; i++) {
                    if (!m.isKept(i) && values[i] != 0f) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    static void assertKeptWeightsLearned(String name, SameDiff sd, MaskSet masks, List<float[]> before) {
        List<float[]> after = SameDiffEndToEndTest.snapshot(sd, masks);
        for (int i = 0; i < masks.size(); i++) {
            ParameterMask m = masks.masks().get(i);
            int changed = 0;
            for (int j = 0; j < m.size(); j++) {
                if (m.isKept(j) && after.get(i)[j] != before.get(i)[j]) {
                    changed++;
                }
            }
            assertTrue(changed > m.keptCount() / 2, name + " " + m.name() + ": only " + changed + " of "
                    + m.keptCount() + " kept weights changed");
        }
    }
}
