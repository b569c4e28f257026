package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sequential writer gives the same bytes with and without direct I/O, at any length. */
class SequentialOutputTest {
    @TempDir
    Path dir;

    /**
     * Random runs of appended buffers (some block-aligned in memory and in the file), copies from a
     * file and zero gaps, some crossing the gathering buffer's size and ending off any block boundary,
     * against the same bytes built in memory.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void randomSequencesGiveTheExpectedBytes(boolean direct) throws Exception {
        long seed = 0x5E0_0000L + (direct ? 1 : 0);
        System.out.println("SequentialOutputTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        byte[] source = new byte[3 * SequentialOutput.BUFFER + 12_345];
        r.nextBytes(source);
        Path src = Files.write(dir.resolve("source.bin"), source);
        for (int round = 0; round < 6; round++) {
            Path file = Files.createFile(dir.resolve("out-" + direct + "-" + round));
            ByteArrayOutputStream want = new ByteArrayOutputStream();
            try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ);
                 SequentialOutput out = SequentialOutput.open(file, direct)) {
                int ops = 1 + r.nextInt(12);
                for (int k = 0; k < ops; k++) {
                    int len = r.nextInt(4) == 0 ? r.nextInt(SequentialOutput.BUFFER * 2) : r.nextInt(10_000);
                    switch (r.nextInt(4)) {
                        case 0 -> {
                            byte[] b = new byte[len];
                            r.nextBytes(b);
                            ByteBuffer bb = ByteBuffer.allocateDirect(len + 3);
                            bb.position(3);
                            bb.put(b).position(3); // a buffer that starts off alignment
                            out.write(bb);
                            assertEquals(bb.limit(), bb.position());
                            want.write(b);
                        }
                        case 1 -> {
                            int from = r.nextInt(source.length - len);
                            out.copyFrom(in, from, len, "source");
                            want.write(source, from, len);
                        }
                        case 3 -> {
                            // a source at the same offset within a block in memory as in the file (its whole
                            // blocks are written without a copy); sometimes at a block boundary of both
                            if (r.nextBoolean()) {
                                int pad = (int) (-out.position() & 4095);
                                out.zeros(pad);
                                want.write(new byte[pad]);
                            }
                            int shift = (int) (out.position() & 4095);
                            byte[] b = new byte[len];
                            r.nextBytes(b);
                            ByteBuffer bb = SequentialOutput.allocateAligned(len + shift, 4096).position(shift)
                                    .slice();
                            bb.put(b).flip();
                            out.write(bb);
                            assertEquals(bb.limit(), bb.position());
                            want.write(b);
                        }
                        default -> {
                            int n = r.nextInt(100);
                            out.zeros(n);
                            want.write(new byte[n]);
                        }
                    }
                    assertEquals(want.size(), out.position(), "position, seed " + seed);
                }
                if (round % 3 == 0) {
                    out.zeros(1 + r.nextInt(100)); // a file that ends in zeros
                    want.write(new byte[(int) (out.position() - want.size())]);
                }
                out.finish();
            }
            assertArrayEquals(want.toByteArray(), Files.readAllBytes(file), "round " + round + ", seed " + seed);
        }
    }

    /**
     * A source at the same offset within a block in memory as in the file: its head completes the
     * gathered block, its whole blocks are written from where they are, its tail is gathered.
     */
    @Test
    void aSourceAtItsFileOffsetsPlaceInABlockIsWrittenWithoutACopy() throws Exception {
        Path file = Files.createFile(dir.resolve("in-place"));
        SplittableRandom r = new SplittableRandom(5);
        byte[] head = new byte[3];
        byte[] data = new byte[3 * 4096 + 5];
        r.nextBytes(head);
        r.nextBytes(data);
        try (SequentialOutput out = SequentialOutput.open(file, true)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(out.isDirect() && out.alignment() == 4096,
                    "no direct I/O with 4096-byte blocks in the test folder");
            out.write(ByteBuffer.wrap(head));
            ByteBuffer bb = SequentialOutput.allocateAligned(data.length + 3, 4096).position(3).slice();
            bb.put(data).flip();
            out.write(bb);
            assertEquals(2 * 4096, out.bytesWrittenInPlace(), "the whole blocks after the head");
            ByteBuffer off = SequentialOutput.allocateAligned(data.length + 4, 4096).position(4).slice();
            off.put(data).flip(); // at another offset than the file's: copied
            out.write(off);
            assertEquals(2 * 4096, out.bytesWrittenInPlace());
            out.finish();
        }
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write(head);
        want.write(data);
        want.write(data);
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(file));
    }

    @Test
    void directIoIsUsedWhereTheFileSystemOffersIt() throws Exception {
        Path file = Files.createFile(dir.resolve("probe"));
        try (SequentialOutput out = SequentialOutput.open(file, true)) {
            // ext4 and xfs accept O_DIRECT, tmpfs does not; either way the writer works (test above)
            System.out.println("direct I/O in the test folder: " + out.isDirect());
        }
        try (SequentialOutput out = SequentialOutput.open(file, false)) {
            assertTrue(!out.isDirect(), "plain writes when not asked for direct I/O");
        }
    }

    /**
     * A direct write the file system refuses (here: at an offset that is not block-aligned, set
     * through reflection) goes on through plain writes, for writes and zero runs that cross the
     * gathering buffer, and the file still holds exactly the bytes given.
     */
    @Test
    void aRefusedDirectWriteGoesOnThroughPlainWrites() throws Exception {
        Path file = Files.createFile(dir.resolve("refused"));
        SplittableRandom r = new SplittableRandom(77);
        byte[] data = new byte[SequentialOutput.BUFFER + 100];
        r.nextBytes(data);
        try (SequentialOutput out = SequentialOutput.open(file, true)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(out.isDirect(), "no direct I/O in the test folder");
            java.lang.reflect.Field written = SequentialOutput.class.getDeclaredField("written");
            written.setAccessible(true);
            written.setLong(out, 512); // the first 512 bytes stay a hole: zeros
            out.write(ByteBuffer.wrap(data));
            assertTrue(!out.isDirect(), "plain writes after the refusal");
            out.zeros(SequentialOutput.BUFFER + 7);
            out.write(ByteBuffer.wrap(data, 0, 10));
            out.finish();
        }
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write(new byte[512]);
        want.write(data);
        want.write(new byte[SequentialOutput.BUFFER + 7]);
        want.write(data, 0, 10);
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(file));
    }

    @Test
    void aSourceThatEndsEarlyIsAnInputErrorNamingTheOffset() throws Exception {
        Path src = Files.write(dir.resolve("short.bin"), new byte[100]);
        for (boolean direct : new boolean[] {true, false}) {
            Path file = Files.createFile(dir.resolve("o-" + direct));
            try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ);
                 SequentialOutput out = SequentialOutput.open(file, direct)) {
                OnnxInputException e = assertThrows(OnnxInputException.class, () -> out.copyFrom(in, 40, 100, "the data"));
                assertTrue(e.getMessage().contains("the data ended at byte offset 100"), e.getMessage());
            }
        }
    }

    @Test
    void aSourceReadErrorIsAnInputErrorNamingTheOffset() throws Exception {
        byte[] data = new byte[300_000];
        new SplittableRandom(7).nextBytes(data);
        Path src = Files.write(dir.resolve("failing.bin"), data);
        for (boolean direct : new boolean[] {true, false}) {
            Path file = Files.createFile(dir.resolve("r-" + direct));
            try (FileChannel in = new FailingChannel(FileChannel.open(src, StandardOpenOption.READ), 200_000);
                 SequentialOutput out = SequentialOutput.open(file, direct)) {
                out.copyFrom(in, 0, 150_000, "the data"); // before the bad bytes: copied
                OnnxInputException e = assertThrows(OnnxInputException.class,
                        () -> out.copyFrom(in, 150_000, 100_000, "the data"));
                assertTrue(e.getMessage().contains("the data cannot be read at byte offset 200000"), e.getMessage());
                assertTrue(e.getCause() instanceof IOException, "cause " + e.getCause());
            }
        }
    }

    @Test
    void aWriteErrorOfACopyStaysAnIoError() throws Exception {
        Path full = Path.of("/dev/full"); // every write fails with "no space left on device"
        Assumptions.assumeTrue(Files.isWritable(full), "no /dev/full here");
        byte[] data = new byte[SequentialOutput.BUFFER + 100_000];
        Path src = Files.write(dir.resolve("source.bin"), data);
        for (boolean direct : new boolean[] {true, false}) {
            try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ)) {
                IOException e = assertThrows(IOException.class, () -> {
                    try (SequentialOutput out = SequentialOutput.open(full, direct)) {
                        out.copyFrom(in, 0, data.length, "the data");
                        out.finish();
                    }
                });
                assertFalse(e.getMessage().contains("cannot be read"), e.getMessage());
            }
        }
    }

    @Test
    void useAfterCloseIsAnIllegalStateAndCloseIsIdempotent() throws Exception {
        Path file = Files.createFile(dir.resolve("closed"));
        SequentialOutput out = SequentialOutput.open(file, true);
        out.close();
        out.close();
        assertThrows(IllegalStateException.class, () -> out.write(ByteBuffer.allocate(1)));
        assertThrows(IllegalStateException.class, out::finish);
    }
}
