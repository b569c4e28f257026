package org.sparsity4j.core.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv1DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.sparsity4j.core.mask.MaskKind;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterMask;
import org.sparsity4j.core.training.PruneOptions;
import org.sparsity4j.core.training.PruneReport;
import org.sparsity4j.core.validate.Validator;

/** Which SameDiff variables are pruned along which axis, and which are skipped with which reason. */
class SameDiffPruneTest {

    private static SDVariable var(SameDiff sd, String name, long... shape) {
        return sd.var(name, Nd4j.randn(DataType.FLOAT, shape));
    }

    /** A graph with every supported op and layout, plus things that must be skipped. */
    private static SameDiff graph() {
        Nd4j.getRandom().setSeed(21);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 8);
        SDVariable img = sd.placeHolder("img", DataType.FLOAT, -1, 8, 6, 6);
        SDVariable seq = sd.placeHolder("seq", DataType.FLOAT, -1, 8, 10);
        x.mmul(var(sd, "dense_in_out", 8, 12));                                    // [in, out] -> axis 0
        sd.mmul(x, var(sd, "dense_out_in", 12, 8), false, true, false);            // transposed b [out, in] -> 1
        var(sd, "left", 4, 8).mmul(sd.transpose(x));                                  // a [M, K] -> axis 1
        sd.nn().linear(x, var(sd, "linear_w", 8, 16), var(sd, "linear_b", 16));    // xw_plus_b [in, out] -> 0
        x.mmul(var(sd, "odd_in", 8, 6)).mmul(var(sd, "six_in", 6, 4));             // 6 inputs: skipped
        sd.cnn().conv2d("out_yxio", img, var(sd, "conv_yxio", 3, 3, 8, 16),
                Conv2DConfig.builder().kH(3).kW(3).dataFormat("NCHW").build());    // [kH, kW, iC, oC] -> 2
        sd.cnn().conv2d("out_oiyx", img, var(sd, "conv_oiyx", 16, 8, 3, 3), Conv2DConfig.builder().kH(3).kW(3)
                .dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build());   // [oC, iC, kH, kW] -> 1
        sd.cnn().conv2d("out_oyxi", img, var(sd, "conv_oyxi", 16, 3, 3, 8), Conv2DConfig.builder().kH(3).kW(3)
                .dataFormat("NCHW").weightsFormat(WeightsFormat.OYXI).build());   // [oC, kH, kW, iC] -> 3
        SDVariable heads = sd.placeHolder("heads", DataType.FLOAT, 4, -1, 8);     // [batch 4, n, K 8]
        sd.mmul("out_heads", heads, var(sd, "heads_k_n", 4, 8, 8));               // batched b [4, K, N] -> 1
        sd.mmul("out_heads_t", heads, var(sd, "heads_n_k", 4, 12, 8), false, true, false); // [4, N, K] -> 2
        x.mmul(sd.transpose(var(sd, "t_out_in", 12, 8)));                          // b = w^T, w [N, K] -> 1
        sd.mmul("out_permuted", x, sd.permute(var(sd, "p_out_in", 12, 8), 1, 0));  // b = permute(w, 1, 0) -> 1
        sd.transpose(var(sd, "left_t", 8, 4)).mmul(sd.transpose(x));                // a = w^T, w [K, M] -> 0
        sd.mmul("out_heads_p", heads, sd.permute(var(sd, "heads_p", 8, 4, 12), 1, 0, 2)); // b [4, K, N] = w [K, 4, N] -> 0
        sd.cnn().conv1d("out_1d", seq, var(sd, "conv1d_w", 3, 8, 4),
                Conv1DConfig.builder().k(3).paddingMode(PaddingMode.VALID).dataFormat("NCW").build());           // [k, iC, oC] -> 1
        SDVariable shared = var(sd, "shared", 8, 8);
        x.mmul(shared);                                                             // axis 0
        shared.mmul(sd.transpose(x));                                                 // axis 1: conflict
        sd.constant("frozen", Nd4j.randn(DataType.FLOAT, 8, 4)).mul(2);            // constant: never a candidate
        x.mmul(sd.constant("const_w", Nd4j.randn(DataType.FLOAT, 8, 4)));
        return sd;
    }

    @Test
    void findsWeightsWithTheirAxesFromTheConsumingOps() {
        Map<String, SameDiffWeight> c = SameDiffSparsity.candidates(graph()).stream()
                .collect(Collectors.toMap(SameDiffWeight::name, w -> w));
        assertEquals(0, c.get("dense_in_out").axis());
        assertEquals(1, c.get("dense_out_in").axis());
        assertEquals(1, c.get("left").axis());
        assertEquals(0, c.get("linear_w").axis());
        assertEquals(2, c.get("conv_yxio").axis());
        assertEquals(1, c.get("conv_oiyx").axis());
        assertEquals(3, c.get("conv_oyxi").axis());
        assertEquals(1, c.get("heads_k_n").axis());
        assertEquals(2, c.get("heads_k_n").otherAxis());
        assertEquals(1, c.get("heads_n_k").otherAxis());
        assertEquals(-1, c.get("conv_oiyx").otherAxis());
        assertEquals(2, c.get("heads_n_k").axis());
        assertEquals(1, c.get("dense_in_out").otherAxis());
        assertEquals(0, c.get("dense_out_in").otherAxis());
        assertEquals(1, c.get("conv1d_w").axis());
        assertEquals(1, c.get("t_out_in").axis());
        assertEquals(0, c.get("t_out_in").otherAxis());
        assertTrue(c.get("t_out_in").layer().contains("transpose"), c.get("t_out_in").layer());
        assertEquals(1, c.get("p_out_in").axis());
        assertEquals(0, c.get("p_out_in").otherAxis());
        assertEquals(0, c.get("left_t").axis());
        assertEquals(1, c.get("left_t").otherAxis());
        assertEquals(0, c.get("heads_p").axis());
        assertEquals(2, c.get("heads_p").otherAxis());
        assertNotNull(c.get("shared").conflict());
        assertFalse(c.containsKey("const_w"));
        assertFalse(c.containsKey("linear_b"));
        assertFalse(c.containsKey("frozen"));
    }

    @Test
    void theConvolutionLayoutsAssumedAreTheOnesNd4jExecutes() {
        // The input has 8 channels; each weight's axis that pruning treats as the input-channel axis has
        // length 8, and the ops run with these weights, so the layouts match ND4J's.
        SameDiff sd = graph();
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> out = sd.output(Map.of(
                "img", Nd4j.rand(DataType.FLOAT, 2, 8, 6, 6), "seq", Nd4j.rand(DataType.FLOAT, 2, 8, 10),
                "heads", Nd4j.rand(DataType.FLOAT, 4, 3, 8)),
                "out_yxio", "out_oiyx", "out_oyxi", "out_1d", "out_heads", "out_heads_t", "out_heads_p");
        assertEquals(List.of(2L, 16L, 4L, 4L), box(out.get("out_yxio").shape()));
        assertEquals(List.of(2L, 16L, 4L, 4L), box(out.get("out_oiyx").shape()));
        assertEquals(List.of(2L, 16L, 4L, 4L), box(out.get("out_oyxi").shape()));
        assertEquals(List.of(2L, 4L, 8L), box(out.get("out_1d").shape()));
        // the batched products sum over the K axis of 8: [4, 3, 8] x [4, 8, 8] and x [4, 12, 8]^T
        assertEquals(List.of(4L, 3L, 8L), box(out.get("out_heads").shape()));
        assertEquals(List.of(4L, 3L, 12L), box(out.get("out_heads_t").shape()));
        assertEquals(List.of(4L, 3L, 12L), box(out.get("out_heads_p").shape()));
    }

    /** A graph with an input h [8, n, 8] and a batched weight w [8, 8, 8], no ops yet. */
    private static SameDiff batched(long seed) {
        Nd4j.getRandom().setSeed(seed);
        SameDiff sd = SameDiff.create();
        sd.placeHolder("h", DataType.FLOAT, 8, -1, 8);
        var(sd, "w", 8, 8, 8);
        return sd;
    }

    @Test
    void aPermuteWithNegativeAxesIsNotFollowed() {
        // ND4J's SameDiff runs permute(w, -1, 0, 1) as the identity: reading -1 as the last axis would
        // prune w along axis 0 while the product sums over its axis 1
        SameDiff sd = batched(3);
        SDVariable h = sd.getVariable("h");
        SDVariable w = sd.getVariable("w");
        SDVariable permuted = sd.permute(w, -1, 0, 1);
        sd.mmul("out", h, permuted);
        assertEquals(w.getArr(), permuted.eval(), "ND4J's permute with a negative axis");
        assertTrue(SameDiffSparsity.candidates(sd).isEmpty(), SameDiffSparsity.candidates(sd).toString());
    }

    @Test
    void aBatchedWeightWithTwoOutputAxesGetsAStripMaskValidForBothUses() {
        // w [8, 8, 8] used directly (K axis 1, N axis 2) and through permute(w, 2, 1, 0) (K axis 1, N
        // axis 0): the same reduction axis, but each use's backward pass reduces over another axis
        SameDiff sd = batched(4);
        SDVariable h = sd.getVariable("h");
        SDVariable w = sd.getVariable("w");
        sd.mmul("direct", h, w);
        sd.mmul("permuted", h, sd.permute(w, 2, 1, 0));
        SameDiffWeight c = SameDiffSparsity.candidates(sd).get(0);
        assertEquals(List.of(1, -1), List.of(c.axis(), c.otherAxis()), c.toString());
        SameDiffPruneResult r = SameDiffSparsity.prune(sd, PruneOptions.twoOfFour().withTileMasks());
        assertEquals(MaskKind.STRIP, r.masks().get("w").kind());
        Tensor t = Tensor.ofFloats(SameDiffSparsity.readFloats(w.getArr()), 8, 8, 8);
        assertTrue(Validator.checkStrip(t, SparsityPattern.TWO_OF_FOUR, 1).isValid());
        assertTrue(r.report().entries().get(0).detail().contains("tile masks need"),
                r.report().entries().get(0).detail());
    }

    @Test
    void aPermutedWeightIsPrunedAlongTheAxisTheProductSumsOver() {
        // out = x . permute(w, 1, 0): every output is a sum over w's axis 1, so zeroing w[j][i] changes
        // output j only through input i; check it by products with unit vectors
        SameDiff sd = graph();
        org.nd4j.linalg.api.ndarray.INDArray w = sd.getVariable("p_out_in").getArr();
        for (int i = 0; i < 8; i++) {
            org.nd4j.linalg.api.ndarray.INDArray e = Nd4j.zeros(DataType.FLOAT, 1, 8);
            e.putScalar(0, i, 1f);
            org.nd4j.linalg.api.ndarray.INDArray row = sd.output(Map.of("x", e), "out_permuted").get("out_permuted");
            for (int j = 0; j < 12; j++) {
                assertEquals(w.getFloat(j, i), row.getFloat(0, j), 0f, "x . permute(w) sums over w's axis 1");
            }
        }
    }

    @Test
    void aGraphLoadedFromAFileKeepsItsConvolutionLayouts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // a loaded Conv2D's config says YXIO whatever the layout; the op runs with its integer arguments
        java.io.File file = dir.resolve("graph.sd").toFile();
        graph().save(file, false);
        // every candidate of the loaded graph, its axes, layer and conflict, equals the original's
        Map<String, SameDiffWeight> loaded = SameDiffSparsity.candidates(SameDiff.load(file, false)).stream()
                .collect(Collectors.toMap(SameDiffWeight::name, w -> w));
        Map<String, SameDiffWeight> original = SameDiffSparsity.candidates(graph()).stream()
                .collect(Collectors.toMap(SameDiffWeight::name, w -> w));
        assertEquals(original, loaded);
        assertEquals(3, loaded.get("conv_oyxi").axis(), "the OYXI layout from the op's integer argument");
    }

    private static List<Long> box(long[] values) {
        return java.util.Arrays.stream(values).boxed().collect(Collectors.toList());
    }

    @Test
    void prunesAlongTheInferredAxesAndReportsSkips() {
        SameDiff sd = graph();
        PruneReport report = SameDiffSparsity.prune(sd, PruneOptions.twoOfFour()).report();
        System.out.println(report);
        Map<String, PruneReport.Entry> byName = report.entries().stream()
                .collect(Collectors.toMap(PruneReport.Entry::name, e -> e));
        Map<String, Integer> axes = Map.ofEntries(Map.entry("dense_in_out", 0), Map.entry("dense_out_in", 1),
                Map.entry("left", 1), Map.entry("linear_w", 0), Map.entry("odd_in", 0), Map.entry("conv_yxio", 2),
                Map.entry("conv_oiyx", 1), Map.entry("conv_oyxi", 3), Map.entry("conv1d_w", 1),
                Map.entry("heads_k_n", 1), Map.entry("heads_n_k", 2), Map.entry("t_out_in", 1),
                Map.entry("p_out_in", 1), Map.entry("left_t", 0), Map.entry("heads_p", 0));
        for (Map.Entry<String, Integer> e : axes.entrySet()) {
            assertTrue(byName.get(e.getKey()).pruned(), byName.get(e.getKey()).toString());
            float[] w = SameDiffSparsity.readFloats(sd.getVariable(e.getKey()).getArr());
            Tensor t = Tensor.ofFloats(w, sd.getVariable(e.getKey()).getArr().shape());
            assertTrue(Validator.checkStrip(t, SparsityPattern.TWO_OF_FOUR, e.getValue()).isValid(), e.getKey());
        }
        assertFalse(byName.get("six_in").pruned());
        assertTrue(byName.get("six_in").detail().contains("length 6"), byName.get("six_in").detail());
        assertFalse(byName.get("shared").pruned());
        assertTrue(byName.get("shared").detail().contains("axis 0") && byName.get("shared").detail().contains("axis 1"));
    }

    @Test
    void namedVariablesArePrunedAlongTheGivenAxis() {
        SameDiff sd = graph();
        MaskSet masks = SameDiffSparsity.prune(sd, PruneOptions.twoOfFour().excluding("conv|dense|left|linear|odd|heads|t_out|p_out"),
                Map.of("shared", 1)).masks();
        assertEquals(List.of("shared"), masks.names());
        assertEquals(1, masks.get("shared").axis());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SameDiffSparsity.prune(sd, PruneOptions.twoOfFour(), Map.of("const_w", 0)));
        assertTrue(e.getMessage().contains("const_w"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SameDiffSparsity.prune(sd, PruneOptions.twoOfFour(), Map.of("nope", 0)));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void tileMasksForMatrixProductWeightsStripForConvolutions() {
        SameDiff sd = graph();
        MaskSet masks = SameDiffSparsity.prune(sd, PruneOptions.twoOfFour().withTileMasks()).masks();
        ParameterMask dense = masks.get("dense_in_out");
        assertEquals(MaskKind.TILE, dense.kind());
        assertEquals(0, dense.axis());
        assertEquals(1, dense.otherAxis());
        assertEquals(MaskKind.STRIP, masks.get("conv_yxio").kind());
        // batched weights: a transposable tile mask for each matrix
        for (String name : List.of("heads_k_n", "heads_n_k", "heads_p")) {
            ParameterMask m = masks.get(name);
            assertEquals(MaskKind.TILE, m.kind(), name);
            org.nd4j.linalg.api.ndarray.INDArray arr = sd.getVariable(name).getArr();
            Tensor t = Tensor.ofFloats(SameDiffSparsity.readFloats(arr), arr.shape());
            assertTrue(Validator.checkTile(t, m.axis(), m.otherAxis()).isValid(), name);
            assertEquals(3, t.shape().rank());
        }
        assertEquals(List.of(1, 2), List.of(masks.get("heads_k_n").axis(), masks.get("heads_k_n").otherAxis()));
        assertEquals(List.of(2, 1), List.of(masks.get("heads_n_k").axis(), masks.get("heads_n_k").otherAxis()));
        assertEquals(List.of(0, 2), List.of(masks.get("heads_p").axis(), masks.get("heads_p").otherAxis()));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            masks.writeTo(bytes);
            assertEquals(masks, MaskSet.readFrom(new java.io.ByteArrayInputStream(bytes.toByteArray())),
                    "rank-3 tile masks survive a save and load");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertNull(masks.get("odd_in").kind() == MaskKind.TILE ? "odd_in has 6 outputs, no tile" : null);
        assertTrue(SameDiffSparsity.verify(sd, masks).isValid());
    }

    /** A NaN that the mask prunes (a group with three NaNs keeps two) becomes +0, not NaN * 0. */
    @Test
    void aPrunedNaNBecomesZero() {
        SameDiff sd = SameDiffTasks.mlp(16, 3);
        org.nd4j.linalg.api.ndarray.INDArray w0 = sd.getVariable("w0").getArr();
        for (int r = 0; r < 3; r++) {
            w0.putScalar(new long[] {r, 0}, Float.NaN); // w0 is [in, out]: the group of 4 runs down column 0
        }
        w0.putScalar(new long[] {3, 0}, 1f);
        SameDiffSparsity.prune(sd, PruneOptions.twoOfFour());
        float[] w = SameDiffSparsity.readFloats(sd.getVariable("w0").getArr());
        int cols = (int) w0.size(1);
        assertTrue(Float.isNaN(w[0]) && Float.isNaN(w[cols]), "the two NaNs of lower index are kept");
        assertEquals(0, Float.floatToRawIntBits(w[2 * cols]), "the pruned NaN");
        assertEquals(0, Float.floatToRawIntBits(w[3 * cols]), "the pruned 1");
    }
}
