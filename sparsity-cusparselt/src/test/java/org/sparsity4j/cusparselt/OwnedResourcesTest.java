package org.sparsity4j.cusparselt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The context's record of what it owns, used by plans on several threads at once (no GPU needed): no
 * record is lost or left behind, and a drain takes everything exactly once.
 */
class OwnedResourcesTest {

    @Test
    void concurrentAddsAndRemovesLeaveExactlyTheResourcesStillOpen() throws Exception {
        OwnedResources owned = new OwnedResources();
        int threads = 4;
        int rounds = 200_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<AutoCloseable>> kept = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                kept.add(pool.submit(() -> {
                    start.await();
                    AutoCloseable last = null;
                    for (int i = 0; i < rounds; i++) {
                        AutoCloseable r = resource();
                        owned.add(r);
                        if (last != null) {
                            owned.remove(last);
                        }
                        last = r;
                    }
                    return last; // each thread leaves its last one open
                }));
            }
            start.countDown();
            List<AutoCloseable> open = new ArrayList<>();
            for (Future<AutoCloseable> f : kept) {
                open.add(f.get());
            }
            assertEquals(threads, owned.size(), "records after " + threads + " x " + rounds + " adds and removes");
            List<AutoCloseable> drained = owned.drain();
            assertEquals(threads, drained.size());
            for (AutoCloseable r : open) {
                assertEquals(1, drained.stream().filter(d -> d == r).count(), "each open resource drained once");
            }
            assertEquals(0, owned.size(), "a drain forgets everything");
            assertEquals(List.of(), owned.drain());
        } finally {
            pool.shutdownNow();
        }
    }

    /** A new object each time (a lambda without captures may be one shared instance). */
    private static AutoCloseable resource() {
        return new AutoCloseable() {
            @Override
            public void close() {
            }
        };
    }

    @Test
    void removingAnUnrecordedResourceIsHarmless() {
        OwnedResources owned = new OwnedResources();
        AutoCloseable a = resource();
        owned.remove(a);
        owned.add(a);
        owned.add(a);
        assertEquals(1, owned.size(), "by identity, once");
        assertSame(a, owned.drain().get(0));
    }
}
