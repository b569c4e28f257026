package org.sparsity4j.core.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsity4j.core.mask.Mask;
import org.sparsity4j.core.mask.StripMasker;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterMask;
import org.sparsity4j.core.training.PruneOptions;
import org.sparsity4j.core.training.VerificationReport;

/** Masks saved with a DJL model, restored for a resumed fine-tune, and the plain export. */
class DjlCheckpointTest {
    static final long SEED = 5;

    private static Optimizer sgd() {
        return Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f).build();
    }

    private static Model prunedAndFineTuned(MaskSet[] masksOut) {
        Model model = DjlTasks.model(DjlTasks.mlp(16), SEED);
        try (Trainer trainer = DjlTasks.trainer(model, sgd(), true)) {
            DjlTasks.train(trainer, DjlTasks.data(SEED, 256), 1, 64, () -> { });
        }
        MaskSet masks = DjlSparsity.prune(model.getBlock(), PruneOptions.twoOfFour()).masks();
        try (MaskedOptimizer opt = DjlSparsity.maskedOptimizer(sgd(), model.getBlock(), masks);
                Trainer trainer = DjlTasks.trainer(model, opt, false)) {
            DjlTasks.train(trainer, DjlTasks.data(SEED + 1, 128), 1, 64, () -> { });
        }
        masksOut[0] = masks;
        return model;
    }

    private static Model load(Path dir, String name) throws Exception {
        Model model = Model.newInstance(name, Device.cpu(), "PyTorch");
        model.setBlock(DjlTasks.mlp(16));
        model.load(dir, name);
        return model;
    }

    @Test
    void checkpointRestoresTheSameMasksAndFineTuningResumes(@TempDir Path dir) throws Exception {
        MaskSet[] masks = new MaskSet[1];
        try (Model model = prunedAndFineTuned(masks)) {
            DjlSparsity.save(model, dir, "mlp", masks[0]);
            assertTrue(Files.exists(DjlSparsity.maskFile(dir, "mlp")));
            List<float[]> saved = DjlEndToEndTest.snapshot(model, masks[0]);
            try (Model resumed = load(dir, "mlp")) {
                MaskSet restored = DjlSparsity.loadMasks(resumed, dir, "mlp");
                assertEquals(masks[0], restored);
                List<float[]> loaded = DjlEndToEndTest.snapshot(resumed, restored);
                for (int i = 0; i < saved.size(); i++) {
                    assertArrayEquals(saved.get(i), loaded.get(i));
                }
                try (MaskedOptimizer opt = DjlSparsity.maskedOptimizer(sgd(), resumed.getBlock(), restored);
                        Trainer trainer = DjlTasks.trainer(resumed, opt, false)) {
                    DjlTasks.train(trainer, DjlTasks.data(SEED + 2, 128), 1, 64, () -> {
                        VerificationReport r = DjlSparsity.verify(resumed.getBlock(), restored);
                        assertTrue(r.isValid(), r.toString());
                    });
                    assertEquals(0, opt.leakedPositions());
                }
                DjlMaskEnforcementTest.assertKeptWeightsLearned("resumed", resumed, restored, loaded);
            }
        }
    }

    @Test
    void loadingMasksThatDoNotMatchTheWeightsFails(@TempDir Path dir) throws Exception {
        MaskSet[] masks = new MaskSet[1];
        try (Model model = prunedAndFineTuned(masks)) {
            DjlSparsity.save(model, dir, "mlp", masks[0]);
            try (Model resumed = load(dir, "mlp")) {
                ParameterMask first = masks[0].masks().get(0);
                int pruned = first.firstPruned();
                NDArray w = resumed.getBlock().getParameters().get(first.name()).getArray();
                float[] values = w.toFloatArray();
                values[pruned] = 0.5f;
                w.set(values);
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> DjlSparsity.loadMasks(resumed, dir, "mlp"));
                assertTrue(e.getMessage().contains(first.name()), e.getMessage());
                VerificationReport r = DjlSparsity.verify(resumed.getBlock(), masks[0]);
                assertFalse(r.isValid());
                assertEquals(1, r.failures().get(0).prunedNonZero());
            }
            // the masks of this model against a model of another width: the same documented exception
            try (Model other = DjlTasks.model(DjlTasks.mlp(8), SEED);
                    Trainer trainer = DjlTasks.trainer(other, sgd(), true)) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> DjlSparsity.loadMasks(other, dir, "mlp"));
                assertTrue(e.getMessage().contains("shape"), e.getMessage());
            }
        }
    }

    @Test
    void aMaskNamingNoParameterIsRejected() {
        MaskSet[] masks = new MaskSet[1];
        try (Model model = prunedAndFineTuned(masks)) {
            Mask mask4x4 = StripMasker.of(SparsityPattern.TWO_OF_FOUR).compute(Tensor.ofFloats(new float[16], 4, 4), 1);
            MaskSet bogus = MaskSet.of(List.of(ParameterMask.of("99Linear_weight", mask4x4)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DjlSparsity.maskedOptimizer(sgd(), model.getBlock(), bogus));
            assertTrue(e.getMessage().contains("99Linear_weight"), e.getMessage());
            ParameterMask real = masks[0].masks().get(0);
            MaskSet wrongShape = MaskSet.of(List.of(ParameterMask.of(real.name(), mask4x4)));
            e = assertThrows(IllegalArgumentException.class, () -> DjlSparsity.applyMasks(model.getBlock(), wrongShape));
            assertTrue(e.getMessage().contains("[4, 4]") || e.getMessage().contains("4, 4"), e.getMessage());
        }
    }

    @Test
    void exportWritesPlainPrunedWeightsWithoutMasks(@TempDir Path dir) throws Exception {
        MaskSet[] masks = new MaskSet[1];
        try (Model model = prunedAndFineTuned(masks)) {
            VerificationReport report = DjlSparsity.export(model, masks[0], dir, "mlp-sparse");
            assertTrue(report.isValid(), report.toString());
            assertFalse(Files.exists(DjlSparsity.maskFile(dir, "mlp-sparse")));
            try (Model exported = load(dir, "mlp-sparse")) {
                VerificationReport again = DjlSparsity.verify(exported.getBlock(), masks[0]);
                assertTrue(again.isValid(), again.toString());
                assertEquals(3, again.checks().size());
                for (ParameterMask m : masks[0].masks()) {
                    float[] w = exported.getBlock().getParameters().get(m.name()).getArray().toFloatArray();
                    for (int i = 0; i < w.length; i++) {
                        if (!m.isKept(i)) {
                            assertEquals(0, Float.floatToRawIntBits(w[i]), m.name() + " index " + i + " is not +0");
                        }
                    }
                }
            }
        }
    }
}
