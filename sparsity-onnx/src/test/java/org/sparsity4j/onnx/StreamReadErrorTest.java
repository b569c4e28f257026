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

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparsity4j.onnx.proto.OnnxSubset.GraphProto;

/**
 * A read error of the input inside a tensor that the single-pass writer reads and prunes: an input
 * error naming the tensor and its byte range, with the read error as its cause, and no output or
 * temporary file left behind. Small tensors are read in one piece, large ones in parts on several
 * threads ({@code ChannelReads}); both are covered.
 */
class StreamReadErrorTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {256, 1024}) // a 256 KiB tensor read in one piece, a 4 MiB one in parts
    void aReadErrorInsideATensorIsAnInputErrorAndLeavesNothing(int side) throws Exception {
        int dataType = DataTypes.FLOAT;
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInput(value("x", dataType, 2, side))
                .addInitializer(floats("W", randomFloats(new Random(side), side * side), side, side))
                .addNode(node("MatMul", "mm", List.of("x", "W"), List.of("y")))
                .addOutput(value("y", dataType, 2, side))
                .build();
        Path in = Models.write(dir, "model.onnx", Models.model(g));
        byte[] before = Files.readAllBytes(in);
        long failAt = before.length * 3L / 4; // inside W's raw_data, which is nearly all of the file
        Path out = dir.resolve("out.onnx");
        OnnxPruner.InputChannels was = OnnxPruner.useInputChannels(
                model -> new FailingChannel(FileChannel.open(model, StandardOpenOption.READ), failAt));
        try {
            OnnxInputException e = assertThrows(OnnxInputException.class,
                    () -> OnnxPruner.prune(in, out, PruneOptions.defaults()));
            assertTrue(e.getMessage().contains("cannot be read inside tensor 'W' (byte offsets "), e.getMessage());
            assertTrue(e.getMessage().contains("simulated read error at byte offset "), e.getMessage());
            assertTrue(e.getCause() instanceof IOException, "cause " + e.getCause());
        } finally {
            OnnxPruner.useInputChannels(was);
        }
        assertFalse(Files.exists(out), "output written despite the read error");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(in), files.collect(Collectors.toList()), "files left in the output's folder");
        }
        assertArrayEquals(before, Files.readAllBytes(in), "input changed");
        // the same model without the failure prunes (the test's model is one the writer handles)
        OnnxPruner.prune(in, out, PruneOptions.defaults());
        assertTrue(Files.size(out) > 0);
    }
}
