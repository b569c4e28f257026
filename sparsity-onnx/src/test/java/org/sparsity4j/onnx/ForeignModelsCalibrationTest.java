package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ValueInfoProto;

/** Calibration on the exported test models: external data, integer inputs from .npy, fp16 and QDQ models. */
class ForeignModelsCalibrationTest {
    @TempDir
    Path dir;

    private Path copyResource(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/models/" + name)) {
            assertTrue(in != null, "missing test resource " + name);
            Files.copy(in, p);
        }
        return p;
    }

    /** Writes an int64 .npy file. */
    static void npyInt64(Path f, long[] v, long... dims) throws IOException {
        StringBuilder shape = new StringBuilder();
        for (long d : dims) {
            shape.append(d).append(", ");
        }
        String header = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + shape + "), }";
        int pad = (64 - (10 + header.length() + 1) % 64) % 64;
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + pad + 1 + v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) (header.length() + pad + 1)).put(header.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < pad; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        for (long x : v) {
            b.putLong(x);
        }
        Files.write(f, b.array());
    }

    @Test
    void bertWithExternalDataAndIntegerInputsFromNpy() throws Exception {
        Path in = copyResource("bert_tiny.onnx");
        copyResource("bert_tiny.onnx.data");
        ModelFile m = ModelFile.open(in);
        Set<String> init = new HashSet<>();
        for (TensorProto t : m.proto().getGraph().getInitializerList()) {
            init.add(t.getName());
        }
        List<String> inputs = new ArrayList<>();
        for (ValueInfoProto v : m.proto().getGraph().getInputList()) {
            if (!init.contains(v.getName())) {
                inputs.add(v.getName());
            }
        }
        Random r = new Random(11);
        Path calib = dir.resolve("calib");
        for (int s = 0; s < 3; s++) {
            Path sd = calib.resolve("sample_" + s);
            Files.createDirectories(sd);
            for (int i = 0; i < inputs.size(); i++) {
                long[] v = new long[8];
                for (int j = 0; j < v.length; j++) {
                    v[j] = inputs.get(i).contains("mask") ? 1 : r.nextInt(2);
                }
                npyInt64(sd.resolve("input_" + i + ".npy"), v, 1, 8);
            }
        }
        Path out = dir.resolve("out.onnx");
        PruneReport rep = OnnxPruner.prune(in, out, PruneOptions.defaults()
                .withCalibration(Calibration.directory(calib).withEvaluation(calib)));
        assertEquals(13, rep.count(Action.PRUNE), rep.tensors().toString());
        for (TensorReport t : rep.tensors()) {
            if (t.action() == Action.PRUNE) {
                assertEquals("wanda", t.scoring(), t.name());
                assertTrue(t.retainedScore() > 0 && t.retainedScore() <= 1, t.name());
            }
        }
        assertEquals(3, rep.calibration().samples());
        assertEquals(3, rep.calibration().evaluationSamples());
        for (OutputFidelity f : rep.calibration().fidelity()) {
            assertTrue(Double.isNaN(f.relativeError()) || f.relativeError() >= 0, f.toString());
        }
        assertTrue(Files.exists(dir.resolve("out.onnx.data")));
        assertTrue(OnnxPruner.check(out, PruneOptions.defaults()).allEligibleValid());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }

    @Test
    void fp16AndQuantizedConvModelsWithRandomSamples() throws Exception {
        for (String name : List.of("resnet_tiny_fp16.onnx", "resnet_tiny_qdq.onnx", "vit_tiny_fp16.onnx")) {
            Path in = copyResource(name);
            Path out = dir.resolve("out-" + name);
            PruneReport r = OnnxPruner.prune(in, out, PruneOptions.defaults()
                    .withCalibration(Calibration.random(2).withEvaluationRandom(1)));
            long wanda = r.tensors().stream().filter(t -> t.action() == Action.PRUNE && t.scoring().equals("wanda"))
                    .count();
            assertTrue(wanda > 0 && wanda == r.count(Action.PRUNE), name + ": " + r.tensors());
            assertTrue(OnnxPruner.check(out, PruneOptions.defaults()).allEligibleValid(), name);
            assertEquals(1, r.calibration().evaluationSamples(), name);
        }
    }
}
