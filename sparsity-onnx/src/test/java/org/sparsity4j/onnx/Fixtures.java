package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;

/** Shared checks: prune, then compare with the core-masked reference in ONNX Runtime. */
final class Fixtures {
    private Fixtures() {
    }

    /** Prunes {@code in} into {@code dir}, runs pruned and reference models in ORT and asserts equal outputs. */
    static PruneReport pruneAndCompare(Path in, Path dir, PruneOptions o, long seed) throws Exception {
        return pruneAndCompare(in, dir, o, seed, true);
    }

    /**
     * As {@link #pruneAndCompare(Path, Path, PruneOptions, long)}; {@code requireChange} asks that
     * some output differs from the unpruned model's (false for models whose outputs ignore the
     * pruned weights, such as a zero-initialised classifier head).
     */
    static PruneReport pruneAndCompare(Path in, Path dir, PruneOptions o, long seed, boolean requireChange)
            throws Exception {
        List<byte[]> orig = Ort.run(in, seed);
        Path out = dir.resolve("pruned-" + in.getFileName());
        PruneReport r = OnnxPruner.prune(in, out, o);
        Path ref = Reference.masked(in, r, dir, "reference-" + in.getFileName());
        List<byte[]> got = Ort.run(out, seed);
        List<byte[]> want = Ort.run(ref, seed);
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(want.get(i), got.get(i), "output " + i + " of " + in.getFileName() + " (seed " + seed + ")");
        }
        if (requireChange && r.count(Action.PRUNE) > 0) {
            boolean differs = false;
            for (int i = 0; i < orig.size(); i++) {
                differs |= !java.util.Arrays.equals(orig.get(i), got.get(i));
            }
            assertTrue(differs, "pruning changed no output of " + in.getFileName());
        }
        PruneReport again = OnnxPruner.check(out, o);
        assertTrue(again.allEligibleValid(), "pruned model fails check: " + again);
        return r;
    }

    /** Loads every tensor of a model by name (first occurrence). */
    static Map<String, Tensor> tensors(Path model) throws IOException {
        ModelFile mf = ModelFile.open(model);
        Map<String, Tensor> out = new HashMap<>();
        Map<String, TensorProto> protos = new HashMap<>();
        TensorWalker.forEach(mf.proto(), (p, t) -> protos.putIfAbsent(t.getName(), t));
        for (Map.Entry<String, TensorProto> e : protos.entrySet()) {
            var type = DataTypes.elementType(e.getValue().getDataType());
            if (type != null) {
                out.put(e.getKey(), TensorData.load(e.getValue(), e.getKey(), type, mf.baseDir()).copy());
            }
        }
        return out;
    }

    static TensorReport find(PruneReport r, String name) {
        return r.tensors().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no candidate " + name + " in " + r.tensors()));
    }

    static void assertPruned(PruneReport r, String name, int axis) {
        TensorReport t = find(r, name);
        assertEquals(Action.PRUNE, t.action(), name + ": " + t.reason());
        assertEquals(axis, t.axis(), name + " axis");
    }

    static void assertSkipped(PruneReport r, String name, String reasonPart) {
        TensorReport t = find(r, name);
        assertEquals(Action.SKIP, t.action(), name);
        assertTrue(t.reason().contains(reasonPart), name + " reason '" + t.reason() + "' lacks '" + reasonPart + "'");
    }

    static void assertBitsEqual(Tensor want, Tensor got, String what) {
        assertEquals(want.size(), got.size(), what);
        for (int i = 0; i < want.size(); i++) {
            if (want.bits(i) != got.bits(i)) {
                assertFalse(true, what + ": element " + i + " is " + got.get(i) + ", expected " + want.get(i));
            }
        }
    }
}
