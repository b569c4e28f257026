package org.sparsity4j.core.nd4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.sparsity4j.core.training.SyntheticTask;

/** A small SameDiff MLP, training loop and evaluation for the ND4J tests (CPU backend). */
final class SameDiffTasks {
    static final int FEATURES = SyntheticTask.FEATURES;
    static final int CLASSES = SyntheticTask.CLASSES;

    private SameDiffTasks() {
    }

    /**
     * in [-1, 32] -mmul w0 [32, h]- relu -linear w1 [h, h]- relu -mmul w2 [h, 4]- logits; softmax
     * cross-entropy loss. Exercises both the mmul and the xw_plus_b (linear) ops.
     */
    static SameDiff mlp(int hidden, long seed) {
        Nd4j.getRandom().setSeed(seed);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, -1, FEATURES);
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, CLASSES);
        SDVariable w0 = sd.var("w0", he(FEATURES, hidden));
        SDVariable b0 = sd.var("b0", Nd4j.zeros(DataType.FLOAT, 1, hidden));
        SDVariable h0 = sd.nn().relu(in.mmul(w0).add(b0), 0);
        SDVariable w1 = sd.var("w1", he(hidden, hidden));
        SDVariable b1 = sd.var("b1", Nd4j.zeros(DataType.FLOAT, hidden));
        SDVariable h1 = sd.nn().relu(sd.nn().linear(h0, w1, b1), 0);
        SDVariable w2 = sd.var("w2", he(hidden, CLASSES));
        SDVariable b2 = sd.var("b2", Nd4j.zeros(DataType.FLOAT, 1, CLASSES));
        SDVariable logits = h1.mmul(w2).add("logits", b2);
        sd.loss().softmaxCrossEntropy("loss", label, logits, null);
        sd.setLossVariables("loss");
        return sd;
    }

    private static INDArray he(int in, int out) {
        return Nd4j.randn(DataType.FLOAT, in, out).muli(Math.sqrt(2.0 / in));
    }

    static void configure(SameDiff sd, IUpdater updater, Regularization... regularization) {
        TrainingConfig.Builder b = new TrainingConfig.Builder()
                .updater(updater)
                .dataSetFeatureMapping("in")
                .dataSetLabelMapping("label");
        if (regularization.length > 0) {
            b.regularization(regularization);
        }
        sd.setTrainingConfig(b.build());
    }

    static DataSet batch(SyntheticTask d, int start, int count) {
        INDArray x = Nd4j.create(d.xRows(start, count), new long[] {count, FEATURES}, 'c');
        INDArray y = Nd4j.zeros(DataType.FLOAT, count, CLASSES);
        for (int i = 0; i < count; i++) {
            y.putScalar(i, d.labels()[start + i], 1f);
        }
        return new DataSet(x, y);
    }

    /** Epochs of mini-batch training over the data in order, one fit call per batch. */
    static void train(SameDiff sd, SyntheticTask d, int epochs, int batch, Runnable afterStep) {
        for (int e = 0; e < epochs; e++) {
            for (int start = 0; start + batch <= d.rows(); start += batch) {
                sd.fit(batch(d, start, batch));
                afterStep.run();
            }
        }
    }

    static double accuracy(SameDiff sd, SyntheticTask d) {
        INDArray x = Nd4j.create(d.x(), new long[] {d.rows(), FEATURES}, 'c');
        INDArray logits = sd.batchOutput().input("in", x).output("logits").outputSingle();
        return d.accuracy(logits.argMax(1).toIntVector());
    }
}
