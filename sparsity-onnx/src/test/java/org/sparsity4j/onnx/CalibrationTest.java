package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.validate.Validator;
import org.sparsity4j.onnx.proto.OnnxSubset.GraphProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;

/**
 * Activation-aware pruning on hand-built models whose activation norms make the Wanda choice differ
 * from the magnitude choice in a known way, and the pieces it is made of.
 */
class CalibrationTest {
    @TempDir
    Path dir;

    /** Weights of one output column over K=4: magnitude keeps features 0 and 1. */
    static final float[] W4 = {3f, 2.5f, 1f, 0.9f};
    /** Per-feature input scales: Wanda keeps features 2 and 3 (scores 0.03, 0.025 vs 10, 9). */
    static final float[] SCALE4 = {0.01f, 0.01f, 10f, 10f};

    /** Writes samples of input "x": values x[.., k] = scale[k] * (1 + |gaussian|) with k the feature index. */
    Path samples(String name, int count, long[] dims, int featureAxis, float[] scale, long seed) throws Exception {
        Path d = dir.resolve(name);
        Random r = new Random(seed);
        int n = 1;
        for (long x : dims) {
            n *= (int) x;
        }
        long inner = 1;
        for (int a = featureAxis + 1; a < dims.length; a++) {
            inner *= dims[a];
        }
        for (int s = 0; s < count; s++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                int f = (int) ((i / inner) % dims[featureAxis]);
                v[i] = scale[f] * (float) (1 + Math.abs(r.nextGaussian())) * (r.nextBoolean() ? 1 : -1);
            }
            Path sd = d.resolve(String.format("sample_%02d", s));
            Files.createDirectories(sd);
            Files.write(sd.resolve("input_0.pb"), Models.floats("x", v, dims).toByteArray());
        }
        return d;
    }

    static float[] repeatColumns(float[] w, int n) { // [K, N] with every column = w
        float[] out = new float[w.length * n];
        for (int k = 0; k < w.length; k++) {
            for (int j = 0; j < n; j++) {
                out[k * n + j] = w[k];
            }
        }
        return out;
    }

    /** Returns, for each element of the pruned tensor, whether it is kept (non-zero). */
    boolean[] kept(Path model, String name) throws Exception {
        Tensor t = Fixtures.tensors(model).get(name);
        boolean[] k = new boolean[(int) t.shape().size()];
        for (int i = 0; i < k.length; i++) {
            k[i] = t.type().decode(t.bits(i)) != 0;
        }
        return k;
    }

    PruneReport prune(Path in, Path calib, String out) throws Exception {
        PruneOptions o = PruneOptions.defaults();
        if (calib != null) {
            o = o.withCalibration(Calibration.directory(calib));
        }
        return OnnxPruner.prune(in, dir.resolve(out), o);
    }

    @Test
    void matMulKeepsTheFeaturesWithLargeActivationsNotTheLargestWeights() throws Exception {
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x", DataTypes.FLOAT, -1, 4))
                .addInitializer(Models.floats("W", repeatColumns(W4, 3), 4, 3))
                .addNode(Models.node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(Models.value("y", DataTypes.FLOAT, -1, 3)).build();
        Path in = Models.write(dir, "mm.onnx", Models.model(g));
        Path calib = samples("calib", 4, new long[] {5, 4}, 1, SCALE4, 1);
        PruneReport rw = prune(in, calib, "w.onnx");
        prune(in, null, "m.onnx");
        boolean[] w = kept(dir.resolve("w.onnx"), "W");
        boolean[] m = kept(dir.resolve("m.onnx"), "W");
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(k < 2, m[k * 3 + j], "magnitude k=" + k);
                assertEquals(k >= 2, w[k * 3 + j], "wanda k=" + k);
            }
        }
        TensorReport t = Fixtures.find(rw, "W");
        assertEquals("wanda", t.scoring());
        assertEquals((1f + 0.9f) / (3f + 2.5f + 1f + 0.9f), t.retainedMagnitude(), 1e-6);
        assertTrue(t.retainedScore() > 0.99, "retained score " + t.retainedScore());
        assertEquals(4, rw.calibration().samples());
        assertEquals(1, rw.calibration().consumers());
    }

    @Test
    void gemmWithTransAAndTransBScoresTheStoredAxisOne() throws Exception {
        // A is [K, M] (transA), B is stored [N, K] (transB): groups run along B's axis 1.
        float[] b = new float[2 * 4];
        for (int n = 0; n < 2; n++) {
            System.arraycopy(W4, 0, b, n * 4, 4);
        }
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x", DataTypes.FLOAT, 4, 6))
                .addInitializer(Models.floats("B", b, 2, 4))
                .addNode(Models.node("Gemm", "gemm", List.of("x", "B"), List.of("y"), Models.attrInt("transA", 1),
                        Models.attrInt("transB", 1)))
                .addOutput(Models.value("y", DataTypes.FLOAT, 6, 2)).build();
        Path in = Models.write(dir, "gemm.onnx", Models.model(g));
        Path calib = samples("calib", 3, new long[] {4, 6}, 0, SCALE4, 2);
        PruneReport r = prune(in, calib, "w.onnx");
        assertEquals(1, Fixtures.find(r, "B").axis());
        boolean[] w = kept(dir.resolve("w.onnx"), "B");
        for (int n = 0; n < 2; n++) {
            for (int k = 0; k < 4; k++) {
                assertEquals(k >= 2, w[n * 4 + k], "n=" + n + " k=" + k);
            }
        }
    }

    @Test
    void transposedWeightGetsScoresInItsStoredLayout() throws Exception {
        // Stored [N=3, K=4] -> Transpose -> MatMul B [K, N]; batched activation [2, 5, K].
        float[] s = new float[3 * 4];
        for (int n = 0; n < 3; n++) {
            System.arraycopy(W4, 0, s, n * 4, 4);
        }
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x", DataTypes.FLOAT, 2, 5, 4))
                .addInitializer(Models.floats("Wt", s, 3, 4))
                .addNode(Models.node("Transpose", "t", List.of("Wt"), List.of("W"), Models.attrInts("perm", 1, 0)))
                .addNode(Models.node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(Models.value("y", DataTypes.FLOAT, 2, 5, 3)).build();
        Path in = Models.write(dir, "t.onnx", Models.model(g));
        Path calib = samples("calib", 2, new long[] {2, 5, 4}, 2, SCALE4, 3);
        PruneReport r = prune(in, calib, "w.onnx");
        assertEquals(1, Fixtures.find(r, "Wt").axis());
        assertEquals("wanda", Fixtures.find(r, "Wt").scoring());
        boolean[] w = kept(dir.resolve("w.onnx"), "Wt");
        for (int n = 0; n < 3; n++) {
            for (int k = 0; k < 4; k++) {
                assertEquals(k >= 2, w[n * 4 + k], "n=" + n + " k=" + k);
            }
        }
    }

    @Test
    void convScoresEachChannelAndKernelPosition() throws Exception {
        // Cin=4, 3x3 kernel, 4x4 input, no padding: kernel row 0 reads input rows 0-1, kernel rows 1-2 read
        // input rows 1-3. Channels 0 and 1 are large in input row 0 only, channels 2 and 3 moderate everywhere.
        // Weights per channel 3, 2.5, 1, 0.9: magnitude keeps channels 0, 1 at every kernel position;
        // Wanda keeps 0, 1 at kernel row 0 and 2, 3 at kernel rows 1 and 2.
        int cin = 4;
        int cout = 2;
        float[] w = new float[cout * cin * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = W4[(i / 9) % cin];
        }
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x", DataTypes.FLOAT, 1, 4, 4, 4))
                .addInitializer(Models.floats("K", w, cout, cin, 3, 3))
                .addNode(Models.node("Conv", "conv", List.of("x", "K"), List.of("y")))
                .addOutput(Models.value("y", DataTypes.FLOAT, 1, 2, 2, 2)).build();
        Path in = Models.write(dir, "conv.onnx", Models.model(g));
        Path d = dir.resolve("calib/sample_00");
        Files.createDirectories(d);
        float[] x = new float[cin * 16];
        for (int c = 0; c < cin; c++) {
            for (int h = 0; h < 4; h++) {
                for (int v = 0; v < 4; v++) {
                    x[c * 16 + h * 4 + v] = c < 2 ? (h == 0 ? 100f : 0f) : 1f;
                }
            }
        }
        Files.write(d.resolve("input_0.pb"), Models.floats("x", x, 1, cin, 4, 4).toByteArray());
        prune(in, dir.resolve("calib"), "w.onnx");
        boolean[] kw = kept(dir.resolve("w.onnx"), "K");
        for (int o = 0; o < cout; o++) {
            for (int c = 0; c < cin; c++) {
                for (int p = 0; p < 9; p++) {
                    boolean row0 = p / 3 == 0;
                    assertEquals(row0 == (c < 2), kw[(o * cin + c) * 9 + p], "o=" + o + " c=" + c + " kpos=" + p);
                }
            }
        }
    }

    /** Brute-force im2col column norms, for comparison. */
    static double[] im2colSumSquares(float[] x, int n, int c, int h, int w, int kh, int kw, int[] s, int[] p, int[] dl,
            int oh, int ow) {
        double[] out = new double[c * kh * kw];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        for (int y = 0; y < oh; y++) {
                            for (int z = 0; z < ow; z++) {
                                int iy = y * s[0] - p[0] + i * dl[0];
                                int iz = z * s[1] - p[1] + j * dl[1];
                                if (iy >= 0 && iy < h && iz >= 0 && iz < w) {
                                    double v = x[((b * c + ch) * h + iy) * w + iz];
                                    out[(ch * kh + i) * kw + j] += v * v;
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void convNormsEqualBruteForceIm2col() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        for (int trial = 0; trial < 60; trial++) {
            int n = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(3);
            int h = 3 + r.nextInt(6);
            int w = 3 + r.nextInt(6);
            int kh = 1 + r.nextInt(3);
            int kw = 1 + r.nextInt(3);
            int[] s = {1 + r.nextInt(2), 1 + r.nextInt(3)};
            int[] dl = {1 + r.nextInt(2), 1 + r.nextInt(2)};
            String autoPad = List.of("NOTSET", "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER").get(r.nextInt(5));
            int[] pads = {r.nextInt(2), r.nextInt(2), r.nextInt(2), r.nextInt(2)};
            int effH = (kh - 1) * dl[0] + 1;
            int effW = (kw - 1) * dl[1] + 1;
            int[] begin;
            int oh;
            int ow;
            switch (autoPad) {
                case "VALID":
                    begin = new int[] {0, 0};
                    oh = (h - effH) / s[0] + 1;
                    ow = (w - effW) / s[1] + 1;
                    break;
                case "SAME_UPPER":
                case "SAME_LOWER": {
                    oh = (h + s[0] - 1) / s[0];
                    ow = (w + s[1] - 1) / s[1];
                    int th = Math.max(0, (oh - 1) * s[0] + effH - h);
                    int tw = Math.max(0, (ow - 1) * s[1] + effW - w);
                    begin = autoPad.equals("SAME_UPPER") ? new int[] {th / 2, tw / 2}
                            : new int[] {th - th / 2, tw - tw / 2};
                    break;
                }
                default:
                    begin = new int[] {pads[0], pads[1]};
                    oh = (h + pads[0] + pads[2] - effH) / s[0] + 1;
                    ow = (w + pads[1] + pads[3] - effW) / s[1] + 1;
            }
            if (oh <= 0 || ow <= 0) {
                continue;
            }
            List<org.sparsity4j.onnx.proto.OnnxSubset.AttributeProto> attrs = new ArrayList<>();
            attrs.add(Models.attrInts("strides", s[0], s[1]));
            attrs.add(Models.attrInts("dilations", dl[0], dl[1]));
            if (autoPad.equals("NOTSET")) {
                attrs.add(Models.attrInts("pads", pads[0], pads[1], pads[2], pads[3]));
            } else {
                attrs.add(org.sparsity4j.onnx.proto.OnnxSubset.AttributeProto.newBuilder().setName("auto_pad")
                        .setType(3).setS(com.google.protobuf.ByteString.copyFromUtf8(autoPad)).build());
            }
            var node = Models.node("Conv", "c", List.of("x", "W"), List.of("y"),
                    attrs.toArray(new org.sparsity4j.onnx.proto.OnnxSubset.AttributeProto[0]));
            ConsumerUse u = new ConsumerUse("Conv", "c", 1, 0, c, 2, "", node, "graph/node[0]", true,
                    new long[] {2, c, kh, kw}, List.of());
            ActivationNorms a = ActivationNorms.of(u);
            float[] x = Models.randomFloats(r, n * c * h * w);
            a.add(x, new long[] {n, c, h, w});
            double[] want = im2colSumSquares(x, n, c, h, w, kh, kw, s, begin, dl, oh, ow);
            String what = "seed " + seed + " trial " + trial + " " + autoPad;
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], a.sumSquares()[i], 1e-9 * Math.max(1, want[i]), what + " feature " + i);
            }
        }
    }

    @Test
    void viewStepUndoInvertsATransposeExhaustively() {
        long[] dims = {2, 3, 4};
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int[] perm : perms) {
            // out[o0, o1, o2] = in[coords with in[perm[i]] = o_i]: fill out with the input's flat index.
            long[] od = {dims[perm[0]], dims[perm[1]], dims[perm[2]]};
            float[] out = new float[24];
            for (int i = 0; i < 24; i++) {
                long[] oc = {i / (od[1] * od[2]), (i / od[2]) % od[1], i % od[2]};
                long[] ic = new long[3];
                for (int a = 0; a < 3; a++) {
                    ic[perm[a]] = oc[a];
                }
                out[i] = (ic[0] * dims[1] + ic[1]) * dims[2] + ic[2];
            }
            float[] in = new ViewStep(dims, perm).undo(out);
            for (int i = 0; i < 24; i++) {
                assertEquals(i, in[i], 0, java.util.Arrays.toString(perm));
            }
        }
    }

    @Test
    void randomCalibrationNeedsShapesForDynamicDims() throws Exception {
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x", DataTypes.FLOAT, -1, 8))
                .addInitializer(Models.floats("W", Models.randomFloats(new Random(4), 32), 8, 4))
                .addNode(Models.node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(Models.value("y", DataTypes.FLOAT, -1, 4)).build();
        Path in = Models.write(dir, "dyn.onnx", Models.model(g));
        Path out = dir.resolve("out.onnx");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxPruner.prune(in, out,
                PruneOptions.defaults().withCalibration(Calibration.random(2))));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("--shape"), e.getMessage());
        assertTrue(!Files.exists(out));
        PruneReport r = OnnxPruner.prune(in, out, PruneOptions.defaults().withCalibration(Calibration.random(3)
                .withShape("x", 5, 8).withEvaluationRandom(2)));
        assertEquals("wanda", Fixtures.find(r, "W").scoring());
        assertEquals(3, r.calibration().samples());
        assertEquals(2, r.calibration().evaluationSamples());
        assertTrue(r.calibration().fidelity().get(0).relativeError() > 0);
        assertTrue(Validator.checkStrip(Fixtures.tensors(out).get("W"),
                org.sparsity4j.core.pattern.SparsityPattern.TWO_OF_FOUR, 0).isValid());
    }

    @Test
    void tileMasksFromScores() throws Exception {
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x", DataTypes.FLOAT, 2, 8))
                .addInitializer(Models.floats("W", Models.randomFloats(new Random(5), 64), 8, 8))
                .addNode(Models.node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(Models.value("y", DataTypes.FLOAT, 2, 8)).build();
        Path in = Models.write(dir, "tile.onnx", Models.model(g));
        Path out = dir.resolve("out.onnx");
        PruneReport r = OnnxPruner.prune(in, out, PruneOptions.defaults().withMask(MaskChoice.TILE)
                .withCalibration(Calibration.random(2)));
        assertEquals(Action.PRUNE, Fixtures.find(r, "W").action());
        assertTrue(Validator.checkTile(Fixtures.tensors(out).get("W"), 0, 1).isValid());
    }

    @Test
    void subgraphConsumersFallBackToMagnitudeWithTheReason() throws Exception {
        GraphProto branch = GraphProto.newBuilder()
                .addNode(Models.node("MatMul", "inner", List.of("x", "W"), List.of("z")))
                .addOutput(Models.value("z", DataTypes.FLOAT, 2, 4)).build();
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x", DataTypes.FLOAT, 2, 8))
                .addInput(Models.value("c", 9))
                .addInitializer(Models.floats("W", Models.randomFloats(new Random(6), 32), 8, 4))
                .addNode(Models.node("If", "if", List.of("c"), List.of("y"), Models.attrGraph("then_branch", branch),
                        Models.attrGraph("else_branch", branch)))
                .addOutput(Models.value("y", DataTypes.FLOAT, 2, 4)).build();
        Path in = Models.write(dir, "if.onnx", Models.model(g));
        Path d = dir.resolve("calib/s0");
        Files.createDirectories(d);
        Files.write(d.resolve("input_0.pb"), Models.floats("x", new float[16], 2, 8).toByteArray());
        Files.write(d.resolve("c.pb"), Models.raw("c", 9, new byte[] {1}).toByteArray());
        PruneReport r = prune(in, dir.resolve("calib"), "out.onnx");
        TensorReport t = Fixtures.find(r, "W");
        assertEquals(Action.PRUNE, t.action());
        assertTrue(t.scoring().startsWith("magnitude (") && t.scoring().contains("subgraph"), t.scoring());
        assertTrue(Double.isNaN(t.retainedScore()));
    }

    @Test
    void npyFilesAreRead() throws Exception {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        ByteBuffer b = ByteBuffer.allocate(total + pad + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) (header.length() + pad + 1));
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < pad; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        for (int i = 0; i < 6; i++) {
            b.putFloat(i * 0.5f);
        }
        Path f = dir.resolve("a.npy");
        Files.write(f, b.array());
        InputData d = SampleFiles.npy(f, "x");
        assertEquals(DataTypes.FLOAT, d.dataType());
        assertEquals(List.of(2L, 3L), List.of(d.dims()[0], d.dims()[1]));
        assertEquals(2.5f, d.data().getFloat(20));
        byte[] bad = b.array().clone();
        Files.write(f, java.util.Arrays.copyOf(bad, bad.length - 4));
        OnnxInputException e = assertThrows(OnnxInputException.class, () -> SampleFiles.npy(f, "x"));
        assertTrue(e.getMessage().contains("needs 24"), e.getMessage());
    }

    @Test
    void aSampleWithoutAnInputFileIsNamed() throws Exception {
        Path s = dir.resolve("calib/sample_0");
        Files.createDirectories(s);
        Files.write(s.resolve("input_0.pb"), Models.floats("a", new float[2], 1, 2).toByteArray());
        OnnxInputException e = assertThrows(OnnxInputException.class, () -> SampleFiles.read(s, List.of("a", "b")));
        assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("sample_0"), e.getMessage());
        assertThrows(OnnxInputException.class, () -> SampleFiles.sampleDirs(dir.resolve("missing"), List.of("a")));
    }

    @Test
    void calibratedPruningIsDeterministic() throws Exception {
        // Same input and options give the same bytes, also with calibration.
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x", DataTypes.FLOAT, 3, 8))
                .addInitializer(Models.floats("W", Models.randomFloats(new Random(7), 64), 8, 8))
                .addNode(Models.node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(Models.value("y", DataTypes.FLOAT, 3, 8)).build();
        ModelProto m = Models.model(g);
        Path in = Models.write(dir, "det.onnx", m);
        PruneOptions o = PruneOptions.defaults().withCalibration(Calibration.random(4).withSeed(9));
        OnnxPruner.prune(in, dir.resolve("a.onnx"), o);
        OnnxPruner.prune(in, dir.resolve("b.onnx"), o);
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a.onnx")),
                Files.readAllBytes(dir.resolve("b.onnx"))));
    }

    @Test
    void layerByLayerScoresLaterLayersOnThePrunedActivations() throws Exception {
        // x: all 16 sign patterns of 4 features (exactly orthogonal, each of squared norm 16).
        // Layer 1, W1 [4, 4]: h0 = x0 + x1 + x2 + x3 (pruned to 2 terms: squared norm 64 -> 32),
        // h1 = 1.7 x0 (46.24), h2 = 1.6 x1 (40.96), h3 = 0. Layer 2, W2 [4, 2] of ones: scores are the
        // norms of h, so one-shot Wanda keeps h0, h1 and layer-by-layer keeps h1, h2.
        float[] w1 = {
            1, 1.7f, 0, 0,
            1, 0, 1.6f, 0,
            1, 0, 0, 0,
            1, 0, 0, 0};
        float[] w2 = new float[8];
        java.util.Arrays.fill(w2, 1f);
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x", DataTypes.FLOAT, 16, 4))
                .addInitializer(Models.floats("W1", w1, 4, 4))
                .addInitializer(Models.floats("W2", w2, 4, 2))
                .addNode(Models.node("MatMul", "l1", List.of("x", "W1"), List.of("h")))
                .addNode(Models.node("MatMul", "l2", List.of("h", "W2"), List.of("y")))
                .addOutput(Models.value("y", DataTypes.FLOAT, 16, 2)).build();
        Path in = Models.write(dir, "two.onnx", Models.model(g));
        float[] x = new float[64];
        for (int r = 0; r < 16; r++) {
            for (int k = 0; k < 4; k++) {
                x[r * 4 + k] = ((r >> k) & 1) == 0 ? 1f : -1f;
            }
        }
        Path sd = dir.resolve("calib/sample_0");
        Files.createDirectories(sd);
        Files.write(sd.resolve("input_0.pb"), Models.floats("x", x, 16, 4).toByteArray());
        Calibration cal = Calibration.directory(dir.resolve("calib"));
        PruneReport once = OnnxPruner.prune(in, dir.resolve("once.onnx"), PruneOptions.defaults().withCalibration(cal));
        PruneReport staged = OnnxPruner.prune(in, dir.resolve("staged.onnx"),
                PruneOptions.defaults().withCalibration(cal.withLayerByLayer(true)));
        assertEquals(1, once.calibration().stages());
        assertEquals(2, staged.calibration().stages());
        boolean[] a = kept(dir.resolve("once.onnx"), "W2");
        boolean[] b = kept(dir.resolve("staged.onnx"), "W2");
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < 2; j++) {
                assertEquals(k == 0 || k == 1, a[k * 2 + j], "one-shot k=" + k);
                assertEquals(k == 1 || k == 2, b[k * 2 + j], "layer by layer k=" + k);
            }
        }
        // The first layer is scored on the same (dense) activations in both modes.
        assertTrue(java.util.Arrays.equals(kept(dir.resolve("once.onnx"), "W1"), kept(dir.resolve("staged.onnx"), "W1")));
    }

    @Test
    void reshapePathKeepsTheElementOrder() throws Exception {
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x", DataTypes.FLOAT, 1, 5, 4))
                .addInitializer(Models.floats("W", repeatColumns(W4, 3), 4, 3))
                .addInitializer(Models.int64s("s", new long[] {1, 4, 3}, 3))
                .addNode(Models.node("Reshape", "r", List.of("W", "s"), List.of("W3")))
                .addNode(Models.node("MatMul", "mm", List.of("x", "W3"), List.of("y")))
                .addOutput(Models.value("y", DataTypes.FLOAT, 1, 5, 3)).build();
        Path in = Models.write(dir, "reshape.onnx", Models.model(g));
        Path calib = samples("calib", 2, new long[] {1, 5, 4}, 2, SCALE4, 8);
        PruneReport r = prune(in, calib, "w.onnx");
        assertEquals("wanda", Fixtures.find(r, "W").scoring());
        boolean[] w = kept(dir.resolve("w.onnx"), "W");
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(k >= 2, w[k * 3 + j], "k=" + k);
            }
        }
    }

    @Test
    void sharedWeightAddsTheSquaredNormsOfItsConsumers() throws Exception {
        // x1 is large in feature 0 only, x2 in feature 3 only: together Wanda keeps features 0 and 3
        // (either consumer alone would keep 0 and 1, as magnitude does).
        GraphProto g = GraphProto.newBuilder()
                .addInput(Models.value("x1", DataTypes.FLOAT, 6, 4))
                .addInput(Models.value("x2", DataTypes.FLOAT, 6, 4))
                .addInitializer(Models.floats("W", repeatColumns(W4, 2), 4, 2))
                .addNode(Models.node("MatMul", "a", List.of("x1", "W"), List.of("y1")))
                .addNode(Models.node("MatMul", "b", List.of("x2", "W"), List.of("y2")))
                .addOutput(Models.value("y1", DataTypes.FLOAT, 6, 2))
                .addOutput(Models.value("y2", DataTypes.FLOAT, 6, 2)).build();
        Path in = Models.write(dir, "shared.onnx", Models.model(g));
        Path a = samples("a", 2, new long[] {6, 4}, 1, new float[] {10f, 0.01f, 0.01f, 0.01f}, 9);
        Path b = samples("b", 2, new long[] {6, 4}, 1, new float[] {0.01f, 0.01f, 0.01f, 10f}, 10);
        Path calib = dir.resolve("calib");
        for (int s = 0; s < 2; s++) {
            Path sd = calib.resolve("sample_" + s);
            Files.createDirectories(sd);
            String n = String.format("sample_%02d", s);
            Files.copy(a.resolve(n).resolve("input_0.pb"), sd.resolve("x1.pb"));
            Files.copy(b.resolve(n).resolve("input_0.pb"), sd.resolve("input_1.pb"));
        }
        PruneReport r = prune(in, calib, "w.onnx");
        assertEquals(2, r.calibration().consumers());
        boolean[] w = kept(dir.resolve("w.onnx"), "W");
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < 2; j++) {
                assertEquals(k == 0 || k == 3, w[k * 2 + j], "k=" + k);
            }
        }
    }
}
