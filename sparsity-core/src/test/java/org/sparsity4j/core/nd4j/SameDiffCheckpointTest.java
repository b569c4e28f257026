package org.sparsity4j.core.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterMask;
import org.sparsity4j.core.training.PruneOptions;
import org.sparsity4j.core.training.SyntheticTask;
import org.sparsity4j.core.training.VerificationReport;

/** Masks saved with a SameDiff graph (with updater state), restored for a resumed fine-tune, and the export. */
class SameDiffCheckpointTest {
    static final long SEED = 5;

    private static SameDiff prunedAndFineTuned(MaskSet[] masksOut) {
        SameDiff sd = SameDiffTasks.mlp(16, SEED);
        SameDiffTasks.configure(sd, new Adam(1e-2));
        SameDiffTasks.train(sd, SyntheticTask.generate(SEED, 256), 1, 64, () -> { });
        MaskSet masks = SameDiffSparsity.prune(sd, PruneOptions.twoOfFour()).masks();
        SameDiffTasks.configure(sd, new Adam(1e-2));
        sd.addListeners(MaskEnforcer.of(sd, masks));
        SameDiffTasks.train(sd, SyntheticTask.generate(SEED + 1, 128), 1, 64, () -> { });
        masksOut[0] = masks;
        return sd;
    }

    @Test
    void checkpointRestoresMasksAndUpdaterStateAndFineTuningResumes(@TempDir Path dir) throws Exception {
        MaskSet[] masks = new MaskSet[1];
        SameDiff sd = prunedAndFineTuned(masks);
        File file = dir.resolve("mlp.sd").toFile();
        SameDiffSparsity.save(sd, file, masks[0]);
        assertTrue(Files.exists(SameDiffSparsity.maskFile(file.toPath())));

        SameDiff resumed = SameDiff.load(file, true);
        MaskSet restored = SameDiffSparsity.loadMasks(resumed, file);
        assertEquals(masks[0], restored);
        List<float[]> saved = SameDiffEndToEndTest.snapshot(sd, masks[0]);
        List<float[]> loaded = SameDiffEndToEndTest.snapshot(resumed, restored);
        for (int i = 0; i < saved.size(); i++) {
            assertArrayEquals(saved.get(i), loaded.get(i));
        }
        resumed.addListeners(MaskEnforcer.of(resumed, restored));
        SameDiffTasks.train(resumed, SyntheticTask.generate(SEED + 2, 128), 1, 64,
                () -> SameDiffMaskEnforcementTest.assertMasksHold("resumed", resumed, restored));
        SameDiffMaskEnforcementTest.assertKeptWeightsLearned("resumed", resumed, restored, loaded);
    }

    @Test
    void loadingMasksThatDoNotMatchTheWeightsFails(@TempDir Path dir) throws Exception {
        MaskSet[] masks = new MaskSet[1];
        SameDiff sd = prunedAndFineTuned(masks);
        File file = dir.resolve("mlp.sd").toFile();
        SameDiffSparsity.save(sd, file, masks[0]);
        SameDiff resumed = SameDiff.load(file, true);
        ParameterMask first = masks[0].masks().get(0);
        int pruned = first.firstPruned();
        INDArray w = resumed.getVariable(first.name()).getArr();
        long[] coords = first.shape().coordinates(pruned);
        w.putScalar(coords, 0.25);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SameDiffSparsity.loadMasks(resumed, file));
        assertTrue(e.getMessage().contains(first.name()), e.getMessage());
        assertThrows(java.io.IOException.class, () -> SameDiffSparsity.loadMasks(resumed,
                dir.resolve("missing.sd").toFile()));
        // the masks of this graph against a graph of another width: the same documented exception
        SameDiff other = SameDiffTasks.mlp(8, 1);
        e = assertThrows(IllegalStateException.class, () -> SameDiffSparsity.loadMasks(other, file));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
    }

    @Test
    void exportWritesPlainPrunedWeightsWithoutMasks(@TempDir Path dir) throws Exception {
        MaskSet[] masks = new MaskSet[1];
        SameDiff sd = prunedAndFineTuned(masks);
        File file = dir.resolve("mlp-sparse.sd").toFile();
        VerificationReport report = SameDiffSparsity.export(sd, masks[0], file);
        assertTrue(report.isValid(), report.toString());
        assertFalse(Files.exists(SameDiffSparsity.maskFile(file.toPath())));
        SameDiff exported = SameDiff.load(file, false);
        VerificationReport again = SameDiffSparsity.verify(exported, masks[0]);
        assertTrue(again.isValid(), again.toString());
        assertEquals(3, again.checks().size());
        for (ParameterMask m : masks[0].masks()) {
            float[] w = SameDiffSparsity.readFloats(exported.getVariable(m.name()).getArr());
            for (int i = 0; i < w.length; i++) {
                if (!m.isKept(i)) {
                    assertEquals(0, Float.floatToRawIntBits(w[i]), m.name() + " index " + i + " is not +0");
                }
            }
        }
    }
}
