package org.sparsity4j.core.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.NormalInitializer;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.mask.MaskKind;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.core.training.MaskSet;
import org.sparsity4j.core.training.ParameterMask;
import org.sparsity4j.core.training.PruneOptions;
import org.sparsity4j.core.training.PruneReport;
import org.sparsity4j.core.validate.Validator;

/** Which DJL weights are pruned along which axis, and which are skipped with which reason. */
class DjlPruneTest {

    /**
     * conv 8->8 (weight [8, 8, 3, 3]), conv groups=2 (weight [8, 4, 3, 3]), conv groups=4 (weight [8, 2, 1, 1]:
     * 2 input channels per group, skipped), batch norm, flatten, linear 8*2*2 -> 6 (weight [6, 32]),
     * linear 6 -> 4 (weight [4, 6], skipped: 6 inputs).
     */
    private static Model convNet() {
        SequentialBlock net = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(8).build())
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(8).optGroups(2).build())
                .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(8).optGroups(4).build())
                .add(BatchNorm.builder().build())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(6).build())
                .add(Linear.builder().setUnits(4).build());
        Model model = DjlTasks.model(net, 3);
        net.setInitializer(new NormalInitializer(0.5f), ai.djl.nn.Parameter.Type.WEIGHT);
        net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(2, 8, 6, 6));
        return model;
    }

    @Test
    void findsLinearAndConvolutionWeightsWithTheirAxesAndSkipsWhatCannotBePruned() {
        try (Model model = convNet()) {
            List<DjlWeight> candidates = DjlSparsity.candidates(model.getBlock());
            assertEquals(List.of("01Conv2d_weight", "02Conv2d_weight", "03Conv2d_weight", "06Linear_weight",
                    "07Linear_weight"), candidates.stream().map(DjlWeight::name).collect(Collectors.toList()));
            candidates.forEach(c -> assertEquals(1, c.axis(), c.name()));

            NDArray before = model.getBlock().getParameters().get("01Conv2d_weight").getArray().duplicate();
            PruneReport report = DjlSparsity.prune(model.getBlock(), PruneOptions.twoOfFour()).report();
            System.out.println(report);
            Map<String, PruneReport.Entry> byName = report.entries().stream()
                    .collect(Collectors.toMap(PruneReport.Entry::name, e -> e));
            assertTrue(byName.get("01Conv2d_weight").pruned());
            assertTrue(byName.get("02Conv2d_weight").pruned(), byName.get("02Conv2d_weight").toString());
            assertTrue(byName.get("02Conv2d_weight").layer().contains("groups=2"));
            assertFalse(byName.get("03Conv2d_weight").pruned());
            assertTrue(byName.get("03Conv2d_weight").detail().contains("length 2, not a multiple of 4"),
                    byName.get("03Conv2d_weight").detail());
            assertTrue(byName.get("06Linear_weight").pruned());
            assertFalse(byName.get("07Linear_weight").pruned());
            assertTrue(byName.get("07Linear_weight").detail().contains("length 6"));

            // Independent check with the core validator on the weights as the framework holds them:
            // groups of 4 consecutive input channels per (output channel, kernel position).
            for (String name : List.of("01Conv2d_weight", "02Conv2d_weight", "06Linear_weight")) {
                NDArray w = model.getBlock().getParameters().get(name).getArray();
                Tensor t = Tensor.ofFloats(w.toFloatArray(), w.getShape().getShape());
                assertTrue(Validator.checkStrip(t, SparsityPattern.TWO_OF_FOUR, 1).isValid(), name);
                assertEquals(w.size() / 2, w.countNonzero().getLong(), name);
            }
            // Kept weights are the originals, bit for bit.
            float[] orig = before.toFloatArray();
            float[] now = model.getBlock().getParameters().get("01Conv2d_weight").getArray().toFloatArray();
            for (int i = 0; i < orig.length; i++) {
                assertTrue(now[i] == 0f || now[i] == orig[i], "index " + i);
            }
        }
    }

    @Test
    void aBlockUsedTwiceIsPrunedOnceAndListedOnceMore() {
        Linear shared = Linear.builder().setUnits(8).build();
        SequentialBlock net = new SequentialBlock().add(shared).add(shared);
        try (Model model = DjlTasks.model(net, 3)) {
            net.setInitializer(new NormalInitializer(0.5f), ai.djl.nn.Parameter.Type.WEIGHT);
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(2, 8));
            DjlPruneResult result = DjlSparsity.prune(model.getBlock(), PruneOptions.twoOfFour());
            PruneReport report = result.report();
            assertEquals(1, report.pruned().size(), report.toString());
            assertEquals(1, result.masks().masks().size());
            PruneReport.Entry second = report.entries().get(1);
            assertTrue(!second.pruned() && second.detail().contains("the same parameter as '"
                    + report.entries().get(0).name() + "'"), second.detail());
        }
    }

    @Test
    void exclusionAndSizeRulesSkipWeights() {
        try (Model model = convNet()) {
            PruneReport report = DjlSparsity.prune(model.getBlock(),
                    PruneOptions.twoOfFour().excluding("^01").withMinElements(200)).report();
            Map<String, PruneReport.Entry> byName = report.entries().stream()
                    .collect(Collectors.toMap(PruneReport.Entry::name, e -> e));
            assertTrue(byName.get("01Conv2d_weight").detail().contains("excluded by name rule '^01'"));
            assertTrue(byName.get("02Conv2d_weight").pruned()); // 8*4*3*3 = 288 elements
            assertTrue(byName.get("06Linear_weight").detail().contains("192 elements, below the minimum of 200"),
                    byName.get("06Linear_weight").detail());
            assertEquals(1, report.pruned().size());
        }
    }

    @Test
    void layerTypeRuleSkipsConvolutionsAndKeepsPruningLinearLayers() {
        try (Model model = convNet()) {
            NDArray convBefore = model.getBlock().getParameters().get("01Conv2d_weight").getArray().duplicate();
            PruneReport report = DjlSparsity.prune(model.getBlock(),
                    PruneOptions.twoOfFour().excludingLayers("(?i)conv")).report();
            Map<String, PruneReport.Entry> byName = report.entries().stream()
                    .collect(Collectors.toMap(PruneReport.Entry::name, e -> e));
            for (String conv : List.of("01Conv2d_weight", "02Conv2d_weight", "03Conv2d_weight")) {
                assertFalse(byName.get(conv).pruned(), conv);
                assertTrue(byName.get(conv).detail().contains("excluded by layer rule '(?i)conv'"),
                        byName.get(conv).detail());
            }
            assertTrue(byName.get("06Linear_weight").pruned());
            float[] orig = convBefore.toFloatArray();
            float[] now = model.getBlock().getParameters().get("01Conv2d_weight").getArray().toFloatArray();
            assertTrue(java.util.Arrays.equals(orig, now), "an excluded weight is left untouched");
        }
    }

    @Test
    void oneOfTwoAndTileMasks() {
        try (Model model = DjlTasks.model(DjlTasks.mlp(16), 9)) {
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 32));
            MaskSet masks = DjlSparsity.prune(model.getBlock(),
                    PruneOptions.twoOfFour().withPattern(SparsityPattern.ONE_OF_TWO)).masks();
            for (ParameterMask m : masks.masks()) {
                assertEquals(SparsityPattern.ONE_OF_TWO, m.pattern());
                NDArray w = model.getBlock().getParameters().get(m.name()).getArray();
                assertTrue(Validator.checkStrip(Tensor.ofFloats(w.toFloatArray(), w.getShape().getShape()),
                        SparsityPattern.ONE_OF_TWO, 1).isValid(), m.name());
            }
        }
        try (Model model = DjlTasks.model(DjlTasks.mlp(16), 9)) {
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 32));
            MaskSet masks = DjlSparsity.prune(model.getBlock(), PruneOptions.twoOfFour().withTileMasks()).masks();
            assertEquals(3, masks.size());
            for (ParameterMask m : masks.masks()) {
                assertEquals(MaskKind.TILE, m.kind());
                assertEquals(1, m.axis());
                assertEquals(0, m.otherAxis());
                NDArray w = model.getBlock().getParameters().get(m.name()).getArray();
                assertTrue(Validator.checkTile(Tensor.ofFloats(w.toFloatArray(), w.getShape().getShape()), 1, 0)
                        .isValid(), m.name());
            }
            assertTrue(DjlSparsity.verify(model.getBlock(), masks).isValid());
        }
    }

    @Test
    void halfPrecisionWeightsArePrunedInTheirOwnType() {
        try (Model model = DjlTasks.model(DjlTasks.mlp(16), 9)) {
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT16, new Shape(1, 32));
            MaskSet masks = DjlSparsity.prune(model.getBlock(), PruneOptions.twoOfFour()).masks();
            assertEquals(3, masks.size());
            NDArray w = model.getBlock().getParameters().get(masks.names().get(0)).getArray();
            assertEquals(DataType.FLOAT16, w.getDataType());
            assertTrue(DjlSparsity.verify(model.getBlock(), masks).isValid());
            assertEquals(w.size() / 2, w.countNonzero().getLong());
        }
    }

    @Test
    void pruningAnUninitializedBlockFailsClearly() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DjlSparsity.prune(DjlTasks.mlp(8), PruneOptions.twoOfFour()));
        assertTrue(e.getMessage().contains("not initialized"), e.getMessage());
    }

    /** A NaN that the mask prunes (a group with three NaNs keeps two) becomes +0, not NaN * 0. */
    @Test
    void aPrunedNaNBecomesZero() {
        try (Model model = convNet()) {
            NDArray w = model.getBlock().getParameters().get("06Linear_weight").getArray();
            float[] values = w.toFloatArray();
            values[0] = Float.NaN; // [out, in]: the first group of 4 is values[0..3]
            values[1] = Float.NaN;
            values[2] = Float.NaN;
            values[3] = 1f;
            w.set(values);
            DjlSparsity.prune(model.getBlock(), PruneOptions.twoOfFour());
            float[] after = w.toFloatArray();
            assertTrue(Float.isNaN(after[0]) && Float.isNaN(after[1]), "the two NaNs of lower index are kept");
            assertEquals(0, Float.floatToRawIntBits(after[2]), "the pruned NaN");
            assertEquals(0, Float.floatToRawIntBits(after[3]), "the pruned 1");
        }
    }
}
