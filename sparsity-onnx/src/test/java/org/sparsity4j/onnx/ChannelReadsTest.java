package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
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
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(bufferOffset + length + 5)
                : ByteBuffer.allocate(bufferOffset + length + 5);
        buf.position(bufferOffset).limit(bufferOffset + length);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ChannelReads.readFully(ch, buf, position, at -> new OnnxInputException("ended at " + at));
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
                    byte[] expected = Arrays.copyOfRange(content, (int) position, (int) position + length);
                    assertArrayEquals(expected, read(position, length, direct, 7),
                            "length " + length + " at " + position + (direct ? ", direct" : ", heap"));
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
            assertArrayEquals(expected, read(position, length, r.nextBoolean(), r.nextInt(64)),
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
            OnnxInputException e = assertThrows(OnnxInputException.class,
                    () -> read(c[0], (int) c[1], true, 0), "range " + Arrays.toString(c));
            assertEquals("ended at " + size, e.getMessage(), "range " + Arrays.toString(c));
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
}
