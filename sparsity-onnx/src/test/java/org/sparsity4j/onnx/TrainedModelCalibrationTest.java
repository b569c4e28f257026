package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real trained model: a 64-128-128-10 MLP trained on scikit-learn's digits data set and exported
 * with torch.onnx ({@code src/test/python/train_digits.py}), with 128 calibration samples (training
 * data) and 400 held-out samples with labels.
 */
class TrainedModelCalibrationTest {
    @TempDir
    Path dir;

    static Path resource(String name) throws URISyntaxException {
        return Path.of(TrainedModelCalibrationTest.class.getResource("/calibration/digits/" + name).toURI());
    }

    /** Top-1 accuracy of a model on the held-out samples against their labels. */
    static double accuracy(Path model) throws Exception {
        InputData labels = SampleFiles.npy(resource("evaluation/labels.npy"), "labels");
        List<Path> samples = SampleFiles.sampleDirs(resource("evaluation"), List.of("pixels"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int correct = 0;
        int total = 0;
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            for (Path sample : samples) {
                InputData x = SampleFiles.read(sample, List.of("pixels")).get("pixels");
                float[] v = new float[(int) (x.dims()[0] * x.dims()[1])];
                x.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                try (OnnxTensor in = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(v), x.dims());
                        OrtSession.Result r = s.run(Map.of("pixels", in))) {
                    float[][] logits = (float[][]) r.get(0).getValue();
                    for (float[] row : logits) {
                        int best = 0;
                        for (int c = 1; c < row.length; c++) {
                            if (row[c] > row[best]) {
                                best = c;
                            }
                        }
                        long label = labels.data().getLong(total * 8);
                        correct += best == label ? 1 : 0;
                        total++;
                    }
                }
            }
        }
        assertEquals(labels.dims()[0], total);
        return (double) correct / total;
    }

    @Test
    void javaNormsEqualTheNormsComputedInPyTorch() throws Exception {
        ModelFile m = ModelFile.open(resource("digits_mlp.onnx"));
        List<ConsumerUse> uses = new ArrayList<>();
        for (Candidate c : WeightDiscovery.discover(m.proto(), m.baseDir())) {
            uses.addAll(c.consumers());
        }
        assertEquals(3, uses.size(), uses.toString());
        CalibrationStats stats = Calibrator.collect(m, uses, Calibration.directory(resource("calibration")), s -> { });
        assertEquals(16, stats.samples);
        String[] layers = {"fc1", "fc2", "fc3"};
        for (int i = 0; i < 3; i++) {
            ActivationNorms a = stats.byNodePath.get(uses.get(i).nodePath());
            InputData ref = SampleFiles.npy(resource("norms_" + layers[i] + ".npy"), "ref");
            double[] ss = a.sumSquares();
            assertEquals(ref.dims()[0], ss.length);
            for (int k = 0; k < ss.length; k++) {
                double want = ref.data().getDouble(k * 8);
                assertEquals(want, Math.sqrt(ss[k]), 1e-5 * Math.max(1, want), layers[i] + " feature " + k);
            }
        }
    }

    @Test
    void wandaIsAtLeastAsFaithfulAsMagnitudeOnHeldOutData() throws Exception {
        Path in = resource("digits_mlp.onnx");
        Calibration cal = Calibration.directory(resource("calibration")).withEvaluation(resource("evaluation"));
        Path magnitude = dir.resolve("magnitude.onnx");
        Path wanda = dir.resolve("wanda.onnx");
        PruneReport rm = OnnxPruner.prune(in, magnitude, PruneOptions.defaults());
        PruneReport rw = OnnxPruner.prune(in, wanda, PruneOptions.defaults().withCalibration(cal));
        assertEquals(3, rm.count(Action.PRUNE));
        assertEquals(3, rw.count(Action.PRUNE));
        for (TensorReport t : rw.tensors()) {
            assertEquals("wanda", t.scoring(), t.name());
            assertTrue(t.retainedScore() > 0.5 && t.retainedScore() <= 1, t.name() + " " + t.retainedScore());
            // Wanda keeps more of the score and less (or equal) magnitude than magnitude pruning.
            TensorReport tm = Fixtures.find(rm, t.name());
            assertTrue(t.retainedMagnitude() <= tm.retainedMagnitude() + 1e-12, t.name());
        }
        // Fidelity of the magnitude-pruned model, measured by the same code.
        List<OutputFidelity> fm = Calibrator.fidelity(in, magnitude, ModelFile.open(in), cal, s -> { }, new int[1]);
        CalibrationReport c = rw.calibration();
        assertEquals(16, c.samples());
        assertEquals(8, c.evaluationSamples());
        OutputFidelity fw = c.fidelity().get(0);
        assertEquals(400, fw.rows());
        double dense = accuracy(in);
        double accM = accuracy(magnitude);
        double accW = accuracy(wanda);
        System.out.printf(Locale.ROOT, "digits MLP, 400 held-out samples: top-1 accuracy dense %.4f, 2:4 magnitude %.4f,"
                + " 2:4 Wanda %.4f; agreement with dense: magnitude %.4f, Wanda %.4f; relative output error:"
                + " magnitude %.4f, Wanda %.4f%n", dense, accM, accW, fm.get(0).top1Agreement(), fw.top1Agreement(),
                fm.get(0).relativeError(), fw.relativeError());
        // Model-level fidelity: the relative output error against the dense model on held-out data.
        assertTrue(fw.relativeError() <= fm.get(0).relativeError(), "Wanda relative error above magnitude's");
        // Layer-by-layer mode: measured and reported, held to the same bound.
        Path staged = dir.resolve("staged.onnx");
        PruneReport rs = OnnxPruner.prune(in, staged, PruneOptions.defaults().withCalibration(cal.withLayerByLayer(true)));
        assertEquals(3, rs.calibration().stages());
        OutputFidelity fs = rs.calibration().fidelity().get(0);
        System.out.printf(Locale.ROOT, "layer by layer: top-1 accuracy %.4f, agreement %.4f, relative error %.4f%n",
                accuracy(staged), fs.top1Agreement(), fs.relativeError());
        assertTrue(fs.relativeError() <= fm.get(0).relativeError(), "layer-by-layer relative error above magnitude's");
        // The same masks computed independently in PyTorch (train_digits.py) give the same accuracies.
        String ref = Files.readString(resource("reference.txt"));
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile("dense ([0-9.]+), 2:4 magnitude ([0-9.]+), 2:4 Wanda"
                + " ([0-9.]+)").matcher(ref);
        assertTrue(mt.find(), ref);
        assertEquals(Double.parseDouble(mt.group(1)), dense, 1e-9, "dense accuracy");
        assertEquals(Double.parseDouble(mt.group(2)), accM, 1e-9, "magnitude accuracy vs PyTorch");
        assertEquals(Double.parseDouble(mt.group(3)), accW, 1e-9, "Wanda accuracy vs PyTorch");
    }
}
