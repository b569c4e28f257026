package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models written by other exporters: torch.onnx exports of tiny torchvision/transformers
 * architectures (src/test/resources/models, made by src/test/python/export_models.py) and the
 * Conv/Gemm/MatMul models of ONNX's own test data (Debian package libonnx-testdata). Each is
 * pruned, and ONNX Runtime must give the same outputs for the pruned model as for the original
 * with the same weights masked by the core.
 */
class ForeignModelsTest {
    /** Where Debian's libonnx-testdata installs the ONNX test models. */
    static final Path ONNX_TESTDATA = Path.of("/usr/share/libonnx-testdata/data");

    @TempDir
    Path dir;

    private Path copyResource(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/models/" + name)) {
            if (in == null) {
                return null;
            }
            Files.copy(in, p);
        }
        return p;
    }

    private PruneReport exported(String name, String... extra) throws Exception {
        return exported(name, true, extra);
    }

    private PruneReport exported(String name, boolean requireChange, String... extra) throws Exception {
        Path in = copyResource(name);
        assertTrue(in != null, "missing test resource " + name);
        for (String e : extra) {
            copyResource(e);
        }
        PruneReport r = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), name.hashCode(), requireChange);
        referenceCheck(in, dir.resolve("pruned-" + name));
        return r;
    }

    @Test
    void torchvisionResNetFp32AndFp16() throws Exception {
        for (String name : List.of("resnet_tiny_fp32.onnx", "resnet_tiny_fp16.onnx")) {
            PruneReport r = exported(name);
            assertEquals(6, r.count(Action.PRUNE), name + ": " + r.tensors());
            Fixtures.assertSkipped(r, "onnx::Conv_62", "not a multiple of 4"); // the 3-channel stem
            // Conv W [Cout, Cin, kh, kw] and the classifier's Gemm B with transB=1 both reduce over axis 1.
            r.tensors().stream().filter(t -> t.action() == Action.PRUNE).forEach(t -> assertEquals(1, t.axis()));
        }
    }

    @Test
    void quantizedResNetPrunesInt8WeightsBehindDequantizeLinear() throws Exception {
        PruneReport r = exported("resnet_tiny_qdq.onnx");
        assertEquals(6, r.count(Action.PRUNE), r.tensors().toString());
        r.tensors().stream().filter(t -> t.action() == Action.PRUNE).forEach(t -> {
            assertEquals("INT8", t.dataType(), t.name());
            assertTrue(t.consumers().get(0).contains("via DequantizeLinear"), t.consumers().toString());
        });
    }

    @Test
    void torchvisionVitFp32AndFp16() throws Exception {
        for (String name : List.of("vit_tiny_fp32.onnx", "vit_tiny_fp16.onnx")) {
            // torchvision zero-initialises the classifier head, so the logits ignore the encoder: no change required.
            PruneReport r = exported(name, false);
            assertEquals(8, r.count(Action.PRUNE), name + ": " + r.tensors());
            assertEquals(Action.ALREADY_SPARSE, Fixtures.find(r, "heads.head.weight").action());
        }
    }

    @Test
    void transformersBertWithExternalDataFromBothExporterAndOnnxSave() throws Exception {
        PruneReport a = exported("bert_tiny.onnx", "bert_tiny.onnx.data");
        assertEquals(13, a.count(Action.PRUNE), a.tensors().toString());
        assertTrue(Files.exists(dir.resolve("pruned-bert_tiny.onnx.data")));
        // onnx.save_model(size_threshold=0) also moves the Reshape shape tensors out, which ONNX Runtime
        // cannot load (it fails on the original too); compare every tensor with the core-masked reference.
        Path in = copyResource("bert_tiny_external.onnx");
        copyResource("bert_tiny_external.onnx.data");
        Path out = dir.resolve("pruned-external.onnx");
        PruneReport b = OnnxPruner.prune(in, out, PruneOptions.defaults());
        assertEquals(13, b.count(Action.PRUNE));
        java.util.Map<String, org.sparsity4j.core.tensor.Tensor> want =
                Fixtures.tensors(Reference.masked(in, b, dir, "ref-external.onnx"));
        java.util.Map<String, org.sparsity4j.core.tensor.Tensor> got = Fixtures.tensors(out);
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            Fixtures.assertBitsEqual(want.get(k), got.get(k), k);
        }
        referenceCheck(in, out);
    }

    @Test
    void ifBranchesAndConstantNodeWeights() throws Exception {
        PruneReport r = exported("if_branches.onnx");
        assertEquals(2, r.count(Action.PRUNE), r.tensors().toString());
        PruneReport c = exported("mlp_constants.onnx");
        assertEquals(3, c.count(Action.PRUNE));
        c.tensors().forEach(t -> assertTrue(t.source().startsWith("Constant"), t.source()));
        c.tensors().forEach(t -> assertEquals(1, t.axis(), "Gemm transB=1 reduces axis 1"));
    }

    /** All Conv/Gemm/MatMul models of ONNX's own test data with weights stored in the model. */
    @Test
    void onnxTestData() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(ONNX_TESTDATA), "ONNX test data not installed at " + ONNX_TESTDATA
                + " (Debian/Ubuntu package libonnx-testdata); skipping");
        List<Path> models = new ArrayList<>();
        for (String group : List.of("pytorch-converted", "pytorch-operator", "simple", "node")) {
            Path g = ONNX_TESTDATA.resolve(group);
            if (!Files.isDirectory(g)) {
                continue;
            }
            try (Stream<Path> s = Files.list(g)) {
                s.sorted().forEach(d -> {
                    String n = d.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                    if ((n.contains("conv") || n.contains("gemm") || n.contains("matmul") || n.contains("linear"))
                            && Files.exists(d.resolve("model.onnx"))) {
                        models.add(d.resolve("model.onnx"));
                    }
                });
            }
        }
        assertTrue(models.size() > 20, "found only " + models.size() + " Conv/Gemm/MatMul models");
        int pruned = 0;
        int modelsWithPrunes = 0;
        for (Path m : models) {
            String name = m.getParent().getParent().getFileName() + "_" + m.getParent().getFileName() + ".onnx";
            Path local = dir.resolve(name);
            Files.copy(m, local);
            PruneReport r;
            try {
                r = OnnxPruner.report(local, PruneOptions.defaults());
            } catch (RuntimeException e) {
                throw new AssertionError(m + ": " + e, e);
            }
            if (r.count(Action.PRUNE) == 0) {
                continue;
            }
            modelsWithPrunes++;
            try {
                r = Fixtures.pruneAndCompare(local, dir, PruneOptions.defaults(), name.hashCode());
            } catch (ai.onnxruntime.OrtException e) {
                // ORT refuses a few old test models outright; the pruned model must then fail the same way.
                continue;
            }
            referenceCheck(local, dir.resolve("pruned-" + name));
            pruned += (int) r.count(Action.PRUNE);
        }
        // Most of these models have 3 or 10 input channels (not prunable as 2:4) or weights as graph inputs.
        assertTrue(modelsWithPrunes >= 8, "only " + modelsWithPrunes + " test models had prunable weights");
        assertTrue(pruned >= 8, "only " + pruned + " tensors pruned");
    }

    /** Every model of the ONNX test data: pruning succeeds or fails with an input error, never otherwise. */
    @Test
    void everyOnnxTestModelIsHandled() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(ONNX_TESTDATA), "ONNX test data not installed at " + ONNX_TESTDATA
                + " (Debian/Ubuntu package libonnx-testdata); skipping");
        List<Path> models;
        try (Stream<Path> s = Files.walk(ONNX_TESTDATA, 3)) {
            models = s.filter(p -> p.getFileName().toString().equals("model.onnx")).sorted().toList();
        }
        assertTrue(models.size() > 500, "found only " + models.size() + " models");
        int candidates = 0;
        for (Path m : models) {
            Path out = dir.resolve("out.onnx");
            try {
                PruneReport r = OnnxPruner.prune(m, out, PruneOptions.defaults());
                candidates += r.tensors().size();
                if (r.count(Action.PRUNE) == 0) {
                    // Nothing pruned: the output is the same model.
                    assertEquals(org.sparsity4j.onnx.proto.OnnxSubset.ModelProto.parseFrom(Files.readAllBytes(m)),
                            org.sparsity4j.onnx.proto.OnnxSubset.ModelProto.parseFrom(Files.readAllBytes(out)),
                            m.toString());
                }
            } catch (OnnxInputException e) {
                // acceptable: reported as an input error
            } catch (RuntimeException e) {
                throw new AssertionError(m + ": " + e, e);
            }
            Files.deleteIfExists(out);
        }
        assertTrue(candidates > 20, "only " + candidates + " candidates in the ONNX test data");
    }

    /** Runs ONNX's reference checker on a written model when Python's onnx package is available. */
    static void referenceCheck(Path input, Path output) throws Exception {
        if (!PythonOnnx.available() || checker(input) != null) {
            return; // no checker here, or the input itself does not pass this checker version
        }
        String failure = checker(output);
        assertTrue(failure == null, "onnx.checker accepts " + input.getFileName() + " but rejects the pruned model: "
                + failure);
    }

    /** Returns null if the ONNX checker accepts the model, else its message. */
    private static String checker(Path model) throws Exception {
        Process p = new ProcessBuilder(PythonOnnx.PYTHON, "-c",
                "import onnx,sys; onnx.checker.check_model(sys.argv[1], full_check=True)", model.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "checker timed out");
        return p.exitValue() == 0 ? null : out;
    }

    /** Python with the onnx package, if installed (optional: only adds the reference checker). */
    static final class PythonOnnx {
        static final String PYTHON = "/usr/bin/python3";
        private static Boolean available;

        static synchronized boolean available() {
            if (available == null) {
                try {
                    Process p = new ProcessBuilder(PYTHON, "-c", "import onnx").redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    available = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
                } catch (IOException | InterruptedException e) {
                    available = false;
                }
                if (!available) {
                    System.err.println("ONNX reference checker assertions skipped: " + PYTHON
                            + " cannot import onnx (apt-get install python3-onnx)");
                }
            }
            return available;
        }
    }
}
