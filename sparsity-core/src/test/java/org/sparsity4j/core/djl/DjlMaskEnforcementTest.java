package org.sparsity4j.core.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterMask;
import org.sparsity4j.core.training.PruneOptions;
import org.sparsity4j.core.training.VerificationReport;

/** Masks hold through fine-tuning with stateful and stateless DJL optimizers. */
class DjlMaskEnforcementTest {
    static final long SEED = 11;

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of("sgd", (Supplier<Optimizer>) () -> Optimizer.sgd()
                        .setLearningRateTracker(Tracker.fixed(0.1f)).build()),
                Arguments.of("sgd+momentum+weightDecay", (Supplier<Optimizer>) () -> Optimizer.sgd()
                        .setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f).optWeightDecays(1e-2f)
                        .build()),
                Arguments.of("adam+weightDecay", (Supplier<Optimizer>) () -> Optimizer.adam()
                        .optLearningRateTracker(Tracker.fixed(1e-2f)).optWeightDecays(1e-3f).build()),
                Arguments.of("adamW", (Supplier<Optimizer>) () -> Optimizer.adamW()
                        .optLearningRateTracker(Tracker.fixed(1e-2f)).optWeightDecays(1e-2f).build()));
    }

    /** A dense-trained, then pruned, MLP. */
    private static Model prunedModel(Optimizer denseOptimizer, MaskSet[] masksOut) {
        Model model = DjlTasks.model(DjlTasks.mlp(16), SEED);
        try (Trainer trainer = DjlTasks.trainer(model, denseOptimizer, true)) {
            DjlTasks.train(trainer, DjlTasks.data(SEED, 512), 1, 64, () -> { });
        }
        masksOut[0] = DjlSparsity.prune(model.getBlock(), PruneOptions.twoOfFour()).masks();
        return model;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void freshOptimizerKeepsPrunedPositionsZeroAfterEveryStepWithoutLeaks(String name, Supplier<Optimizer> opt) {
        MaskSet[] masks = new MaskSet[1];
        try (Model model = prunedModel(opt.get(), masks)) {
            List<float[]> before = DjlEndToEndTest.snapshot(model, masks[0]);
            int[] steps = {0};
            try (MaskedOptimizer masked = DjlSparsity.maskedOptimizer(opt.get(), model.getBlock(), masks[0]);
                    Trainer trainer = DjlTasks.trainer(model, masked, false)) {
                DjlTasks.train(trainer, DjlTasks.data(SEED + 1, 512), 1, 64, () -> {
                    steps[0]++;
                    VerificationReport r = DjlSparsity.verify(model.getBlock(), masks[0]);
                    assertTrue(r.isValid(), name + " step " + steps[0] + ": " + r);
                });
                // The gradient was masked before the optimizer saw it, so its state never held anything at a
                // pruned position: the re-masking after each update had nothing to undo.
                assertEquals(0, masked.leakedPositions(), name);
                assertEquals(3L * steps[0], masked.maskedUpdates(), name);
            }
            assertEquals(8, steps[0]);
            assertKeptWeightsLearned(name, model, masks[0], before);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void optimizerWithDenseStateStillKeepsPrunedPositionsExactlyZero(String name, Supplier<Optimizer> opt) {
        Optimizer reused = opt.get();
        MaskSet[] masks = new MaskSet[1];
        try (Model model = prunedModel(reused, masks)) {
            try (MaskedOptimizer masked = DjlSparsity.maskedOptimizer(reused, model.getBlock(), masks[0]);
                    Trainer trainer = DjlTasks.trainer(model, masked, false)) {
                DjlTasks.train(trainer, DjlTasks.data(SEED + 1, 512), 1, 64, () -> {
                    VerificationReport r = DjlSparsity.verify(model.getBlock(), masks[0]);
                    assertTrue(r.isValid(), name + ": " + r);
                });
                if (!name.equals("sgd")) {
                    // Momentum / Adam moments from dense training push pruned positions; the wrapper re-zeroed them.
                    assertTrue(masked.leakedPositions() > 0, name + " carried no dense state?");
                } else {
                    assertEquals(0, masked.leakedPositions(), name);
                }
            }
        }
    }

    @Test
    void withoutTheWrapperTheMasksAreLost() {
        MaskSet[] masks = new MaskSet[1];
        Supplier<Optimizer> sgd = () -> Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build();
        try (Model model = prunedModel(sgd.get(), masks)) {
            assertTrue(DjlSparsity.verify(model.getBlock(), masks[0]).isValid());
            try (Trainer trainer = DjlTasks.trainer(model, sgd.get(), false)) {
                DjlTasks.train(trainer, DjlTasks.data(SEED + 1, 64), 1, 64, () -> { });
            }
            VerificationReport r = DjlSparsity.verify(model.getBlock(), masks[0]);
            assertFalse(r.isValid(), r.toString());
            assertEquals(3, r.failures().size(), r.toString());
            assertTrue(r.failures().get(0).prunedNonZero() > 0);
        }
    }

    /** An infinite or NaN gradient at a pruned position leaves the weight there exactly zero (Inf * 0 is NaN). */
    @Test
    void nonFiniteGradientsAtPrunedPositionsKeepThemZero() {
        MaskSet[] masks = new MaskSet[1];
        Supplier<Optimizer> sgd = () -> Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build();
        try (Model model = prunedModel(sgd.get(), masks);
                MaskedOptimizer masked = DjlSparsity.maskedOptimizer(sgd.get(), model.getBlock(), masks[0])) {
            ParameterMask mask = masks[0].masks().get(0);
            ai.djl.nn.Parameter parameter = null;
            for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : model.getBlock().getParameters()) {
                if (p.getKey().equals(mask.name())) {
                    parameter = p.getValue();
                }
            }
            ai.djl.ndarray.NDArray weight = parameter.getArray();
            float[] before = weight.toFloatArray();
            float[] g = new float[mask.size()];
            int pruned = 0;
            for (int j = 0; j < g.length; j++) {
                if (!mask.isKept(j)) {
                    g[j] = pruned++ % 2 == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
                }
            }
            try (ai.djl.ndarray.NDArray grad = weight.getManager().create(g, weight.getShape())) {
                masked.update(parameter.getId(), weight, grad);
            }
            float[] after = weight.toFloatArray();
            for (int j = 0; j < after.length; j++) {
                if (mask.isKept(j)) {
                    assertEquals(before[j], after[j], 0f, "kept weight " + j + " (its gradient is 0)");
                } else {
                    assertEquals(0, Float.floatToRawIntBits(after[j]), "pruned weight " + j + ": " + after[j]);
                }
            }
            assertEquals(0, masked.leakedPositions());
        }
    }

    static void assertKeptWeightsLearned(String name, Model model, MaskSet masks, List<float[]> before) {
        List<float[]> after = DjlEndToEndTest.snapshot(model, masks);
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
