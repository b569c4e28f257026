package org.sparsity4j.core.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import java.util.Random;

/** A seeded synthetic classification task and a small MLP for the DJL tests (PyTorch engine, CPU). */
final class DjlTasks {
    static final int FEATURES = 32;
    static final int CLASSES = 4;

    private DjlTasks() {
    }

    /** Inputs and labels; labels are the argmax of a fixed random two-layer teacher network. */
    record Data(float[] x, float[] y, int rows) {
    }

    static Engine engine() {
        return Engine.getEngine("PyTorch");
    }

    static Data data(long seed, int rows) {
        Random teacherRng = new Random(12345);
        float[][] w1 = gaussian(teacherRng, 24, FEATURES);
        float[][] w2 = gaussian(teacherRng, CLASSES, 24);
        Random rng = new Random(seed);
        float[] x = new float[rows * FEATURES];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < FEATURES; f++) {
                x[r * FEATURES + f] = (float) rng.nextGaussian();
            }
            double[] h = new double[24];
            for (int i = 0; i < 24; i++) {
                double s = 0;
                for (int f = 0; f < FEATURES; f++) {
                    s += w1[i][f] * x[r * FEATURES + f];
                }
                h[i] = Math.tanh(s / Math.sqrt(FEATURES));
            }
            int best = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                double s = 0;
                for (int i = 0; i < 24; i++) {
                    s += w2[c][i] * h[i];
                }
                if (s > bestV) {
                    bestV = s;
                    best = c;
                }
            }
            y[r] = best;
        }
        return new Data(x, y, rows);
    }

    private static float[][] gaussian(Random rng, int rows, int cols) {
        float[][] w = new float[rows][cols];
        for (float[] row : w) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) rng.nextGaussian();
            }
        }
        return w;
    }

    static Block mlp(int hidden) {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(CLASSES).build());
    }

    static Model model(Block block, long seed) {
        engine().setRandomSeed((int) seed);
        Model model = Model.newInstance("mlp", Device.cpu(), "PyTorch");
        model.setBlock(block);
        return model;
    }

    static Trainer trainer(Model model, Optimizer optimizer, boolean initialize) {
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(optimizer)
                .optDevices(new Device[] {Device.cpu()});
        Trainer trainer = model.newTrainer(config);
        if (initialize) {
            trainer.initialize(new Shape(1, FEATURES));
        }
        return trainer;
    }

    /** One optimizer step on one batch. */
    static void step(Trainer trainer, NDArray x, NDArray y) {
        try (GradientCollector gc = trainer.newGradientCollector()) {
            NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
            NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(pred));
            gc.backward(loss);
        }
        trainer.step();
    }

    /** Epochs of mini-batch training over the data in order. */
    static void train(Trainer trainer, Data d, int epochs, int batch, Runnable afterStep) {
        NDManager manager = trainer.getManager();
        for (int e = 0; e < epochs; e++) {
            for (int start = 0; start + batch <= d.rows(); start += batch) {
                try (NDManager sub = manager.newSubManager()) {
                    float[] xb = new float[batch * FEATURES];
                    float[] yb = new float[batch];
                    System.arraycopy(d.x(), start * FEATURES, xb, 0, xb.length);
                    System.arraycopy(d.y(), start, yb, 0, batch);
                    step(trainer, sub.create(xb, new Shape(batch, FEATURES)), sub.create(yb, new Shape(batch)));
                }
                afterStep.run();
            }
        }
    }

    static double accuracy(Model model, Data d) {
        try (NDManager sub = model.getNDManager().newSubManager()) {
            NDArray x = sub.create(d.x(), new Shape(d.rows(), FEATURES));
            NDArray logits = model.getBlock().forward(new ParameterStore(sub, false), new NDList(x), false)
                    .singletonOrThrow();
            float[] pred = logits.argMax(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            int correct = 0;
            for (int i = 0; i < d.rows(); i++) {
                if (pred[i] == d.y()[i]) {
                    correct++;
                }
            }
            return correct / (double) d.rows();
        }
    }
}
