package org.sparsity4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsity4j.core.mask.Mask;
import org.sparsity4j.core.mask.StripMasker;
import org.sparsity4j.core.mask.TileMasker;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;

/** The mask file format: round trips and malformed input. */
class MaskSetTest {

    /** Real masks of random tensors: strip masks of any rank and pattern, tile masks of rank-2 tensors. */
    static MaskSet randomMasks(long seed) {
        Random rng = new Random(seed);
        List<ParameterMask> list = new ArrayList<>();
        int count = 1 + rng.nextInt(5);
        for (int i = 0; i < count; i++) {
            int rank = 1 + rng.nextInt(4);
            long[] dims = new long[rank];
            for (int d = 0; d < rank; d++) {
                dims[d] = 4L * (1 + rng.nextInt(3));
            }
            Shape shape = Shape.of(dims);
            float[] values = new float[shape.size()];
            for (int j = 0; j < values.length; j++) {
                values[j] = (float) rng.nextGaussian();
            }
            Tensor t = Tensor.ofFloats(values, dims);
            int axis = rng.nextInt(rank);
            Mask mask = rank == 2 && rng.nextBoolean()
                    ? TileMasker.twoOfFour().compute(t, axis, 1 - axis)
                    : StripMasker.of(rng.nextBoolean() ? SparsityPattern.TWO_OF_FOUR : SparsityPattern.ONE_OF_TWO)
                            .compute(t, axis);
            list.add(ParameterMask.of("layer" + i + "/w", mask));
        }
        return MaskSet.of(list);
    }

    @Test
    void roundTripsThroughStreamsAndFiles(@TempDir Path dir) throws IOException {
        for (long seed = 1; seed <= 50; seed++) {
            MaskSet masks = randomMasks(seed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            masks.writeTo(out);
            assertEquals(masks, MaskSet.readFrom(new ByteArrayInputStream(out.toByteArray())), "seed " + seed);
            Path file = dir.resolve("m" + seed);
            masks.save(file);
            MaskSet loaded = MaskSet.load(file);
            assertEquals(masks, loaded, "seed " + seed);
            assertEquals(masks.names(), loaded.names(), "seed " + seed);
        }
    }

    @Test
    void malformedFilesAreRejectedWithTheFileNamed(@TempDir Path dir) throws IOException {
        MaskSet masks = randomMasks(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        masks.writeTo(out);
        byte[] good = out.toByteArray();

        Path badMagic = dir.resolve("bad-magic");
        byte[] b = good.clone();
        b[0] = 'X';
        Files.write(badMagic, b);
        IOException e = assertThrows(IOException.class, () -> MaskSet.load(badMagic));
        assertTrue(e.getMessage().contains("bad-magic") && e.getMessage().contains("magic"), e.getMessage());

        Path truncated = dir.resolve("truncated");
        Files.write(truncated, Arrays.copyOf(good, good.length - 3));
        e = assertThrows(IOException.class, () -> MaskSet.load(truncated));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("end early"), e.getMessage());
        // where it ends: the byte offset, and the mask being read (the last of three, by name)
        String last = masks.masks().stream().reduce((x, y) -> y).orElseThrow().name();
        int count = masks.masks().size();
        assertTrue(e.getMessage().contains("at byte offset " + (good.length - 3))
                && e.getMessage().contains("mask " + count + " of " + count + " ('" + last + "')"), e.getMessage());
        Path header = dir.resolve("header");
        Files.write(header, Arrays.copyOf(good, 6));
        e = assertThrows(IOException.class, () -> MaskSet.load(header));
        assertTrue(e.getMessage().contains("at byte offset 6, in the header"), e.getMessage());

        Path trailing = dir.resolve("trailing");
        Files.write(trailing, Arrays.copyOf(good, good.length + 1));
        e = assertThrows(IOException.class, () -> MaskSet.load(trailing));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    }

    /** One strip mask record of the file format, with the given fields. */
    private static void record(java.io.DataOutputStream o, String name, int n, int m, long[] dims, long[] words)
            throws IOException {
        o.writeUTF(name);
        o.writeInt(n);
        o.writeInt(m);
        o.writeByte(0);
        o.writeInt(0);
        o.writeInt(-1);
        o.writeInt(dims.length);
        for (long d : dims) {
            o.writeLong(d);
        }
        o.writeInt(words.length);
        for (long w : words) {
            o.writeLong(w);
        }
    }

    private static byte[] file(int count, IOExceptionRunnable records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        java.io.DataOutputStream o = new java.io.DataOutputStream(bytes);
        o.write("S4JMASK1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        o.writeInt(count);
        records.run(o);
        o.flush();
        return bytes.toByteArray();
    }

    private interface IOExceptionRunnable {
        void run(java.io.DataOutputStream o) throws IOException;
    }

    @Test
    void malformedRecordsAreIOExceptionsFromStreamsToo() throws IOException {
        // a well-formed record first, so that the helpers write the format readFrom accepts
        byte[] ok = file(1, o -> record(o, "w", 2, 4, new long[] {4}, new long[] {0b0011}));
        assertEquals(1, MaskSet.readFrom(new ByteArrayInputStream(ok)).names().size());
        byte[][] bad = {
            file(1, o -> record(o, "w", 0, 4, new long[] {4}, new long[] {3})), // pattern 0:4
            file(1, o -> record(o, "w", 2, 4, new long[] {-4}, new long[] {3})), // negative dimension
            file(2, o -> { // the same parameter twice
                record(o, "w", 2, 4, new long[] {4}, new long[] {3});
                record(o, "w", 2, 4, new long[] {4}, new long[] {3});
            }),
        };
        String[] expected = {"mask 'w'", "mask 'w'", "'w'"};
        for (int i = 0; i < bad.length; i++) {
            byte[] b = bad[i];
            IOException e = assertThrows(IOException.class, () -> MaskSet.readFrom(new ByteArrayInputStream(b)),
                    "case " + i);
            assertTrue(e.getMessage().contains(expected[i]), "case " + i + ": " + e.getMessage());
        }
    }

    @Test
    void bitsThatBreakThePatternAreRejected(@TempDir Path dir) throws IOException {
        MaskSet masks = MaskSet.of(List.of(ParameterMask.of("w", StripMasker.of(SparsityPattern.TWO_OF_FOUR)
                .compute(Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4), 1))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        masks.writeTo(out);
        byte[] b = out.toByteArray();
        b[b.length - 1] ^= 1; // flip the bit of element 0 in the last (only) word, low byte last in big-endian
        Path file = dir.resolve("flipped");
        Files.write(file, b);
        IOException e = assertThrows(IOException.class, () -> MaskSet.load(file));
        assertTrue(e.getMessage().contains("mask 'w'") && e.getMessage().contains("keeps"), e.getMessage());
    }

    @Test
    void duplicateNamesAreRejected() {
        ParameterMask m = ParameterMask.of("w", StripMasker.of(SparsityPattern.TWO_OF_FOUR)
                .compute(Tensor.ofFloats(new float[] {1, 2, 3, 4}, 4), 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskSet.of(List.of(m, m)));
        assertTrue(e.getMessage().contains("'w'"));
    }
}
