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
import org.sparsity4j.core.training.SyntheticTask;

/** A small MLP, training loop and evaluation for the DJL tests (PyTorch engine, CPU). */
final class DjlTasks {
    static final int FEATURES = SyntheticTask.FEATURES;
    static final int CLASSES = SyntheticTask.CLASSES;

    private DjlTasks() {
    }

    static Engine engine() {
        return Engine.getEngine("PyTorch");
    }

    static SyntheticTask data(long seed, int rows) {
        return SyntheticTask.generate(seed, rows);
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
    static void train(Trainer trainer, SyntheticTask d, int epochs, int batch, Runnable afterStep) {
        NDManager manager = trainer.getManager();
        for (int e = 0; e < epochs; e++) {
            for (int start = 0; start + batch <= d.rows(); start += batch) {
                try (NDManager sub = manager.newSubManager()) {
                    float[] xb = d.xRows(start, batch);
                    float[] yb = new float[batch];
                    for (int i = 0; i < batch; i++) {
                        yb[i] = d.labels()[start + i];
                    }
                    step(trainer, sub.create(xb, new Shape(batch, FEATURES)), sub.create(yb, new Shape(batch)));
                }
                afterStep.run();
            }
        }
    }

    static double accuracy(Model model, SyntheticTask d) {
        try (NDManager sub = model.getNDManager().newSubManager()) {
            NDArray x = sub.create(d.x(), new Shape(d.rows(), FEATURES));
            NDArray logits = model.getBlock().forward(new ParameterStore(sub, false), new NDList(x), false)
                    .singletonOrThrow();
            return d.accuracy(logits.argMax(1).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray());
        }
    }
}
