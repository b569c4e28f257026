package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer thread of the pruner's outputs: order, failures, and the two alternating buffers. */
class OrderedWriterTest {
    @TempDir
    Path dir;

    private OrderedWriter writer(long largest) throws IOException {
        output = SequentialOutput.open(Files.createFile(dir.resolve("out" + System.nanoTime())), false);
        return new OrderedWriter(output, largest);
    }

    private SequentialOutput output;

    @AfterEach
    void closeOutput() throws IOException {
        if (output != null) {
            output.close();
        }
    }
    @Test
    void writesRunInTheOrderTheyWereQueued() throws Exception {
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        try (OrderedWriter w = writer(1 << 16)) {
            for (int i = 0; i < 200; i++) {
                int k = i;
                if (i % 3 == 0) {
                    w.buffer(16, i, "t" + i);
                    w.submitBuffer(() -> ran.add(k));
                } else {
                    w.submit(() -> ran.add(k));
                }
            }
            w.finish();
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(i, ran.get(i));
        }
    }

    @Test
    void afterAFailureLaterWritesDoNotRunAndTheFirstFailureIsReported() throws Exception {
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        IOException first = new IOException("disk full at byte offset 4096");
        CountDownLatch queued = new CountDownLatch(1);
        try (OrderedWriter w = writer(1 << 16)) {
            w.submit(() -> ran.add(0));
            w.submit(() -> {
                try {
                    queued.await(); // fail only once the writes below are queued
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                }
                throw first;
            });
            w.submit(() -> {
                throw new IOException("second");
            });
            w.submit(() -> ran.add(3));
            queued.countDown();
            IOException e = assertThrows(IOException.class, w::finish);
            assertSame(first, e);
            // later calls report the first failure at once
            assertSame(first, assertThrows(IOException.class, () -> w.submit(() -> ran.add(4))));
            assertSame(first, assertThrows(IOException.class, () -> w.buffer(16, 0, "t")));
        }
        assertEquals(List.of(0), ran);
    }

    @Test
    void theFirstFailureStopsTheCallerAtItsNextCallWithoutAFinish() throws Exception {
        IOException first = new IOException("disk full");
        try (OrderedWriter w = writer(1 << 16)) {
            w.submit(() -> {
                throw first;
            });
            IOException e = null;
            for (int i = 0; i < 1000 && e == null; i++) { // the writer thread fails soon; the caller then hears of it
                try {
                    w.buffer(16, 0, "t" + i);
                    w.submitBuffer(() -> { });
                } catch (IOException x) {
                    e = x;
                }
                Thread.sleep(1);
            }
            assertSame(first, e);
        }
    }

    @Test
    void aTensorLargerThanTheWriterWasSizedForIsRefused() throws Exception {
        try (OrderedWriter w = writer(100)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.buffer(101, 0, "big"));
            assertTrue(e.getMessage().contains("'big'"), e.getMessage());
        }
    }

    @Test
    void aBufferIsHandedOutAgainOnlyAfterItsWriteHasRun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch thirdHandedOut = new CountDownLatch(1);
        try (OrderedWriter w = writer(1 << 16)) {
            ByteBuffer a = w.buffer(4096, 0, "a");
            w.submitBuffer(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            });
            ByteBuffer b = w.buffer(4096, 0, "b"); // the other buffer: free at once
            w.submitBuffer(() -> { });
            Thread t = new Thread(() -> {
                try {
                    w.buffer(4096, 0, "c"); // a's buffer again: waits for a's write
                    thirdHandedOut.countDown();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            assertTrue(!thirdHandedOut.await(300, TimeUnit.MILLISECONDS), "handed out while its write had not run");
            release.countDown();
            assertTrue(thirdHandedOut.await(10, TimeUnit.SECONDS));
            t.join();
            assertTrue(a.isDirect() && b.isDirect());
            w.finish();
        }
    }

    @Test
    void buffersLieAtTheirFileOffsetsPlaceInABlock() throws Exception {
        try (OrderedWriter w = writer(1 << 16)) {
            for (long offset : new long[] {0, 1, 63, 4095, 4096, 12_345_678_901L}) {
                ByteBuffer b = w.buffer(10_000, offset, "t");
                assertEquals(offset % 4096, b.alignmentOffset(0, 4096), "offset " + offset);
                assertEquals(10_000, b.limit());
                assertEquals(0, b.position());
                assertEquals(ByteOrder.LITTLE_ENDIAN, b.order());
                w.submitBuffer(() -> { });
            }
            w.finish();
        }
    }

    @Test
    void aTensorOf2GiBIsAnInputErrorNamingIt() {
        OnnxInputException e = assertThrows(OnnxInputException.class,
                () -> OrderedWriter.requireBufferable(1L << 31, "huge"));
        assertTrue(e.getMessage().contains("'huge'"), e.getMessage());
        OrderedWriter.requireBufferable((1L << 30) + 1, "one GiB and a byte");
    }
}
