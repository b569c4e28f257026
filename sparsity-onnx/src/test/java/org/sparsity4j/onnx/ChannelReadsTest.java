package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads of a file range into a buffer, in parts for large ranges: bytes, placement and early ends. */
class ChannelReadsTest {
    private static final long SEED = 20261205L;

    @TempDir
    Path dir;

    private Path file;
    private byte[] content;

    @BeforeEach
    void writeFile() throws IOException {
        content = new byte[9 * ChannelReads.PART_ALIGNMENT + 12_345];
        new Random(SEED).nextBytes(content);
        file = Files.write(dir.resolve("data.bin"), content);
    }

    private byte[] read(long position, int length, boolean direct, int bufferOffset) throws IOException {
        return read(position, length, direct, bufferOffset, 1 + ForkJoinPool.getCommonPoolParallelism());
    }

    private byte[] read(long position, int length, boolean direct, int bufferOffset, int threads)
            throws IOException {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(bufferOffset + length + 5)
                : ByteBuffer.allocate(bufferOffset + length + 5);
        buf.position(bufferOffset).limit(bufferOffset + length);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ChannelReads.readFully(ch::read, buf, position, at -> new OnnxInputException("ended at " + at), threads);
        }
        assertEquals(buf.limit(), buf.position(), "the buffer is full");
        for (int i = bufferOffset + length; i < buf.capacity(); i++) {
            assertEquals(0, buf.duplicate().clear().get(i), "nothing written past the limit");
        }
        for (int i = 0; i < bufferOffset; i++) {
            assertEquals(0, buf.duplicate().clear().get(i), "nothing written before the position");
        }
        byte[] out = new byte[length];
        buf.position(bufferOffset);
        buf.get(out);
        return out;
    }

    @Test
    void everyRangeComesBackByteForByteWhetherReadInOnePartOrSeveral() throws IOException {
        int min = ChannelReads.PARALLEL_MIN_BYTES;
        int[] lengths = {0, 1, 4095, 4096, min - 1, min, min + 1, 3 * ChannelReads.PART_ALIGNMENT + 7,
                content.length - 3, content.length};
        long[] positions = {0, 1, 3, 4096, 65_537};
        for (int length : lengths) {
            for (long position : positions) {
                if (position + length > content.length) {
                    continue;
                }
                for (boolean direct : new boolean[] {true, false}) {
                    for (int threads : new int[] {1, 2, 3, 8}) {
                        byte[] expected = Arrays.copyOfRange(content, (int) position, (int) position + length);
                        assertArrayEquals(expected, read(position, length, direct, 7, threads), "length " + length
                                + " at " + position + (direct ? ", direct" : ", heap") + ", " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void seededRandomRanges() throws IOException {
        Random r = new Random(SEED + 1);
        for (int k = 0; k < 40; k++) {
            int length = r.nextInt(content.length + 1);
            long position = r.nextInt(content.length - length + 1);
            byte[] expected = Arrays.copyOfRange(content, (int) position, (int) position + length);
            assertArrayEquals(expected, read(position, length, r.nextBoolean(), r.nextInt(64), 1 + r.nextInt(9)),
                    "case " + k + " (seed " + (SEED + 1) + "): length " + length + " at " + position);
        }
    }

    @Test
    void aRangePastTheEndOfTheFileNamesTheFirstMissingByte() {
        int size = content.length;
        // the end falls in the last part, the first part, or there is no byte at all in the range
        long[][] cases = {{0, size + 10}, {size - 100, 2 * ChannelReads.PARALLEL_MIN_BYTES}, {size, 5},
                {size - ChannelReads.PART_ALIGNMENT, 4L * ChannelReads.PART_ALIGNMENT}};
        for (long[] c : cases) {
            for (int threads : new int[] {1, 2, 4}) {
                OnnxInputException e = assertThrows(OnnxInputException.class,
                        () -> read(c[0], (int) c[1], true, 0, threads), "range " + Arrays.toString(c));
                assertEquals("ended at " + size, e.getMessage(), "range " + Arrays.toString(c) + ", " + threads);
            }
        }
    }

    @Test
    void largeRangesAreSplitIntoAsManyPartsAsThreadsOfAtLeastTheAlignment() {
        int min = ChannelReads.PARALLEL_MIN_BYTES;
        assertEquals(1, ChannelReads.parts(min - 1, 8));
        assertEquals(1, ChannelReads.parts(64 << 20, 1));
        assertEquals(2, ChannelReads.parts(min, 2));
        assertEquals(2, ChannelReads.parts(16 << 20, 2));
        assertEquals(3, ChannelReads.parts(3 * ChannelReads.PART_ALIGNMENT + 1, 8));
        assertEquals(8, ChannelReads.parts(64 << 20, 8));
    }

    @Test
    void partsAreNearlyEqualAlignedAndCoverTheRange() {
        int a = ChannelReads.PART_ALIGNMENT;
        int[][] cases = {{2 * a + 4096, 2}, {9 * a, 2}, {16 * a + 1, 8}, {3 * a + 1, 8}, {64 * a, 3},
            {Integer.MAX_VALUE - 8, 7}};
        for (int[] c : cases) {
            int parts = ChannelReads.parts(c[0], c[1]);
            int[] from = ChannelReads.starts(c[0], parts);
            assertEquals(0, from[0]);
            assertEquals(c[0], from[parts]);
            int ideal = c[0] / parts;
            for (int i = 0; i < parts; i++) {
                int size = from[i + 1] - from[i];
                assertEquals(0, from[i] % a, Arrays.toString(c) + " part " + i + " starts unaligned");
                assertTrue(size > ideal - a && size < ideal + a, Arrays.toString(c) + " part " + i + ": " + size
                        + " bytes, ideal " + ideal);
            }
        }
    }

    @Test
    void everyPartHasFinishedWhenAFailureIsThrownEvenAnError() throws Exception {
        int a = ChannelReads.PART_ALIGNMENT;
        for (int failing = 0; failing < 4; failing++) {
            long failAt = (long) failing * a; // the start of part `failing` of four 1 MiB parts
            AtomicLong slowDone = new AtomicLong();
            int slow = (failing + 2) % 4;
            try (FileChannel real = FileChannel.open(file, StandardOpenOption.READ)) {
                // a read that fails with an Error at the start of one part and is slow at another's
                ChannelReads.PositionalRead faulty = (dst, position) -> {
                    if (position == failAt) {
                        throw new OutOfMemoryError("injected at " + failAt);
                    }
                    if (position == (long) slow * a) {
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        int n = real.read(dst, position);
                        slowDone.set(System.nanoTime());
                        return n;
                    }
                    return real.read(dst, position);
                };
                ByteBuffer buf = ByteBuffer.allocateDirect(4 * a);
                String what = "failing part " + failing + ", slow part " + slow;
                OutOfMemoryError e = assertThrows(OutOfMemoryError.class,
                        () -> ChannelReads.readFully(faulty, buf, 0, at -> new OnnxInputException("end"), 4), what);
                long returned = System.nanoTime();
                assertEquals("injected at " + failAt, e.getMessage(), what);
                assertTrue(slowDone.get() != 0 && slowDone.get() <= returned, what + ": a part still ran after the call");
            }
        }
    }
}
