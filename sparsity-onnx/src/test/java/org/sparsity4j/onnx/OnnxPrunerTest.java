package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsity4j.onnx.Fixtures.assertBitsEqual;
import static org.sparsity4j.onnx.Fixtures.assertPruned;
import static org.sparsity4j.onnx.Fixtures.assertSkipped;
import static org.sparsity4j.onnx.Fixtures.find;
import static org.sparsity4j.onnx.Models.attrGraph;
import static org.sparsity4j.onnx.Models.attrInt;
import static org.sparsity4j.onnx.Models.attrInts;
import static org.sparsity4j.onnx.Models.attrTensor;
import static org.sparsity4j.onnx.Models.floats;
import static org.sparsity4j.onnx.Models.node;
import static org.sparsity4j.onnx.Models.randomFloats;
import static org.sparsity4j.onnx.Models.value;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsity4j.core.mask.StripMasker;
import org.sparsity4j.core.mask.TileMasker;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.HalfFloats;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.validate.Validator;
import org.sparsity4j.onnx.proto.OnnxSubset.GraphProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;

/** Weight discovery and pruning on models built in code, checked against the core and ONNX Runtime. */
class OnnxPrunerTest {
    private static final int F = DataTypes.FLOAT;
    @TempDir
    Path dir;

    private static Tensor coreMasked(TensorProto t, int axis, SparsityPattern p) {
        float[] v = new float[t.getRawData().size() / 4];
        t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        Tensor w = Tensor.ofFloats(v, dims);
        StripMasker.of(p).prune(w, axis);
        return w;
    }

    @Test
    void matMulGemmAndConvArePrunedOnTheirReductionAxes() throws Exception {
        Random r = new Random(1);
        TensorProto b = floats("B", randomFloats(r, 8 * 12), 8, 12);
        TensorProto c = floats("C", randomFloats(r, 16 * 12), 16, 12);
        TensorProto w = floats("W", randomFloats(r, 4 * 8 * 9), 4, 8, 3, 3);
        TensorProto w1 = floats("W1", randomFloats(r, 8 * 8 * 3), 8, 8, 3);
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(b).addInitializer(c).addInitializer(w).addInitializer(w1)
                .addInput(value("x", F, 2, 8)).addInput(value("img", F, 1, 8, 5, 5)).addInput(value("seq", F, 1, 8, 6))
                .addNode(node("MatMul", "mm", List.of("x", "B"), List.of("h")))
                .addNode(node("Gemm", "gemm", List.of("h", "C"), List.of("y"), attrInt("transB", 1)))
                .addNode(node("Conv", "conv", List.of("img", "W"), List.of("z")))
                .addNode(node("Conv", "conv1d", List.of("seq", "W1"), List.of("s")))
                .addOutput(value("y", F, 2, 16)).addOutput(value("z", F, 1, 4, 3, 3)).addOutput(value("s", F, 1, 8, 4))
                .build();
        Path in = Models.write(dir, "mm.onnx", Models.model(g));
        PruneReport rep = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 11);
        assertPruned(rep, "B", 0);
        assertPruned(rep, "C", 1);
        assertPruned(rep, "W", 1);
        assertPruned(rep, "W1", 1);
        Map<String, Tensor> out = Fixtures.tensors(dir.resolve("pruned-mm.onnx"));
        assertBitsEqual(coreMasked(b, 0, SparsityPattern.TWO_OF_FOUR), out.get("B"), "B");
        assertBitsEqual(coreMasked(c, 1, SparsityPattern.TWO_OF_FOUR), out.get("C"), "C");
        assertBitsEqual(coreMasked(w, 1, SparsityPattern.TWO_OF_FOUR), out.get("W"), "W");
        assertTrue(find(rep, "B").retainedMagnitude() > 0.5 && find(rep, "B").retainedMagnitude() < 1);
    }

    @Test
    void axesAreMappedThroughTransposeCastIdentityAndReshape() throws Exception {
        Random r = new Random(2);
        TensorProto w1 = floats("W1", randomFloats(r, 12 * 8), 12, 8);
        short[] h = new short[12 * 8];
        for (int i = 0; i < h.length; i++) {
            h[i] = HalfFloats.floatToFp16((float) r.nextGaussian());
        }
        TensorProto w2 = Models.shorts("W2", DataTypes.FLOAT16, h, 12, 8);
        TensorProto w3 = floats("W3", randomFloats(r, 8 * 16), 8, 16);
        TensorProto w4 = floats("W4", randomFloats(r, 4 * 32), 4, 32);
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(w1).addInitializer(w2).addInitializer(w3).addInitializer(w4)
                .addInitializer(Models.int64s("shape3", new long[] {1, 8, 16}, 3))
                .addInitializer(Models.int64s("shape4", new long[] {16, -1}, 2))
                .addInput(value("x", F, 2, 8))
                .addNode(node("Transpose", "t1", List.of("W1"), List.of("W1t"), attrInts("perm", 1, 0)))
                .addNode(node("MatMul", "mm1", List.of("x", "W1t"), List.of("h1")))
                .addNode(node("Cast", "c2", List.of("W2"), List.of("W2f"), attrInt("to", 1)))
                .addNode(node("Identity", "i2", List.of("W2f"), List.of("W2i")))
                .addNode(node("MatMul", "mm2", List.of("h1", "W2i"), List.of("h2")))
                .addNode(node("Reshape", "r3", List.of("W3", "shape3"), List.of("W3r")))
                .addNode(node("MatMul", "mm3", List.of("h2", "W3r"), List.of("y")))
                .addNode(node("Reshape", "r4", List.of("W4", "shape4"), List.of("W4r")))
                .addNode(node("MatMul", "mm4", List.of("y", "W4r"), List.of("z")))
                .addOutput(value("z", F, 1, 2, 8)).build();
        Path in = Models.write(dir, "paths.onnx", Models.model(g));
        PruneReport rep = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 12);
        assertPruned(rep, "W1", 1);
        assertPruned(rep, "W2", 0);
        assertPruned(rep, "W3", 0);
        assertSkipped(rep, "W4", "cannot be traced");
        Map<String, Tensor> out = Fixtures.tensors(dir.resolve("pruned-paths.onnx"));
        assertTrue(Validator.checkStrip(out.get("W1"), SparsityPattern.TWO_OF_FOUR, 1).isValid());
        assertTrue(Validator.checkStrip(out.get("W2"), SparsityPattern.TWO_OF_FOUR, 0).isValid());
        assertEquals(ElementType.FP16, out.get("W2").type());
    }

    @Test
    void dequantizeLinearPrunesTheInt8TensorOnlyWithZeroZeroPoints() throws Exception {
        Random r = new Random(3);
        byte[] q = new byte[8 * 12];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (r.nextInt(255) - 127);
        }
        float[] scale = new float[12];
        java.util.Arrays.fill(scale, 0.01f);
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(Models.bytes("Q", DataTypes.INT8, q, 8, 12))
                .addInitializer(Models.bytes("Q2", DataTypes.INT8, q, 8, 12))
                .addInitializer(floats("scale", scale, 12))
                .addInitializer(Models.bytes("zp", DataTypes.INT8, new byte[12], 12))
                .addInitializer(Models.bytes("zp2", DataTypes.INT8, new byte[] {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 12))
                .addInput(value("x", F, 2, 8))
                .addNode(node("DequantizeLinear", "dq", List.of("Q", "scale", "zp"), List.of("Wd"), attrInt("axis", 1)))
                .addNode(node("MatMul", "mm", List.of("x", "Wd"), List.of("y")))
                .addNode(node("DequantizeLinear", "dq2", List.of("Q2", "scale", "zp2"), List.of("Wd2"),
                        attrInt("axis", 1)))
                .addNode(node("MatMul", "mm2", List.of("x", "Wd2"), List.of("y2")))
                .addOutput(value("y", F, 2, 12)).addOutput(value("y2", F, 2, 12)).build();
        Path in = Models.write(dir, "qdq.onnx", Models.model(g));
        PruneReport rep = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 13);
        assertPruned(rep, "Q", 0);
        assertEquals("INT8", find(rep, "Q").dataType());
        assertSkipped(rep, "Q2", "non-zero zero point");
        Tensor out = Fixtures.tensors(dir.resolve("pruned-qdq.onnx")).get("Q");
        Tensor want = Tensor.ofBytes(ElementType.INT8, q.clone(), 8, 12);
        StripMasker.of(SparsityPattern.TWO_OF_FOUR).prune(want, 0);
        assertBitsEqual(want, out, "Q");
    }

    @Test
    void weightsInsideIfAndLoopBodiesAndOuterScopeReferencesArePruned() throws Exception {
        Random r = new Random(4);
        TensorProto wa = floats("Wa", randomFloats(r, 64), 8, 8);
        TensorProto wb = floats("Wb", randomFloats(r, 64), 8, 8);
        TensorProto wl = floats("Wl", randomFloats(r, 64), 8, 8);
        GraphProto thenG = GraphProto.newBuilder().setName("then")
                .addNode(node("MatMul", "then_mm", List.of("x", "Wa"), List.of("ty")))
                .addOutput(value("ty", F, 2, 8)).build();
        GraphProto elseG = GraphProto.newBuilder().setName("else")
                .addNode(node("Constant", "const_b", List.of(), List.of("Wb_c"), attrTensor("value", wb)))
                .addNode(node("MatMul", "else_mm", List.of("x", "Wb_c"), List.of("ey")))
                .addOutput(value("ey", F, 2, 8)).build();
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(value("i", DataTypes.INT64)).addInput(value("cin", 9)).addInput(value("v", F, 2, 8))
                .addNode(node("Identity", "cid", List.of("cin"), List.of("cout")))
                .addNode(node("MatMul", "loop_mm", List.of("v", "Wl"), List.of("vout")))
                .addOutput(value("cout", 9)).addOutput(value("vout", F, 2, 8)).build();
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(wa).addInitializer(wl).addInitializer(Models.int64s("trip", new long[] {2}))
                .addInput(value("x", F, 2, 8)).addInput(value("cond", 9))
                .addNode(node("If", "if", List.of("cond"), List.of("iy"), attrGraph("then_branch", thenG),
                        attrGraph("else_branch", elseG)))
                .addNode(node("MatMul", "main_mm", List.of("iy", "Wa"), List.of("m")))
                .addNode(node("Loop", "loop", List.of("trip", "", "m"), List.of("ly"), attrGraph("body", body)))
                .addOutput(value("ly", F, 2, 8)).build();
        Path in = Models.write(dir, "sub.onnx", Models.model(g));
        PruneReport rep = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 14);
        assertPruned(rep, "Wa", 0);
        assertEquals(2, find(rep, "Wa").consumers().size(), "Wa is used in the main graph and the then branch");
        assertPruned(rep, "Wb_c", 0);
        assertTrue(find(rep, "Wb_c").source().startsWith("Constant 'const_b'"), find(rep, "Wb_c").source());
        assertPruned(rep, "Wl", 0);
        // Both branches differ from the original for either condition value.
        Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 15);
    }

    @Test
    void weightsInsideScanBodiesArePruned() throws Exception {
        Random r = new Random(41);
        TensorProto inner = floats("Wi", randomFloats(r, 64), 8, 8);
        TensorProto outer = floats("Wo", randomFloats(r, 64), 8, 8);
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(value("s", F, 8)).addInput(value("xi", F, 8))
                .addNode(node("Constant", "const_i", List.of(), List.of("Wi_c"), attrTensor("value", inner)))
                .addNode(node("MatMul", "scan_mm", List.of("xi", "Wi_c"), List.of("h")))
                .addNode(node("MatMul", "scan_mm2", List.of("h", "Wo"), List.of("h2")))
                .addNode(node("Add", "acc", List.of("s", "h2"), List.of("s_out")))
                .addNode(node("Identity", "yid", List.of("h2"), List.of("y")))
                .addOutput(value("s_out", F, 8)).addOutput(value("y", F, 8)).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(outer)
                .addInput(value("s0", F, 8)).addInput(value("xs", F, 3, 8))
                .addNode(node("Scan", "scan", List.of("s0", "xs"), List.of("sN", "ys"), attrGraph("body", body),
                        attrInt("num_scan_inputs", 1)))
                .addOutput(value("sN", F, 8)).addOutput(value("ys", F, 3, 8)).build();
        Path in = Models.write(dir, "scan.onnx", Models.model(g));
        PruneReport rep = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 42);
        assertPruned(rep, "Wi_c", 0);
        assertPruned(rep, "Wo", 0);
        assertTrue(find(rep, "Wi_c").path().contains("/g/node[0]/attribute[0]/t"), find(rep, "Wi_c").path());
    }

    @Test
    void sharedWeightsArePrunedOnlyWhenAllConsumersAgree() throws Exception {
        Random r = new Random(5);
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(floats("U", randomFloats(r, 64), 8, 8))
                .addInitializer(floats("V", randomFloats(r, 64), 8, 8))
                .addInitializer(floats("W", randomFloats(r, 64), 8, 8))
                .addInput(value("x", F, 8, 8))
                .addNode(node("MatMul", "u1", List.of("x", "U"), List.of("a")))
                .addNode(node("MatMul", "u2", List.of("a", "U"), List.of("b")))
                .addNode(node("MatMul", "v1", List.of("b", "V"), List.of("c")))
                .addNode(node("Gemm", "v2", List.of("c", "V"), List.of("d"), attrInt("transB", 1)))
                .addNode(node("MatMul", "w1", List.of("d", "W"), List.of("e")))
                .addNode(node("Add", "w2", List.of("e", "W"), List.of("f")))
                .addNode(node("Shape", "shape", List.of("U"), List.of("su")))
                .addOutput(value("f", F, 8, 8)).addOutput(value("su", DataTypes.INT64, 2)).build();
        Path in = Models.write(dir, "shared.onnx", Models.model(g));
        PruneReport rep = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 16);
        assertPruned(rep, "U", 0);
        assertSkipped(rep, "V", "different axes");
        assertSkipped(rep, "W", "Add 'w2'");
    }

    @Test
    void unsupportedLayersAreSkippedWithReasons() throws Exception {
        Random r = new Random(6);
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(floats("Wg", randomFloats(r, 8 * 4 * 9), 8, 4, 3, 3))
                .addInitializer(floats("Wd", randomFloats(r, 8 * 9), 8, 1, 3, 3))
                .addInitializer(floats("B6", randomFloats(r, 6 * 8), 6, 8))
                .addInitializer(floats("Bv", randomFloats(r, 8), 8))
                .addInput(value("img", F, 1, 8, 5, 5)).addInput(value("x6", F, 2, 6)).addInput(value("x8", F, 2, 8))
                .addNode(node("Conv", "grouped", List.of("img", "Wg"), List.of("z1"), attrInt("group", 2)))
                .addNode(node("Conv", "dw", List.of("img", "Wd"), List.of("z2"), attrInt("group", 8)))
                .addNode(node("MatMul", "k6", List.of("x6", "B6"), List.of("y6")))
                .addNode(node("MatMul", "vec", List.of("x8", "Bv"), List.of("yv")))
                .addOutput(value("z1", F, 1, 8, 3, 3)).addOutput(value("z2", F, 1, 8, 3, 3))
                .addOutput(value("y6", F, 2, 8)).addOutput(value("yv", F, 2)).build();
        Path in = Models.write(dir, "skips.onnx", Models.model(g));
        PruneReport rep = OnnxPruner.report(in, PruneOptions.defaults());
        assertSkipped(rep, "Wg", "grouped convolution");
        assertSkipped(rep, "Wd", "depthwise convolution");
        assertSkipped(rep, "B6", "not a multiple of 4");
        assertSkipped(rep, "Bv", "vector");
    }

    @Test
    void filtersAndMinimumSize() throws Exception {
        Random r = new Random(7);
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(floats("enc.fc", randomFloats(r, 64), 8, 8))
                .addInitializer(floats("dec.fc", randomFloats(r, 64), 8, 8))
                .addInitializer(floats("big", randomFloats(r, 8 * 32), 8, 32))
                .addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "n_enc", List.of("x", "enc.fc"), List.of("a")))
                .addNode(node("MatMul", "n_dec", List.of("a", "dec.fc"), List.of("b")))
                .addNode(node("MatMul", "head", List.of("b", "big"), List.of("y")))
                .addOutput(value("y", F, 2, 32)).build();
        Path in = Models.write(dir, "filters.onnx", Models.model(g));
        PruneReport rep = OnnxPruner.report(in, PruneOptions.defaults().withInclude(Pattern.compile("^enc|head")));
        assertPruned(rep, "enc.fc", 0);
        assertSkipped(rep, "dec.fc", "--include");
        assertPruned(rep, "big", 0);
        rep = OnnxPruner.report(in, PruneOptions.defaults().withExclude(Pattern.compile("n_dec")).withMinElements(100));
        assertSkipped(rep, "enc.fc", "minimum size");
        assertSkipped(rep, "dec.fc", "--exclude");
        assertPruned(rep, "big", 0);
    }

    @Test
    void alreadySparseTensorsStayByteIdentical() throws Exception {
        Random r = new Random(8);
        float[] v = randomFloats(r, 8 * 12);
        for (int i = 0; i < v.length; i++) {
            int k = i / 12;
            if (k % 4 >= 2) {
                v[i] = (i % 3 == 0) ? -0.0f : 0.0f; // signed zeros must survive unchanged
            }
        }
        TensorProto s = floats("S", v, 8, 12);
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(s)
                .addInitializer(floats("D", randomFloats(r, 12 * 4), 12, 4))
                .addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "S"), List.of("h")))
                .addNode(node("MatMul", "mm2", List.of("h", "D"), List.of("y")))
                .addOutput(value("y", F, 2, 4)).build();
        Path in = Models.write(dir, "sparse.onnx", Models.model(g));
        PruneReport rep = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 18);
        assertEquals(Action.ALREADY_SPARSE, find(rep, "S").action());
        assertEquals(1.0, find(rep, "S").retainedMagnitude());
        ModelProto out = ModelProto.parseFrom(java.nio.file.Files.readAllBytes(dir.resolve("pruned-sparse.onnx")));
        assertEquals(s, out.getGraph().getInitializer(0), "already-sparse tensor changed");
    }

    /**
     * Twelve weights streamed in one pass, one scratch buffer reused for each: an already-sparse one
     * in the middle is copied from the input, signed zeros included, and the output is deterministic.
     */
    @Test
    void manyTensorsStreamedInOnePassStayExact() throws Exception {
        Random r = new Random(21);
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x0", F, 2, 16));
        TensorProto sparse = null;
        for (int i = 0; i < 12; i++) {
            float[] v = randomFloats(r, 16 * 16);
            if (i == 5) {
                for (int j = 0; j < v.length; j++) {
                    if ((j / 16) % 4 >= 2) {
                        v[j] = j % 3 == 0 ? -0.0f : 0.0f;
                    }
                }
            }
            TensorProto w = floats("W" + i, v, 16, 16);
            sparse = i == 5 ? w : sparse;
            g.addInitializer(w).addNode(node("MatMul", "mm" + i, List.of("x" + i, "W" + i), List.of("x" + (i + 1))));
        }
        g.addOutput(value("x12", F, 2, 16));
        Path in = Models.write(dir, "many.onnx", Models.model(g.build()));
        PruneReport rep = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 22);
        for (int i = 0; i < 12; i++) {
            if (i == 5) {
                assertEquals(Action.ALREADY_SPARSE, find(rep, "W5").action());
            } else {
                assertPruned(rep, "W" + i, 0);
            }
        }
        ModelProto out = ModelProto.parseFrom(java.nio.file.Files.readAllBytes(dir.resolve("pruned-many.onnx")));
        assertEquals(sparse, out.getGraph().getInitializer(5), "already-sparse tensor changed");
        Path again = dir.resolve("again-many.onnx");
        OnnxPruner.prune(in, again, PruneOptions.defaults());
        assertArrayEquals(java.nio.file.Files.readAllBytes(dir.resolve("pruned-many.onnx")),
                java.nio.file.Files.readAllBytes(again), "same input, different bytes");
    }

    @Test
    void typedFieldStorageIsPrunedInItsOwnField() throws Exception {
        Random r = new Random(9);
        TensorProto.Builder fd = TensorProto.newBuilder().setName("Fd").setDataType(F).addDims(8).addDims(4);
        for (float f : randomFloats(r, 32)) {
            fd.addFloatData(f);
        }
        TensorProto.Builder hd = TensorProto.newBuilder().setName("Hd").setDataType(DataTypes.FLOAT16)
                .addDims(4).addDims(8);
        for (int i = 0; i < 32; i++) {
            hd.addInt32Data(HalfFloats.floatToFp16((float) r.nextGaussian()) & 0xFFFF);
        }
        // A raw_data weight next to them: the model is re-serialized, then the raw tensor is patched.
        TensorProto raw = floats("R", randomFloats(r, 64), 8, 8);
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(fd).addInitializer(hd).addInitializer(raw)
                .addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "Fd"), List.of("h")))
                .addNode(node("Cast", "c", List.of("Hd"), List.of("Hf"), attrInt("to", 1)))
                .addNode(node("MatMul", "mm2", List.of("h", "Hf"), List.of("h2")))
                .addNode(node("MatMul", "mm3", List.of("h2", "R"), List.of("y")))
                .addOutput(value("y", F, 2, 8)).build();
        Path in = Models.write(dir, "typed.onnx", Models.model(g));
        PruneReport rep = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 19);
        assertPruned(rep, "Fd", 0);
        assertPruned(rep, "Hd", 0);
        assertEquals("float_data", find(rep, "Fd").storage());
        assertEquals("int32_data", find(rep, "Hd").storage());
        ModelProto out = ModelProto.parseFrom(java.nio.file.Files.readAllBytes(dir.resolve("pruned-typed.onnx")));
        assertEquals(32, out.getGraph().getInitializer(0).getFloatDataCount());
        assertEquals(32, out.getGraph().getInitializer(1).getInt32DataCount());
        assertTrue(!out.getGraph().getInitializer(0).hasRawData());
        assertPruned(rep, "R", 0);
        assertBitsEqual(coreMasked(raw, 0, SparsityPattern.TWO_OF_FOUR),
                Fixtures.tensors(dir.resolve("pruned-typed.onnx")).get("R"), "R");
    }

    /**
     * int32_data entries of a 16-bit type are the element's bits, zero- or sign-extended (both are
     * read as the same element); a value beyond 16 bits is a corrupt tensor, named with its index.
     */
    @Test
    void int32DataBeyondTheElementWidthIsAnInputError() throws Exception {
        Random r = new Random(10);
        for (int bad : new int[] {0x1_B9A1, -32769, 65536}) {
            TensorProto.Builder hd = TensorProto.newBuilder().setName("Hd").setDataType(DataTypes.FLOAT16)
                    .addDims(4).addDims(8);
            for (int i = 0; i < 32; i++) {
                hd.addInt32Data(i == 9 ? bad : HalfFloats.floatToFp16((float) r.nextGaussian()) & 0xFFFF);
            }
            GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(hd)
                    .addInput(value("x", F, 2, 4))
                    .addNode(node("Cast", "c", List.of("Hd"), List.of("Hf"), attrInt("to", 1)))
                    .addNode(node("MatMul", "mm", List.of("x", "Hf"), List.of("y")))
                    .addOutput(value("y", F, 2, 8)).build();
            Path in = Models.write(dir, "int32-" + bad + ".onnx", Models.model(g));
            Path out = dir.resolve("int32-out.onnx");
            OnnxInputException e = assertThrows(OnnxInputException.class,
                    () -> OnnxPruner.prune(in, out, PruneOptions.defaults()));
            assertTrue(e.getMessage().contains("tensor 'Hd'") && e.getMessage().contains("int32_data[9] = " + bad),
                    e.getMessage());
            assertFalse(java.nio.file.Files.exists(out), "output written despite the error");
        }
        // sign-extended bits are the same element as zero-extended ones
        TensorProto.Builder a = TensorProto.newBuilder().setName("Hd").setDataType(DataTypes.FLOAT16)
                .addDims(4).addDims(8);
        TensorProto.Builder b = a.clone();
        for (int i = 0; i < 32; i++) {
            int bits = HalfFloats.floatToFp16((float) r.nextGaussian()) & 0xFFFF;
            a.addInt32Data(bits);
            b.addInt32Data((short) bits);
        }
        assertBitsEqual(TensorData.load(a.build(), "Hd", DataTypes.elementType(DataTypes.FLOAT16), dir),
                TensorData.load(b.build(), "Hd", DataTypes.elementType(DataTypes.FLOAT16), dir), "Hd");
    }

    @Test
    void bf16AndFp8WeightsArePrunedByMagnitude() throws Exception {
        Random r = new Random(10);
        short[] bf = new short[8 * 8];
        for (int i = 0; i < bf.length; i++) {
            bf[i] = HalfFloats.floatToBf16((float) r.nextGaussian());
        }
        byte[] f8 = new byte[8 * 8];
        r.nextBytes(f8);
        for (int i = 0; i < f8.length; i++) {
            if ((f8[i] & 0x7F) == 0x7F) {
                f8[i] = 0x3C; // no NaNs in this test
            }
        }
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(Models.shorts("Wbf", DataTypes.BFLOAT16, bf, 8, 8))
                .addInitializer(Models.bytes("Wf8", DataTypes.FLOAT8E4M3FN, f8, 8, 8))
                .addInitializer(floats("s", new float[] {0.5f}))
                .addInput(value("x", DataTypes.BFLOAT16, 2, 8)).addInput(value("xf", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "Wbf"), List.of("y")))
                .addNode(node("DequantizeLinear", "dq", List.of("Wf8", "s"), List.of("Wd")))
                .addNode(node("MatMul", "mm2", List.of("xf", "Wd"), List.of("y2")))
                .addOutput(value("y", DataTypes.BFLOAT16, 2, 8)).addOutput(value("y2", F, 2, 8)).build();
        Path in = Models.write(dir, "bf.onnx", Models.model(g, 19));
        Path out = dir.resolve("bf-out.onnx");
        PruneReport rep = OnnxPruner.prune(in, out, PruneOptions.defaults());
        assertPruned(rep, "Wbf", 0);
        assertPruned(rep, "Wf8", 0);
        Map<String, Tensor> got = Fixtures.tensors(out);
        Tensor wantBf = Tensor.ofShorts(ElementType.BF16, bf.clone(), 8, 8);
        StripMasker.of(SparsityPattern.TWO_OF_FOUR).prune(wantBf, 0);
        assertBitsEqual(wantBf, got.get("Wbf"), "Wbf");
        Tensor wantF8 = Tensor.ofBytes(ElementType.FP8_E4M3, f8.clone(), 8, 8);
        StripMasker.of(SparsityPattern.TWO_OF_FOUR).prune(wantF8, 0);
        assertBitsEqual(wantF8, got.get("Wf8"), "Wf8");
    }

    @Test
    void tileMasksAndOneOfTwo() throws Exception {
        Random r = new Random(11);
        TensorProto b = floats("B", randomFloats(r, 16 * 12), 16, 12);
        TensorProto c = floats("C", randomFloats(r, 8 * 16), 8, 16);
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(b).addInitializer(c)
                .addInput(value("x", F, 2, 16))
                .addNode(node("MatMul", "mm", List.of("x", "B"), List.of("h")))
                .addNode(node("Gemm", "gemm", List.of("x", "C"), List.of("y"), attrInt("transB", 1)))
                .addOutput(value("h", F, 2, 12)).addOutput(value("y", F, 2, 8)).build();
        Path in = Models.write(dir, "tile.onnx", Models.model(g));
        PruneReport rep = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults().withMask(MaskChoice.TILE), 20);
        assertPruned(rep, "B", 0);
        assertEquals(1, find(rep, "B").otherAxis());
        assertPruned(rep, "C", 1);
        assertEquals(0, find(rep, "C").otherAxis());
        Map<String, Tensor> out = Fixtures.tensors(dir.resolve("pruned-tile.onnx"));
        assertTrue(Validator.checkTile(out.get("B"), 0, 1).isValid());
        assertTrue(Validator.checkTile(out.get("C"), 1, 0).isValid());
        float[] bv = new float[16 * 12];
        b.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(bv);
        Tensor want = Tensor.ofFloats(bv, 16, 12);
        TileMasker.twoOfFour().prune(want, 0, 1);
        assertBitsEqual(want, out.get("B"), "B tile");

        Path in2 = Models.write(dir, "half.onnx", Models.model(g));
        PruneReport half = Fixtures.pruneAndCompare(in2, dir, PruneOptions.defaults().withPattern(SparsityPattern.ONE_OF_TWO), 21);
        assertPruned(half, "B", 0);
        Map<String, Tensor> out2 = Fixtures.tensors(dir.resolve("pruned-half.onnx"));
        assertTrue(Validator.checkStrip(out2.get("B"), SparsityPattern.ONE_OF_TWO, 0).isValid());
        assertBitsEqual(coreMasked(b, 0, SparsityPattern.ONE_OF_TWO), out2.get("B"), "B 1:2");
    }

    /** Property: random layer shapes and kinds; the written tensor equals the core's mask of the original. */
    @Test
    void randomLayersMatchTheCoreMask() throws Exception {
        long base = 20261122L;
        for (int trial = 0; trial < 24; trial++) {
            long seed = base + trial;
            Random r = new Random(seed);
            int k = 4 * (1 + r.nextInt(12));
            int n = 1 + r.nextInt(40);
            int kind = r.nextInt(3);
            GraphProto.Builder g = GraphProto.newBuilder().setName("g");
            TensorProto w;
            int axis;
            switch (kind) {
                case 0:
                    w = floats("W", randomFloats(r, k * n), k, n);
                    axis = 0;
                    g.addInput(value("x", F, 2, k)).addNode(node("MatMul", "op", List.of("x", "W"), List.of("y")))
                            .addOutput(value("y", F, 2, n));
                    break;
                case 1:
                    w = floats("W", randomFloats(r, k * n), n, k);
                    axis = 1;
                    g.addInput(value("x", F, 2, k))
                            .addNode(node("Gemm", "op", List.of("x", "W"), List.of("y"), attrInt("transB", 1)))
                            .addOutput(value("y", F, 2, n));
                    break;
                default:
                    int ks = 1 + r.nextInt(3);
                    w = floats("W", randomFloats(r, n * k * ks * ks), n, k, ks, ks);
                    axis = 1;
                    g.addInput(value("x", F, 1, k, 4, 4)).addNode(node("Conv", "op", List.of("x", "W"), List.of("y")))
                            .addOutput(value("y", F, 1, n, 5 - ks, 5 - ks));
            }
            g.addInitializer(w);
            Path in = Models.write(dir, "rand" + trial + ".onnx", Models.model(g.build()));
            Path out = dir.resolve("rand" + trial + "-out.onnx");
            PruneReport rep = OnnxPruner.prune(in, out, PruneOptions.defaults());
            assertEquals(axis, find(rep, "W").axis(), "seed " + seed);
            assertBitsEqual(coreMasked(w, axis, SparsityPattern.TWO_OF_FOUR), Fixtures.tensors(out).get("W"),
                    "W (seed " + seed + ", kind " + kind + ", k " + k + ", n " + n + ")");
            if (trial % 6 == 0) {
                Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), seed);
            }
        }
    }
    @Test
    void zeroElementWeightsAreSkippedInEveryMode() throws Exception {
        // A [0, 8] weight without data: nothing to mask, listed as skipped; the rest of the model is pruned.
        Random r = new Random(20);
        TensorProto empty = TensorProto.newBuilder().setName("E").setDataType(F).addDims(0).addDims(8).build();
        TensorProto w = floats("W", randomFloats(r, 64), 8, 8);
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(empty).addInitializer(w)
                .addInput(value("x", F, 2, 0)).addInput(value("x2", F, 2, 8))
                .addNode(node("MatMul", "mm0", List.of("x", "E"), List.of("y0")))
                .addNode(node("MatMul", "mm", List.of("x2", "W"), List.of("y")))
                .addOutput(value("y0", F, 2, 8)).addOutput(value("y", F, 2, 8)).build();
        Path in = Models.write(dir, "zero.onnx", Models.model(g));
        Path out = dir.resolve("zero-out.onnx");
        PruneReport pruned = OnnxPruner.prune(in, out, PruneOptions.defaults());
        assertSkipped(pruned, "E", "has no elements");
        assertPruned(pruned, "W", 0);
        assertEquals(0, Fixtures.tensors(out).get("E").size());
        assertSkipped(OnnxPruner.report(in, PruneOptions.defaults()), "E", "has no elements");
        assertSkipped(OnnxPruner.check(in, PruneOptions.defaults()), "E", "has no elements");
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, org.sparsity4j.onnx.cli.SparsityCli.run(new String[] {"prune", in.toString(), "-o",
            out.toString(), "--json"}, ps, ps, false), text.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(text.toString(java.nio.charset.StandardCharsets.UTF_8).contains("\"reason\": \"has no elements"));
    }

    @Test
    void dataInMoreThanOneFieldIsSkippedAndLeftAsItIs() throws Exception {
        // Readers differ on which field holds such a tensor (ONNX Runtime takes raw_data): nothing is
        // pruned, and the tensor is written back unchanged. Fields outside the module's message subset
        // (double_data here) count as well, unless they hold no element (an empty packed uint64_data).
        Random r = new Random(21);
        TensorProto.Builder both = floats("Both", randomFloats(r, 64), 8, 8).toBuilder();
        for (float f : randomFloats(r, 64)) {
            both.addFloatData(f);
        }
        TensorProto.Builder inlineAndExternal = floats("InlineAndExternal", randomFloats(r, 64), 8, 8).toBuilder()
                .setDataLocation(TensorData.EXTERNAL).addExternalData(
                        org.sparsity4j.onnx.proto.OnnxSubset.StringStringEntryProto.newBuilder()
                                .setKey("location").setValue("w.bin"));
        java.nio.file.Files.write(dir.resolve("w.bin"), new byte[256]);
        TensorProto withDoubles = floats("WithDoubles", randomFloats(r, 64), 8, 8).toBuilder()
                .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder().addField(10,
                        com.google.protobuf.UnknownFieldSet.Field.newBuilder().addFixed64(
                                Double.doubleToRawLongBits(0.5)).build()).build()).build();
        TensorProto emptyUint64 = floats("EmptyUint64", randomFloats(r, 64), 8, 8).toBuilder()
                .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder().addField(11,
                        com.google.protobuf.UnknownFieldSet.Field.newBuilder().addLengthDelimited(
                                com.google.protobuf.ByteString.EMPTY).build()).build()).build();
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(both).addInitializer(inlineAndExternal).addInitializer(withDoubles)
                .addInitializer(emptyUint64)
                .addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm1", List.of("x", "Both"), List.of("y1")))
                .addNode(node("MatMul", "mm2", List.of("x", "InlineAndExternal"), List.of("y2")))
                .addNode(node("MatMul", "mm3", List.of("x", "WithDoubles"), List.of("y3")))
                .addNode(node("MatMul", "mm4", List.of("x", "EmptyUint64"), List.of("y4")))
                .addOutput(value("y1", F, 2, 8)).addOutput(value("y2", F, 2, 8)).addOutput(value("y3", F, 2, 8))
                .addOutput(value("y4", F, 2, 8)).build();
        ModelProto model = Models.model(g);
        Path in = Models.write(dir, "fields.onnx", model);
        Path out = dir.resolve("fields-out.onnx");
        PruneReport rep = OnnxPruner.prune(in, out, PruneOptions.defaults());
        assertSkipped(rep, "Both", "its data is in 2 fields (float_data, raw_data)");
        assertSkipped(rep, "InlineAndExternal", "its data is in 2 fields (raw_data, external_data)");
        assertSkipped(rep, "WithDoubles", "its data is in 2 fields (raw_data, double_data)");
        assertPruned(rep, "EmptyUint64", 0);
        assertSkipped(OnnxPruner.check(in, PruneOptions.defaults()), "Both", "2 fields");
        ModelProto written = ModelProto.parseFrom(java.nio.file.Files.readAllBytes(out));
        assertEquals(model.getGraph().getInitializer(0), written.getGraph().getInitializer(0));
        assertEquals(model.getGraph().getInitializer(2), written.getGraph().getInitializer(2));
        // the external data moves next to the output, unchanged
        TensorProto mixed = written.getGraph().getInitializer(1);
        assertEquals(model.getGraph().getInitializer(1).getRawData(), mixed.getRawData());
        assertEquals("fields-out.onnx.data", mixed.getExternalData(0).getValue());
        assertArrayEquals(new byte[256], java.nio.file.Files.readAllBytes(dir.resolve("fields-out.onnx.data")));
        assertBitsEqual(coreMasked(emptyUint64, 0, SparsityPattern.TWO_OF_FOUR), Fixtures.tensors(out).get("EmptyUint64"),
                "EmptyUint64");
    }

    @Test
    void anEmptyRawDataNextToFloatDataIsRefusedAsONNXRuntimeRefusesIt() throws Exception {
        // ONNX Runtime reads a raw_data that is present, even empty, and fails on this tensor; the
        // tool refuses the model the same way, naming the tensor, and writes nothing.
        TensorProto.Builder emptyRaw = TensorProto.newBuilder().setName("EmptyRaw").setDataType(F).addDims(8)
                .addDims(8).setRawData(com.google.protobuf.ByteString.EMPTY);
        for (float f : randomFloats(new Random(23), 64)) {
            emptyRaw.addFloatData(f);
        }
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(emptyRaw)
                .addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "EmptyRaw"), List.of("y")))
                .addOutput(value("y", F, 2, 8)).build();
        Path in = Models.write(dir, "emptyraw.onnx", Models.model(g));
        Path out = dir.resolve("emptyraw-out.onnx");
        OnnxInputException e = assertThrows(OnnxInputException.class,
                () -> OnnxPruner.prune(in, out, PruneOptions.defaults()));
        assertTrue(e.getMessage().contains("'EmptyRaw'") && e.getMessage().contains("raw_data holds 0 bytes"),
                e.getMessage());
        assertFalse(java.nio.file.Files.exists(out));
    }

    @Test
    void namesDefinedTwiceInAGraphAreSkipped() throws Exception {
        // Two initializers named B (ONNX Runtime uses the last, other readers the first), an initializer
        // and a Constant both named C, an initializer, a sparse initializer and a Constant all named S,
        // a graph input and a Constant both named x2: the ONNX checker rejects each, and none is
        // pruned. An initializer named like a graph input is that input's default value (IR 4 and
        // later): it is pruned. So is a subgraph initializer that shadows an outer name, which the
        // checker allows.
        Random r = new Random(22);
        TensorProto b0 = floats("B", randomFloats(r, 64), 8, 8);
        TensorProto b1 = floats("B", randomFloats(r, 64), 8, 8);
        TensorProto c = floats("C", randomFloats(r, 64), 8, 8);
        TensorProto s = floats("S", randomFloats(r, 64), 8, 8);
        TensorProto d = floats("D", randomFloats(r, 64), 8, 8);
        TensorProto inner = floats("D", randomFloats(r, 64), 8, 8);
        org.sparsity4j.onnx.proto.OnnxSubset.SparseTensorProto sparse =
                org.sparsity4j.onnx.proto.OnnxSubset.SparseTensorProto.newBuilder()
                        .setValues(floats("S", new float[] {1f}, 1))
                        .setIndices(Models.int64s("S_idx", new long[] {0}, 1)).build();
        GraphProto body = GraphProto.newBuilder().setName("then").addInitializer(inner)
                .addNode(node("MatMul", "inner_mm", List.of("x", "D"), List.of("ty")))
                .addOutput(value("ty", F, 2, 8)).build();
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(b0).addInitializer(b1).addInitializer(c).addInitializer(s).addInitializer(d)
                .addSparseInitializer(sparse)
                .addInput(value("x", F, 2, 8)).addInput(value("D", F, 8, 8)).addInput(value("cond", 9))
                .addInput(value("x2", F, 8, 8))
                .addNode(node("MatMul", "mm_b", List.of("x", "B"), List.of("yb")))
                .addNode(node("MatMul", "mm_c", List.of("x", "C"), List.of("yc")))
                .addNode(node("Constant", "const_c", List.of(), List.of("C"), attrTensor("value",
                        floats("Cc", randomFloats(r, 64), 8, 8))))
                .addNode(node("MatMul", "mm_d", List.of("x", "D"), List.of("yd")))
                .addNode(node("Constant", "const_s", List.of(), List.of("S"), attrTensor("value",
                        floats("Sc", randomFloats(r, 64), 8, 8))))
                .addNode(node("MatMul", "mm_s", List.of("x", "S"), List.of("ys")))
                .addNode(node("Constant", "const_x2", List.of(), List.of("x2"), attrTensor("value",
                        floats("X2c", randomFloats(r, 64), 8, 8))))
                .addNode(node("MatMul", "mm_x2", List.of("x", "x2"), List.of("yx2")))
                .addNode(node("If", "if", List.of("cond"), List.of("yi"), attrGraph("then_branch", body),
                        attrGraph("else_branch", body)))
                .addOutput(value("yb", F, 2, 8)).addOutput(value("yc", F, 2, 8)).addOutput(value("yd", F, 2, 8))
                .addOutput(value("yi", F, 2, 8)).addOutput(value("ys", F, 2, 8)).addOutput(value("yx2", F, 2, 8))
                .build();
        Path in = Models.write(dir, "twice.onnx", Models.model(g));
        Path out = dir.resolve("twice-out.onnx");
        PruneReport rep = OnnxPruner.prune(in, out, PruneOptions.defaults());
        assertSkipped(rep, "B", "the name 'B' is defined 2 times in its graph (graph/initializer[0], "
                + "graph/initializer[1])");
        assertSkipped(rep, "C", "the name 'C' is defined 2 times in its graph (graph/initializer[2], output 0 of "
                + "Constant 'const_c' (graph/node[2]))");
        assertEquals(1, rep.tensors().stream().filter(t -> t.name().equals("B")).count(), rep.tensors().toString());
        // the initializer S is shadowed by the sparse one, which is not prunable: never a candidate;
        // the Constant S after them is, and is skipped naming all three
        assertSkipped(rep, "S", "the name 'S' is defined 3 times in its graph (graph/initializer[3], "
                + "graph/sparse_initializer[0], output 0 of Constant 'const_s' (graph/node[4]))");
        assertEquals(1, rep.tensors().stream().filter(t -> t.name().equals("S")).count(), rep.tensors().toString());
        // a node output named like a graph input (not an initializer: no default value) is a second definition
        assertSkipped(rep, "x2", "the name 'x2' is defined 2 times in its graph (graph/input[3], output 0 of "
                + "Constant 'const_x2' (graph/node[6]))");
        ModelProto model = Models.model(g);
        ModelProto written = ModelProto.parseFrom(java.nio.file.Files.readAllBytes(out));
        for (int i = 0; i < 4; i++) {
            assertEquals(model.getGraph().getInitializer(i), written.getGraph().getInitializer(i), "initializer " + i);
        }
        // the main graph's D and the two branches' own D
        assertEquals(3, rep.tensors().stream().filter(t -> t.name().equals("D") && t.action() == Action.PRUNE)
                .count(), rep.tensors().toString());
        assertBitsEqual(coreMasked(d, 0, SparsityPattern.TWO_OF_FOUR), Fixtures.tensors(out).get("D"), "D");
    }

    private static int cli(String... args) {
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        return org.sparsity4j.onnx.cli.SparsityCli.run(args, quiet, quiet, false);
    }

    private static org.sparsity4j.onnx.proto.OnnxSubset.StringStringEntryProto kv(String k, String v) {
        return org.sparsity4j.onnx.proto.OnnxSubset.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    @Test
    void externalDataOutsideGraphTensorsStaysValidAndIsNeverOverwritten() throws Exception {
        // A sparse initializer whose values are in an external file: prune moves the external data of
        // graph tensors into OUT.data and leaves this one's location as it is. So the output must go
        // into the input's folder, and OUT.data must not be that file (it was replaced before: a second
        // prune, b.onnx back to a.onnx, destroyed it). Both are refused (exit 2) before anything is
        // written; with another file name in the input's folder the prune works.
        Random r = new Random(24);
        java.nio.file.Files.write(dir.resolve("w.bin"), floats("W", randomFloats(r, 64), 8, 8).getRawData().toByteArray());
        byte[] sparseValues = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
        Path outData = dir.resolve("out.onnx.data");
        java.nio.file.Files.write(outData, sparseValues);
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(F).addDims(8).addDims(8)
                .setDataLocation(TensorData.EXTERNAL).addExternalData(kv("location", "w.bin")).build();
        TensorProto values = TensorProto.newBuilder().setName("S").setDataType(F).addDims(4)
                .setDataLocation(TensorData.EXTERNAL).addExternalData(kv("location", "out.onnx.data")).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(w)
                .addSparseInitializer(org.sparsity4j.onnx.proto.OnnxSubset.SparseTensorProto.newBuilder()
                        .setValues(values).setIndices(Models.int64s("S_idx", new long[] {0, 1, 2, 3}, 4)))
                .addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(value("y", F, 2, 8)).build();
        Path in = Models.write(dir, "in.onnx", Models.model(g));
        Path out = dir.resolve("out.onnx");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxPruner.prune(in, out, PruneOptions.defaults()));
        assertTrue(e.getMessage().contains("is the external data file of tensor 'S' of the input"), e.getMessage());
        assertEquals(2, cli("prune", in.toString(), "-o", out.toString()));
        assertFalse(java.nio.file.Files.exists(out));
        assertArrayEquals(sparseValues, java.nio.file.Files.readAllBytes(outData), "OUT.data untouched");
        Path sub = java.nio.file.Files.createDirectory(dir.resolve("sub"));
        e = assertThrows(IllegalArgumentException.class,
                () -> OnnxPruner.prune(in, sub.resolve("elsewhere.onnx"), PruneOptions.defaults()));
        assertTrue(e.getMessage().contains("'S' (graph/sparse_initializer[0]/values)")
                && e.getMessage().contains("write the output into the input's folder"), e.getMessage());
        try (var files = java.nio.file.Files.list(sub)) {
            assertEquals(0, files.count(), "nothing written");
        }
        Path fine = dir.resolve("fine.onnx");
        assertPruned(OnnxPruner.prune(in, fine, PruneOptions.defaults()), "W", 0);
        ModelProto written = ModelProto.parseFrom(java.nio.file.Files.readAllBytes(fine));
        assertEquals(values, written.getGraph().getSparseInitializer(0).getValues(), "S still points at its file");
        assertEquals("fine.onnx.data", written.getGraph().getInitializer(0).getExternalData(0).getValue());
        assertArrayEquals(sparseValues, java.nio.file.Files.readAllBytes(outData));
    }

    @Test
    void anOutputDataFileThatIsADirectoryIsAUsageErrorUpFront() throws Exception {
        java.nio.file.Files.write(dir.resolve("w.bin"), new byte[256]);
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(F).addDims(8).addDims(8)
                .setDataLocation(TensorData.EXTERNAL).addExternalData(kv("location", "w.bin")).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(w).addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "W"), List.of("y"))).addOutput(value("y", F, 2, 8)).build();
        Path in = Models.write(dir, "in.onnx", Models.model(g));
        java.nio.file.Files.createDirectory(dir.resolve("out.onnx.data"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxPruner.prune(in, dir.resolve("out.onnx"), PruneOptions.defaults()));
        assertTrue(e.getMessage().contains("out.onnx.data") && e.getMessage().contains("is a directory"), e.getMessage());
        assertEquals(2, cli("prune", in.toString(), "-o", dir.resolve("out.onnx").toString()));
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(3, files.count(), "nothing written");
        }
    }

    @Test
    void aWeightOver2GiBIsSkippedNotAnError() throws Exception {
        // [8, 80 000 000] FP32 in an external file: 2.56 GB, more than one buffer holds. Listed as
        // skipped (and copied as it is by prune); a sparse file, so nothing is written to disk.
        Path data = dir.resolve("big.bin");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(8L * 80_000_000 * 4);
        }
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(F).addDims(8).addDims(80_000_000)
                .setDataLocation(TensorData.EXTERNAL).addExternalData(kv("location", "big.bin")).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(w).addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(value("y", F, 2, 80_000_000)).build();
        Path in = Models.write(dir, "big.onnx", Models.model(g));
        assertSkipped(OnnxPruner.report(in, PruneOptions.defaults()), "W",
                "has 2560000000 bytes; one tensor can be pruned up to " + OrderedWriter.MAX_TENSOR_BYTES);
        assertSkipped(OnnxPruner.check(in, PruneOptions.defaults()), "W", "has 2560000000 bytes");
        assertEquals(0, cli("check", in.toString()));
    }

    @Test
    void aTerminatedPruneLeavesNoFileBehindAndPutsTheOldDataFileBack() throws Exception {
        // A separate JVM prunes a 64 MiB external-data model over an earlier output; it is sent TERM as
        // soon as its first temporary file appears. Its shutdown hook removes what it wrote and puts the
        // earlier OUT.data back, unless the output was already complete (then it is left as it is).
        int n = 16;
        int side = 1024;
        byte[] weights = new byte[4 * side * side];
        Random r = new Random(25);
        for (int i = 0; i < weights.length; i += 4) {
            int bits = Float.floatToRawIntBits((float) r.nextGaussian());
            weights[i] = (byte) bits;
            weights[i + 1] = (byte) (bits >>> 8);
            weights[i + 2] = (byte) (bits >>> 16);
            weights[i + 3] = (byte) (bits >>> 24);
        }
        try (java.io.OutputStream o = java.nio.file.Files.newOutputStream(dir.resolve("w.bin"))) {
            for (int k = 0; k < n; k++) {
                o.write(weights);
            }
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", F, 2, side));
        String prev = "x";
        for (int k = 0; k < n; k++) {
            g.addInitializer(TensorProto.newBuilder().setName("W" + k).setDataType(F).addDims(side).addDims(side)
                    .setDataLocation(TensorData.EXTERNAL).addExternalData(kv("location", "w.bin"))
                    .addExternalData(kv("offset", Long.toString((long) k * weights.length))).build());
            g.addNode(node("MatMul", "mm" + k, List.of(prev, "W" + k), List.of("h" + k)));
            prev = "h" + k;
        }
        g.addOutput(value(prev, F, 2, side));
        Path in = Models.write(dir, "big.onnx", Models.model(g.build()));
        byte[] earlier = "an earlier run's data file".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Path out = dir.resolve("out.onnx");
        Path outData = dir.resolve("out.onnx.data");
        java.nio.file.Files.write(outData, earlier);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                "org.sparsity4j.onnx.cli.SparsityCli", "prune", in.toString(), "-o", out.toString(), "--quiet")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean sawTemporary = false;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (child.isAlive() && System.nanoTime() < deadline) {
            try (var files = java.nio.file.Files.list(dir)) {
                if (files.anyMatch(f -> f.getFileName().toString().startsWith(".out.onnx"))) {
                    sawTemporary = true;
                    child.destroy(); // TERM
                    break;
                }
            }
            Thread.sleep(1);
        }
        assertTrue(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the pruning JVM stopped");
        int exit = child.exitValue();
        try (var files = java.nio.file.Files.list(dir)) {
            List<String> left = files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("."))
                    .collect(java.util.stream.Collectors.toList());
            assertEquals(List.of(), left, "temporary files left (exit " + exit + ")");
        }
        if (java.nio.file.Files.exists(out)) {
            assertEquals(0, exit, "a complete output comes from a complete run");
            assertPruned(OnnxPruner.check(out, PruneOptions.defaults()), "W0", 0);
        } else {
            assertTrue(sawTemporary && exit == 143, "stopped by TERM: exit " + exit);
            assertArrayEquals(earlier, java.nio.file.Files.readAllBytes(outData), "the earlier OUT.data is back");
        }
    }
}
