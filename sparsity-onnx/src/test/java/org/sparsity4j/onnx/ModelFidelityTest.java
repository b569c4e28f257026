package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsity4j.onnx.Models.floats;
import static org.sparsity4j.onnx.Models.node;
import static org.sparsity4j.onnx.Models.randomFloats;
import static org.sparsity4j.onnx.Models.value;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsity4j.onnx.proto.OnnxSubset.FunctionProto;
import org.sparsity4j.onnx.proto.OnnxSubset.GraphProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;
import org.sparsity4j.onnx.proto.OnnxSubset.StringStringEntryProto;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;
import org.sparsity4j.onnx.proto.OnnxSubset.TrainingInfoProto;

/** Everything not pruned survives; external data; determinism; atomic output and input errors. */
class ModelFidelityTest {
    private static final int F = DataTypes.FLOAT;
    @TempDir
    Path dir;

    private static UnknownFieldSet unknown(int field, String text) {
        return unknown(field, ByteString.copyFromUtf8(text));
    }

    private static UnknownFieldSet unknown(int field, ByteString bytes) {
        return UnknownFieldSet.newBuilder().addField(field, UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(bytes).build()).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /**
     * A model with fields this library reads and fields it does not: doc strings, producer fields, a
     * value_info, metadata, training information, a local function and a field of no ONNX version. As
     * read back from its bytes, so that fields the subset declares are parsed as such.
     */
    private static ModelProto richModel(Random r) {
        TensorProto w = floats("W", randomFloats(r, 8 * 8), 8, 8).toBuilder()
                .setUnknownFields(unknown(12, "tensor doc string")).build();
        TensorProto bias = floats("bias", randomFloats(r, 8), 8);
        ByteString valueInfo = value("h", F, 2, 8).toBuilder().setUnknownFields(unknown(3, "value_info doc"))
                .build().toByteString();
        ByteString training = TrainingInfoProto.newBuilder().addUpdateBinding(entry("W", "W_new")).build()
                .toByteString();
        ByteString function = FunctionProto.newBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                .mergeFrom(unknown(1, "local_function")).mergeFrom(unknown(10, "custom.domain")).build())
                .build().toByteString();
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(w).addInitializer(bias)
                .addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "W"), List.of("h")).toBuilder()
                        .setUnknownFields(unknown(6, "node doc string")).build())
                .addNode(node("Add", "add", List.of("h", "bias"), List.of("y")))
                .addOutput(value("y", F, 2, 8))
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .mergeFrom(unknown(10, "graph doc"))
                        .mergeFrom(unknown(13, valueInfo)).build())
                .build();
        UnknownFieldSet modelExtras = UnknownFieldSet.newBuilder()
                .mergeFrom(unknown(2, "producer"))
                .mergeFrom(unknown(3, "1.2.3"))
                .mergeFrom(unknown(14, entry("author", "metadata value").toByteString()))
                .mergeFrom(unknown(20, training))
                .mergeFrom(unknown(25, function))
                .addField(999, UnknownFieldSet.Field.newBuilder().addVarint(42).build())
                .build();
        ModelProto m = Models.model(g).toBuilder().setUnknownFields(modelExtras).build();
        try {
            return ModelProto.parseFrom(m.toByteArray());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** A corrupt length inside a field the library does not read (a value's type) is refused, not copied. */
    @Test
    void aCorruptMessageInsideAFieldNotReadIsRefused() throws Exception {
        ModelProto m = richModel(new Random(11));
        // the output's type: ValueInfoProto.type (2) > TypeProto.tensor_type (1) > shape (2) > dim (1);
        // a dim whose dim_value (a varint) is replaced by a length-delimited field 1 claiming 40 bytes
        ByteString badDim = ByteString.copyFrom(new byte[] {0x0A, 40, 0x08, 0x02});
        ByteString shape = unknown(1, badDim).toByteString();
        ByteString tensorType = UnknownFieldSet.newBuilder().addField(1, UnknownFieldSet.Field.newBuilder()
                .addVarint(1).build()).mergeFrom(unknown(2, shape)).build().toByteString();
        ByteString type = unknown(1, tensorType).toByteString();
        GraphProto g = m.getGraph().toBuilder().setOutput(0, m.getGraph().getOutput(0).toBuilder().clearType()
                .setUnknownFields(unknown(2, type))).build();
        Path in = dir.resolve("bad-type.onnx");
        Files.write(in, m.toBuilder().setGraph(g).build().toByteArray());
        assertInputError(in, "is not a valid ONNX model (corrupt or truncated protobuf");
    }

    @Test
    void everythingButThePrunedTensorSurvivesAndOutputIsDeterministic() throws Exception {
        ModelProto m = richModel(new Random(1));
        Path in = Models.write(dir, "rich.onnx", m);
        Path out1 = dir.resolve("a.onnx");
        Path out2 = dir.resolve("b.onnx");
        OnnxPruner.prune(in, out1, PruneOptions.defaults());
        OnnxPruner.prune(in, out2, PruneOptions.defaults());
        assertArrayEquals(Files.readAllBytes(out1), Files.readAllBytes(out2), "same input, different bytes");
        ModelProto got = ModelProto.parseFrom(Files.readAllBytes(out1));
        TensorProto prunedW = got.getGraph().getInitializer(0);
        assertFalse(prunedW.getRawData().equals(m.getGraph().getInitializer(0).getRawData()), "W not pruned");
        ModelProto expected = TensorReplacer.replace(m, Map.of("graph/initializer[0]", prunedW));
        assertEquals(expected, got, "something other than W changed");
        assertEquals(expected.getUnknownFields(), got.getUnknownFields());
        assertEquals(m.getGraph().getInitializer(0).getUnknownFields(), prunedW.getUnknownFields());
    }

    /** Writes the model's initializers into an external data file at odd offsets. */
    private Path externalModel(Random r, String name) throws IOException {
        return externalModel(r, name, false);
    }

    /**
     * As {@link #externalModel(Random, String)}; with {@code sparseW}, W already has 2:4 along its K
     * axis, with signed zeros (-0.0 and +0.0) in the pruned places.
     */
    private Path externalModel(Random r, String name, boolean sparseW) throws IOException {
        float[] wv = randomFloats(r, 8 * 12);
        if (sparseW) {
            for (int i = 0; i < wv.length; i++) {
                if ((i / 12) % 4 >= 2) {
                    wv[i] = i % 3 == 0 ? -0.0f : 0.0f;
                }
            }
        }
        TensorProto w = floats("W", wv, 8, 12);
        TensorProto w2 = floats("W2", randomFloats(r, 12 * 4), 4, 12);
        TensorProto bias = floats("bias", randomFloats(r, 4), 4);
        ByteBuffer data = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, long[]> where = new HashMap<>();
        int pos = 3; // unaligned on purpose
        for (TensorProto t : List.of(w, w2, bias)) {
            byte[] b = t.getRawData().toByteArray();
            data.position(pos);
            data.put(b);
            where.put(t.getName(), new long[] {pos, b.length});
            pos += b.length + 5;
        }
        Files.write(dir.resolve(name + ".weights"), java.util.Arrays.copyOf(data.array(), pos));
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "W"), List.of("h")))
                .addNode(node("Gemm", "gemm", List.of("h", "W2", "bias"), List.of("y"), Models.attrInt("transB", 1)))
                .addOutput(value("y", F, 2, 4));
        for (TensorProto t : List.of(w, w2, bias)) {
            long[] at = where.get(t.getName());
            g.addInitializer(t.toBuilder().clearRawData().setDataLocation(1)
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(name + ".weights"))
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("" + at[0]))
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("" + at[1])));
        }
        return Models.write(dir, name, Models.model(g.build()));
    }

    @Test
    void externalDataIsStreamedIntoOneFileNextToTheOutput() throws Exception {
        Path in = externalModel(new Random(2), "ext.onnx");
        PruneReport r = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 3);
        Fixtures.assertPruned(r, "W", 0);
        Fixtures.assertPruned(r, "W2", 1);
        Path out = dir.resolve("pruned-ext.onnx");
        assertTrue(Files.exists(dir.resolve("pruned-ext.onnx.data")));
        ModelProto got = ModelProto.parseFrom(Files.readAllBytes(out));
        for (TensorProto t : got.getGraph().getInitializerList()) {
            assertEquals(1, t.getDataLocation());
            assertEquals("pruned-ext.onnx.data", t.getExternalData(0).getValue());
            assertEquals(0, Long.parseLong(t.getExternalData(1).getValue()) % OnnxPruner.EXTERNAL_ALIGNMENT);
        }
        // The unpruned bias is copied bit for bit.
        assertArrayEquals(Fixtures.tensors(in).get("bias").toLittleEndianBytes().array(),
                Fixtures.tensors(out).get("bias").toLittleEndianBytes().array());
        // Same bytes on a second run.
        Path again = dir.resolve("again.onnx");
        OnnxPruner.prune(in, again, PruneOptions.defaults());
        assertArrayEquals(Files.readAllBytes(dir.resolve("pruned-ext.onnx.data")),
                Files.readAllBytes(dir.resolve("again.onnx.data")));
    }

    /**
     * A model above the direct-I/O threshold, single-file and with external data: the outputs written
     * with direct I/O (where the test folder's file system offers it) and through the page cache are
     * the same bytes, and the pruned weight is the core's prune of the input.
     */
    @Test
    void directAndPageCacheWritesGiveTheSameBytes() throws Exception {
        int rows = 4352;
        int cols = 4096; // 68 MiB of FP32, above SequentialOutput.DIRECT_MIN_BYTES
        Random r = new Random(31);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        TensorProto w = floats("W", v, rows, cols);
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(w)
                .addInput(value("x", F, 2, rows))
                .addNode(node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(value("y", F, 2, cols)).build();
        Path single = Models.write(dir, "big.onnx", Models.model(g));
        Files.write(dir.resolve("big-ext.weights"), w.getRawData().toByteArray());
        GraphProto ge = g.toBuilder().setInitializer(0, w.toBuilder().clearRawData().setDataLocation(1)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("big-ext.weights"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("0"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("" + 4L * rows * cols)))
                .build();
        Path external = Models.write(dir, "big-ext.onnx", Models.model(ge));
        org.sparsity4j.core.tensor.Tensor expected = org.sparsity4j.core.tensor.Tensor.ofFloats(v.clone(), rows, cols);
        org.sparsity4j.core.mask.StripMasker.of(org.sparsity4j.core.pattern.SparsityPattern.TWO_OF_FOUR).prune(expected, 0);
        byte[] want = expected.toLittleEndianBytes().array();
        for (Path in : List.of(single, external)) {
            String name = in.getFileName().toString();
            boolean was = OnnxPruner.useDirectIo(true);
            try {
                OnnxPruner.prune(in, dir.resolve("direct-" + name), PruneOptions.defaults());
                OnnxPruner.useDirectIo(false);
                OnnxPruner.prune(in, dir.resolve("cached-" + name), PruneOptions.defaults());
            } finally {
                OnnxPruner.useDirectIo(was);
            }
            if (in == external) { // the model files differ in the name of their data file only
                assertArrayEquals(Files.readAllBytes(dir.resolve("cached-" + name + ".data")),
                        Files.readAllBytes(dir.resolve("direct-" + name + ".data")), name + ".data");
            } else {
                assertArrayEquals(Files.readAllBytes(dir.resolve("cached-" + name)),
                        Files.readAllBytes(dir.resolve("direct-" + name)), name);
            }
            assertArrayEquals(want, Fixtures.tensors(dir.resolve("direct-" + name)).get("W").toLittleEndianBytes().array(),
                    name + ": W is the core's prune of the input");
        }
    }

    /**
     * A single-file model of several tensors above the direct-I/O threshold, one of them already
     * sparse: written by the writer thread while the next tensor is pruned, through direct I/O and
     * through the page cache, the outputs are the same bytes and every weight is the core's prune of
     * its input. A failure on the pruning side while writes are queued (here: the progress listener
     * throws at the second tensor) leaves no output, no temporary file and the input as it was.
     */
    @Test
    void severalTensorsWrittenWhileTheNextIsPruned() throws Exception {
        Random r = new Random(41);
        int[][] dims = {{2056, 4096}, {96, 36}, {2048, 4100}, {64, 64}};
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addInput(value("x", F, 2, 2056));
        List<float[]> values = new java.util.ArrayList<>();
        String x = "x";
        for (int k = 0; k < dims.length; k++) {
            float[] v = randomFloats(r, dims[k][0] * dims[k][1]);
            if (k == 3) { // already 2:4 along axis 0
                for (int i = 0; i < v.length; i++) {
                    v[i] = (i / dims[k][1]) % 4 < 2 ? v[i] : 0f;
                }
            }
            values.add(v);
            g.addInitializer(floats("W" + k, v, dims[k][0], dims[k][1]));
            g.addNode(node("MatMul", "mm" + k, List.of(x, "W" + k), List.of("h" + k)));
            x = "h" + k;
            if (k + 1 < dims.length) { // the next weight's K: a Reshape-free chain needs matching dims
                g.addInitializer(floats("P" + k, randomFloats(r, dims[k][1] * dims[k + 1][0]), dims[k][1], dims[k + 1][0]));
                g.addNode(node("MatMul", "proj" + k, List.of(x, "P" + k), List.of("q" + k)));
                x = "q" + k;
            }
        }
        g.addOutput(value(x, F, 2, dims[dims.length - 1][1]));
        Path in = Models.write(dir, "multi.onnx", Models.model(g.build()));
        byte[] input = Files.readAllBytes(in);
        boolean was = OnnxPruner.useDirectIo(true);
        try {
            OnnxPruner.prune(in, dir.resolve("direct.onnx"), PruneOptions.defaults());
            OnnxPruner.useDirectIo(false);
            OnnxPruner.prune(in, dir.resolve("cached.onnx"), PruneOptions.defaults());
            for (boolean direct : new boolean[] {true, false}) {
                OnnxPruner.useDirectIo(direct);
                int[] seen = {0};
                Path failed = dir.resolve("failed-" + direct + ".onnx");
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> OnnxPruner.prune(in, failed,
                        PruneOptions.defaults().withProgress(m -> {
                            if (++seen[0] == 2) {
                                throw new IllegalStateException("stop at " + m);
                            }
                        })));
                assertTrue(e.getMessage().startsWith("stop at"), e.getMessage());
                assertTrue(!Files.exists(failed), "no output after a failure");
            }
        } finally {
            OnnxPruner.useDirectIo(was);
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().collect(java.util.stream.Collectors.toList());
            assertEquals(List.of("cached.onnx", "direct.onnx", "multi.onnx"), names, "no temporary files left");
        }
        assertArrayEquals(input, Files.readAllBytes(in), "input unchanged");
        assertArrayEquals(Files.readAllBytes(dir.resolve("cached.onnx")), Files.readAllBytes(dir.resolve("direct.onnx")));
        Map<String, org.sparsity4j.core.tensor.Tensor> out = Fixtures.tensors(dir.resolve("direct.onnx"));
        for (int k = 0; k < dims.length; k++) {
            org.sparsity4j.core.tensor.Tensor expected = org.sparsity4j.core.tensor.Tensor.ofFloats(values.get(k).clone(),
                    dims[k][0], dims[k][1]);
            org.sparsity4j.core.mask.StripMasker.of(org.sparsity4j.core.pattern.SparsityPattern.TWO_OF_FOUR)
                    .prune(expected, 0);
            assertArrayEquals(expected.toLittleEndianBytes().array(), out.get("W" + k).toLittleEndianBytes().array(),
                    "W" + k);
        }
    }

    @Test
    void alreadySparseExternalTensorKeepsItsBytesIncludingSignedZeros() throws Exception {
        Path in = externalModel(new Random(12), "sparse-ext.onnx", true);
        PruneReport r = Fixtures.pruneAndCompare(in, dir, PruneOptions.defaults(), 13);
        assertEquals(Action.ALREADY_SPARSE, Fixtures.find(r, "W").action());
        Fixtures.assertPruned(r, "W2", 1);
        Path out = dir.resolve("pruned-sparse-ext.onnx");
        assertArrayEquals(Fixtures.tensors(in).get("W").toLittleEndianBytes().array(),
                Fixtures.tensors(out).get("W").toLittleEndianBytes().array(), "already-sparse W changed");
    }

    @Test
    void outputsGetTheUsualPermissionsOfANewFileNotOwnerOnly() throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "needs a POSIX file system");
        // What any new file in this directory gets (0666 less the umask): the reference.
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(Files.createFile(dir.resolve("reference")));
        Random r = new Random(5);
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(floats("B", randomFloats(r, 8 * 12), 8, 12))
                .addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "B"), List.of("y")))
                .addOutput(value("y", F, 2, 12))
                .build();
        Path single = Models.write(dir, "single.onnx", Models.model(g));
        Path singleOut = dir.resolve("single-out.onnx");
        OnnxPruner.prune(single, singleOut, PruneOptions.defaults());
        assertEquals(expected, Files.getPosixFilePermissions(singleOut), "single-file output");
        Path ext = externalModel(r, "ext.onnx");
        Path extOut = dir.resolve("ext-out.onnx");
        OnnxPruner.prune(ext, extOut, PruneOptions.defaults());
        assertEquals(expected, Files.getPosixFilePermissions(extOut), "model of an external-data output");
        assertEquals(expected, Files.getPosixFilePermissions(dir.resolve("ext-out.onnx.data")), "its data file");
    }

    /** Makes a named pipe with the system's mkfifo; false where there is none. */
    private static boolean mkfifo(Path p) throws IOException {
        try {
            return new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private void assertInputError(Path in, String messagePart) throws IOException {
        Path out = dir.resolve("never.onnx");
        OnnxInputException e = assertThrows(OnnxInputException.class,
                () -> OnnxPruner.prune(in, out, PruneOptions.defaults()));
        assertTrue(e.getMessage().contains(messagePart), "message '" + e.getMessage() + "' lacks '" + messagePart + "'");
        assertFalse(Files.exists(out), "output written despite the error");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }

    @Test
    void corruptTruncatedAndInconsistentInputsFailWithoutOutput() throws Exception {
        ModelProto m = richModel(new Random(4));
        byte[] bytes = m.toByteArray();
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        assertInputError(truncated, "truncated.onnx");
        Path garbage = dir.resolve("garbage.onnx");
        Files.write(garbage, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x12, 0x34});
        assertInputError(garbage, "not a valid ONNX model");
        Path empty = dir.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        assertInputError(empty, "empty");
        assertInputError(dir.resolve("missing.onnx"), "does not exist");
        // opset_import comes after the graph: a file cut between the two still parses
        Path noOpset = Models.write(dir, "no-opset.onnx", m.toBuilder().clearOpsetImport().build());
        assertInputError(noOpset, "has no opset_import");

        TensorProto bad = m.getGraph().getInitializer(0).toBuilder().setDims(0, 9).build();
        Path dims = Models.write(dir, "dims.onnx", TensorReplacer.replace(m, Map.of("graph/initializer[0]", bad)));
        assertInputError(dims, "tensor 'W': raw_data holds 256 bytes but dims [9, 8]");

        Path ext = externalModel(new Random(5), "e1.onnx");
        Files.delete(dir.resolve("e1.onnx.weights"));
        assertInputError(ext, "external data file 'e1.onnx.weights' does not exist");
        Files.createDirectory(dir.resolve("e1.onnx.weights"));
        assertInputError(ext, "external data location 'e1.onnx.weights' is a directory");

        // dims of more elements than one tensor can be masked, and than any raw_data holds; from 2^61 up
        // their byte count overflows a long
        for (long d0 : new long[] {1L << 40, 1L << 61, Long.MAX_VALUE}) {
            TensorProto huge = m.getGraph().getInitializer(0).toBuilder().setDims(0, d0).setDims(1, 1).build();
            Path hugeDims = Models.write(dir, "huge-dims.onnx",
                    TensorReplacer.replace(m, Map.of("graph/initializer[0]", huge)));
            assertInputError(hugeDims, "tensor 'W': raw_data holds 256 bytes but dims [" + d0 + ", 1]");
        }

        // a location that is no file name at all (a NUL byte), and a data file that is a FIFO
        ModelProto e3 = ModelProto.parseFrom(Files.readAllBytes(externalModel(new Random(7), "e3.onnx")));
        TensorProto nul = e3.getGraph().getInitializer(0).toBuilder()
                .setExternalData(0, StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin\0x")).build();
        Path nulModel = Models.write(dir, "nul.onnx", TensorReplacer.replace(e3, Map.of("graph/initializer[0]", nul)));
        assertInputError(nulModel, "tensor 'W': external data location 'w.bin\\0x' is not a valid file name");
        if (mkfifo(dir.resolve("e1.onnx.weights.fifo"))) {
            Files.delete(dir.resolve("e1.onnx.weights"));
            Files.move(dir.resolve("e1.onnx.weights.fifo"), dir.resolve("e1.onnx.weights"));
            assertInputError(ext, "external data file 'e1.onnx.weights' is not a regular file");
            // a FIFO as the model itself would block the read forever
            Path fifoModel = dir.resolve("fifo.onnx");
            assertTrue(mkfifo(fifoModel));
            assertInputError(fifoModel, "is not a regular file");
        }

        Path ext2 = externalModel(new Random(6), "e2.onnx");
        Path w = dir.resolve("e2.onnx.weights");
        byte[] data = Files.readAllBytes(w);
        Files.write(w, java.util.Arrays.copyOf(data, 100));
        assertInputError(ext2, "lies outside 'e2.onnx.weights'");
    }

    @Test
    void refusesToOverwriteTheInput() throws Exception {
        Path in = Models.write(dir, "same.onnx", richModel(new Random(7)));
        byte[] before = Files.readAllBytes(in);
        assertThrows(IllegalArgumentException.class, () -> OnnxPruner.prune(in, in, PruneOptions.defaults()));
        assertThrows(IllegalArgumentException.class,
                () -> OnnxPruner.prune(in, dir.resolve("sub/../same.onnx"), PruneOptions.defaults()));
        assertArrayEquals(before, Files.readAllBytes(in));
        Path ext = externalModel(new Random(8), "e3.onnx");
        // Output whose data file would be the input's data file.
        Files.move(dir.resolve("e3.onnx.weights"), dir.resolve("o.onnx.data"));
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(ext));
        Map<String, TensorProto> repl = new HashMap<>();
        TensorWalker.forEach(m, (p, t) -> repl.put(p, t.toBuilder().setExternalData(0,
                StringStringEntryProto.newBuilder().setKey("location").setValue("o.onnx.data")).build()));
        Path in3 = Models.write(dir, "e3b.onnx", TensorReplacer.replace(m, repl));
        assertThrows(IllegalArgumentException.class, () -> OnnxPruner.prune(in3, dir.resolve("o.onnx"),
                PruneOptions.defaults()));
    }
    /** Asserts that pruning {@code in} into {@code out} is refused naming both files, and changes no file. */
    private void assertRefused(Path in, Path out, Path victim) throws IOException {
        Map<Path, byte[]> before = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                before.put(f, Files.readAllBytes(f));
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxPruner.prune(in, out, PruneOptions.defaults()));
        assertTrue(e.getMessage().contains("refusing to overwrite") && e.getMessage().contains(victim.getFileName().toString())
                && e.getMessage().contains(out.getFileName().toString()), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> after = files.toList();
            assertEquals(before.keySet(), Set.copyOf(after), "files added or removed");
            for (Path f : after) {
                assertArrayEquals(before.get(f), Files.readAllBytes(f), f + " changed");
            }
        }
    }

    @Test
    void outputMayNotReplaceAnInputDataFile() throws Exception {
        Path in = externalModel(new Random(9), "e4.onnx");
        Path data = dir.resolve("e4.onnx.weights");
        assertRefused(in, data, data);
        assertRefused(in, dir.resolve("sub/../e4.onnx.weights"), data);
        // A link to the data file is the same file too.
        Path link = dir.resolve("link.onnx");
        Files.createSymbolicLink(link, data.getFileName());
        assertRefused(in, link, data);
    }

    @Test
    void outputDataFileMayNotReplaceTheInputModel() throws Exception {
        Path ext = externalModel(new Random(10), "e5.onnx");
        // The input model is named like the data file of output m.onnx.
        Path in = Files.move(ext, dir.resolve("m.onnx.data"));
        assertRefused(in, dir.resolve("m.onnx"), in);
    }

    @Test
    void outputDataFileMayNotReplaceAnInputDataFileOfAnotherName() throws Exception {
        Path in = externalModel(new Random(11), "e6.onnx");
        Path data = dir.resolve("e6.onnx.weights");
        Path link = dir.resolve("o6.onnx.data");
        Files.createLink(link, data);
        assertRefused(in, dir.resolve("o6.onnx"), link);
    }
    private String cliErr;

    /** Runs the command line tool; its stderr goes to {@link #cliErr}. */
    private int cli(String... args) {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);
        int code = org.sparsity4j.onnx.cli.SparsityCli.run(args, ps, ps, false);
        cliErr = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        return code;
    }

    @Test
    void unreadableInputsAreInputErrorsNamingTheFile() throws Exception {
        Path out = dir.resolve("never.onnx");
        Path folder = Files.createDirectory(dir.resolve("folder.onnx"));
        assertEquals(3, cli("prune", folder.toString(), "-o", out.toString()), cliErr);
        assertTrue(cliErr.contains("input error") && cliErr.contains("folder.onnx") && cliErr.contains("directory"),
                cliErr);
        assertEquals(3, cli("report", folder.toString()), cliErr);
        assertFalse(Files.exists(out));

        Path model = Models.write(dir, "locked.onnx", richModel(new Random(12)));
        Path ext = externalModel(new Random(13), "e7.onnx");
        Path data = dir.resolve("e7.onnx.weights");
        Files.setPosixFilePermissions(model, Set.of());
        Files.setPosixFilePermissions(data, Set.of());
        Assumptions.assumeFalse(Files.isReadable(model) || Files.isReadable(data),
                "files without read permission are readable by this user (root)");
        assertEquals(3, cli("prune", model.toString(), "-o", out.toString()), cliErr);
        assertTrue(cliErr.contains("locked.onnx") && cliErr.contains("cannot be read"), cliErr);
        assertEquals(3, cli("prune", ext.toString(), "-o", out.toString()), cliErr);
        assertTrue(cliErr.contains("'W'") && cliErr.contains("e7.onnx.weights"), cliErr);
        assertEquals(3, cli("report", ext.toString()), cliErr);
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("never.onnx.data")));
    }

    @Test
    void groupEncodedUnknownFieldsAreKept() throws Exception {
        Random r = new Random(14);
        UnknownFieldSet inner = UnknownFieldSet.newBuilder()
                .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(5).build())
                .addField(2, UnknownFieldSet.Field.newBuilder().addGroup(UnknownFieldSet.newBuilder()
                        .addField(2, UnknownFieldSet.Field.newBuilder().addFixed64(7).build()).build()).build())
                .build();
        UnknownFieldSet groups = UnknownFieldSet.newBuilder()
                .addField(99, UnknownFieldSet.Field.newBuilder().addGroup(inner).build()).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(floats("W", randomFloats(r, 64), 8, 8))
                .addInput(value("x", F, 2, 8)).addNode(node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(value("y", F, 2, 8)).setUnknownFields(groups).build();
        Path in = Models.write(dir, "group.onnx", Models.model(g));
        Path out = dir.resolve("group-out.onnx");
        Fixtures.assertPruned(OnnxPruner.prune(in, out, PruneOptions.defaults()), "W", 0);
        assertEquals(groups, ModelProto.parseFrom(Files.readAllBytes(out)).getGraph().getUnknownFields());
    }

    @Test
    void aGraphFieldRepeatedInTheFileIsMergedAsProtobufMergesIt() throws Exception {
        // Two occurrences of ModelProto.graph are one graph whose initializers are W (first) and V (second).
        Random r = new Random(15);
        TensorProto w = floats("W", randomFloats(r, 64), 8, 8);
        TensorProto v = floats("V", randomFloats(r, 64), 8, 8);
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(w).addInput(value("x", F, 2, 8))
                .addNode(node("MatMul", "mm", List.of("x", "W"), List.of("y"))).addOutput(value("y", F, 2, 8)).build();
        ModelProto second = ModelProto.newBuilder().setGraph(GraphProto.newBuilder().addInitializer(v)).build();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.write(Models.model(g).toByteArray());
        bytes.write(second.toByteArray());
        Path in = dir.resolve("merged.onnx");
        Files.write(in, bytes.toByteArray());
        Path out = dir.resolve("merged-out.onnx");
        PruneReport rep = OnnxPruner.prune(in, out, PruneOptions.defaults());
        Fixtures.assertPruned(rep, "W", 0);
        Map<String, org.sparsity4j.core.tensor.Tensor> got = Fixtures.tensors(out);
        assertArrayEquals(v.getRawData().toByteArray(), got.get("V").toLittleEndianBytes().array(), "V changed");
        assertTrue(org.sparsity4j.core.validate.Validator.checkStrip(got.get("W"),
                org.sparsity4j.core.pattern.SparsityPattern.TWO_OF_FOUR, 0).isValid(), "W not pruned");
    }
    private static StringStringEntryProto kv(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    /** An external tensor; {@code length} null leaves the key out. */
    private static TensorProto external(String name, int type, String location, long offset, Long length,
            long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setDataLocation(1)
                .addExternalData(kv("location", location)).addExternalData(kv("offset", Long.toString(offset)));
        if (length != null) {
            t.addExternalData(kv("length", Long.toString(length)));
        }
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static String externalKey(TensorProto t, String key) {
        return t.getExternalDataList().stream().filter(e -> e.getKey().equals(key)).findFirst().orElseThrow()
                .getValue();
    }

    @Test
    void externalTensorsWithoutLengthInALargeSharedFileAreSizedByTheirDims() throws Exception {
        // W and V share a sparse 3 GiB file and name no length: each is as long as its dims need.
        Random r = new Random(16);
        TensorProto wRaw = floats("W", randomFloats(r, 64), 8, 8);
        TensorProto vRaw = floats("V", randomFloats(r, 4), 4);
        Path bin = dir.resolve("shared.bin");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(bin,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(wRaw.getRawData().asReadOnlyByteBuffer(), 0);
            ch.write(vRaw.getRawData().asReadOnlyByteBuffer(), 1 << 20);
            ch.write(ByteBuffer.wrap(new byte[] {1}), (3L << 30) - 1);
        }
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(external("W", F, "shared.bin", 0, null, 8, 8))
                .addInitializer(external("V", F, "shared.bin", 1 << 20, null, 4))
                .addInput(value("x", F, 2, 8)).addNode(node("MatMul", "mm", List.of("x", "W"), List.of("h")))
                .addNode(node("Add", "add", List.of("h", "V"), List.of("y"))).addOutput(value("y", F, 2, 8)).build();
        Path in = Models.write(dir, "shared.onnx", Models.model(g));
        Path out = dir.resolve("shared-out.onnx");
        Fixtures.assertPruned(OnnxPruner.prune(in, out, PruneOptions.defaults()), "W", 0);
        GraphProto got = ModelProto.parseFrom(Files.readAllBytes(out)).getGraph();
        assertEquals("256", externalKey(got.getInitializer(0), "length"));
        assertEquals("16", externalKey(got.getInitializer(1), "length"));
        assertTrue(Files.size(dir.resolve("shared-out.onnx.data")) < 1024, "output data file holds more than W and V");
        assertArrayEquals(vRaw.getRawData().toByteArray(), Fixtures.tensors(out).get("V").toLittleEndianBytes().array());
    }

    @Test
    void externalPackedTensorsWithoutLengthKeepTheirOwnLength() throws Exception {
        // INT4 [8] and UINT4 [5] (two elements to a byte: 4 and 3 bytes) before a pruned W in one file,
        // INT2 [6] (four to a byte: 2 bytes) and FLOAT8E8M0 [3] (3 bytes) after it.
        Random r = new Random(17);
        TensorProto wRaw = floats("W", randomFloats(r, 64), 8, 8);
        ByteBuffer all = ByteBuffer.allocate(8 + 256 + 5);
        all.put(new byte[] {0x12, 0x34, 0x56, 0x78, 0x1a, 0x2b, 0x3c, 0}).put(wRaw.getRawData().toByteArray())
                .put(new byte[] {0x4d, 0x05, 0x7f, (byte) 0x80, (byte) 0xfe});
        Files.write(dir.resolve("data.bin"), all.array());
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(external("W", F, "data.bin", 8, 256L, 8, 8))
                .addInitializer(external("Q", DataTypes.INT4, "data.bin", 0, null, 8))
                .addInitializer(external("U", DataTypes.UINT4, "data.bin", 4, null, 5))
                .addInitializer(external("T", DataTypes.INT2, "data.bin", 264, null, 6))
                .addInitializer(external("M", DataTypes.FLOAT8E8M0, "data.bin", 266, null, 3))
                .addInput(value("x", F, 2, 8)).addNode(node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(value("y", F, 2, 8)).build();
        Path in = Models.write(dir, "int4.onnx", Models.model(g));
        Path out = dir.resolve("int4-out.onnx");
        Fixtures.assertPruned(OnnxPruner.prune(in, out, PruneOptions.defaults()), "W", 0);
        GraphProto got = ModelProto.parseFrom(Files.readAllBytes(out)).getGraph();
        byte[] data = Files.readAllBytes(dir.resolve("int4-out.onnx.data"));
        byte[][] want = {{0x12, 0x34, 0x56, 0x78}, {0x1a, 0x2b, 0x3c}, {0x4d, 0x05}, {0x7f, (byte) 0x80, (byte) 0xfe}};
        for (int i = 0; i < want.length; i++) {
            TensorProto t = got.getInitializer(i + 1);
            assertEquals(Integer.toString(want[i].length), externalKey(t, "length"), t.getName());
            int at = Integer.parseInt(externalKey(t, "offset"));
            assertArrayEquals(want[i], java.util.Arrays.copyOfRange(data, at, at + want[i].length), t.getName());
        }
        // A length that does not match the packed size is an input error naming the tensor.
        GraphProto bad = g.toBuilder().setInitializer(1, external("Q", DataTypes.INT4, "data.bin", 0, 8L, 8)).build();
        assertInputError(Models.write(dir, "int4-bad.onnx", Models.model(bad)), "tensor 'Q': external data length 8");
        GraphProto bad2 = g.toBuilder().setInitializer(3, external("T", DataTypes.INT2, "data.bin", 264, 3L, 6)).build();
        assertInputError(Models.write(dir, "int2-bad.onnx", Models.model(bad2)), "tensor 'T': external data length 3");
    }
    /** A model whose MatMul weight W is reshaped by the shape tensor {@code shape}. */
    private Path reshapeModel(String name, TensorProto shape) throws IOException {
        GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(floats("W", randomFloats(new Random(18), 64), 64))
                .addInitializer(shape).addInput(value("x", F, 2, 8))
                .addNode(node("Reshape", "rs", List.of("W", shape.getName()), List.of("W2")))
                .addNode(node("MatMul", "mm", List.of("x", "W2"), List.of("y")))
                .addOutput(value("y", F, 2, 8)).build();
        return Models.write(dir, name, Models.model(g));
    }

    @Test
    void typedDataNotMatchingDimsAndMissingDataAreInputErrors() throws Exception {
        assertInputError(reshapeModel("i64.onnx", Models.int64s("S", new long[] {8, 8, 1}, 2)),
                "tensor 'S': int64_data holds 3 values but dims [2] need 2");
        // Dims declaring 2^31 - 17 elements and no data: refused before any array of that size is made.
        TensorProto huge = TensorProto.newBuilder().setName("S").setDataType(DataTypes.INT64)
                .addDims(Integer.MAX_VALUE - 16).build();
        Path hugeModel = reshapeModel("huge.onnx", huge);
        assertInputError(hugeModel, "tensor 'S' of dims [2147483631] and type INT64 has no data");
        assertThrows(OnnxInputException.class, () -> OnnxPruner.report(hugeModel, PruneOptions.defaults()));
        assertEquals(3, cli("report", hugeModel.toString(), "-q"), cliErr);
        // Well-formed: 8 INT4 elements in 4 int32_data values, 9 INT2 in 3, 2 COMPLEX64 elements in 4 floats, an
        // UINT64 tensor whose uint64_data this module does not read.
        TensorProto int4 = TensorProto.newBuilder().setName("Q").setDataType(DataTypes.INT4).addDims(8)
                .addAllInt32Data(List.of(0x12, 0x34, 0x56, 0x78)).build();
        TensorProto int2 = TensorProto.newBuilder().setName("T").setDataType(DataTypes.INT2).addDims(9)
                .addAllInt32Data(List.of(0x1b, 0xe4, 0x03)).build();
        TensorProto c64 = TensorProto.newBuilder().setName("C").setDataType(14).addDims(2)
                .addAllFloatData(List.of(1f, 2f, 3f, 4f)).build();
        TensorProto u64 = TensorProto.newBuilder().setName("U").setDataType(13).addDims(1)
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(11, UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build()).build();
        GraphProto g = ModelProto.parseFrom(Files.readAllBytes(reshapeModel("ok.onnx",
                Models.int64s("S", new long[] {8, 8}, 2)))).getGraph().toBuilder()
                .addInitializer(int4).addInitializer(int2).addInitializer(c64).addInitializer(u64).build();
        Path ok = Models.write(dir, "ok.onnx", Models.model(g));
        OnnxPruner.prune(ok, dir.resolve("ok-out.onnx"), PruneOptions.defaults());
        assertEquals(g, ModelProto.parseFrom(Files.readAllBytes(dir.resolve("ok-out.onnx"))).getGraph());
    }
    @Test
    void tensorsLargerThanOneCoreTensorDoNotStopTheModel() throws Exception {
        // E (a Gather table) and B (a MatMul weight) are INT8 [65537, 32768]: 2^31 + 32768 elements each,
        // more than one core tensor holds, in a sparse file. W is pruned; B is listed as skipped.
        Random r = new Random(19);
        TensorProto wRaw = floats("W", randomFloats(r, 64), 8, 8);
        long big = 65537L * 32768;
        Path bin = dir.resolve("big.bin");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(bin,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(wRaw.getRawData().asReadOnlyByteBuffer(), 0);
            ch.write(ByteBuffer.wrap(new byte[] {1}), 256 + 2 * big - 1);
        }
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInitializer(external("W", F, "big.bin", 0, 256L, 8, 8))
                .addInitializer(external("E", DataTypes.INT8, "big.bin", 256, big, 65537, 32768))
                .addInitializer(external("B", DataTypes.INT8, "big.bin", 256 + big, null, 65537, 32768))
                .addInput(value("x", F, 2, 8)).addInput(value("ids", DataTypes.INT64, 3))
                .addInput(value("q", DataTypes.INT8, 2, 65537))
                .addNode(node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addNode(node("Gather", "gather", List.of("E", "ids"), List.of("e")))
                .addNode(node("MatMulInteger", "mmi", List.of("q", "B"), List.of("z")))
                .addOutput(value("y", F, 2, 8)).addOutput(value("e", DataTypes.INT8, 3, 32768))
                .addOutput(value("z", DataTypes.INT32, 2, 32768)).build();
        Path in = Models.write(dir, "big.onnx", Models.model(g));
        PruneReport rep = OnnxPruner.report(in, PruneOptions.defaults());
        Fixtures.assertPruned(rep, "W", 0);
        assertEquals(0, cli("report", in.toString(), "-q"), cliErr);
        assertEquals(1, cli("check", in.toString(), "-q"), cliErr); // W is not yet sparse
        // A MatMul weight of that size is a candidate, skipped with the reason.
        GraphProto g2 = g.toBuilder().setNode(2, node("MatMul", "mm2", List.of("q", "B"), List.of("z"))).build();
        Path in2 = Models.write(dir, "big2.onnx", Models.model(g2));
        Fixtures.assertSkipped(OnnxPruner.report(in2, PruneOptions.defaults()), "B", "has 2147516416 elements");
    }
    @Test
    void aFailureAfterTheDataFileWasRenamedKeepsTheEarlierOutput() throws Exception {
        // The evaluation samples are looked for only after OUT.data is in place (the pruned model is
        // evaluated with it): the earlier run's OUT.data must come back, not be deleted.
        Path in = externalModel(new Random(21), "e8.onnx");
        Path out = dir.resolve("o8.onnx");
        Path outData = dir.resolve("o8.onnx.data");
        OnnxPruner.prune(in, out, PruneOptions.defaults());
        byte[] model = Files.readAllBytes(out);
        byte[] data = Files.readAllBytes(outData);
        PruneOptions o = PruneOptions.defaults().withCalibration(Calibration.random(1)
                .withEvaluation(dir.resolve("no-such-samples")));
        OnnxInputException e = assertThrows(OnnxInputException.class, () -> OnnxPruner.prune(in, out, o));
        assertTrue(e.getMessage().contains("no-such-samples"), e.getMessage());
        assertArrayEquals(model, Files.readAllBytes(out), "earlier output model changed");
        assertArrayEquals(data, Files.readAllBytes(outData), "earlier output data file changed or removed");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }
}
