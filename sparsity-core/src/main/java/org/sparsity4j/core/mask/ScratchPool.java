package org.sparsity4j.core.mask;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * The buffers of one masking call, shared by the blocks of its (possibly parallel) loop: a block
 * takes a free one or makes a new one and gives it back when done, so a call makes at most as many
 * as threads run its blocks at once. Not a {@code ThreadLocal} per call: each such ThreadLocal left an
 * entry (a weak reference) in the map of every thread that ran a block until that map happened to
 * drop it, and in a loop of many calls on small tensors the collector spent a fifth to two thirds
 * of the time on those references (benchmarks/RESULTS.md).
 *
 * @param <T> the buffer type
 */
final class ScratchPool<T> {
    private final ConcurrentLinkedQueue<T> free = new ConcurrentLinkedQueue<>();
    private final Supplier<T> make;

    ScratchPool(Supplier<T> make) {
        this.make = make;
    }

    /** A free buffer, or a new one. */
    T take() {
        T s = free.poll();
        return s != null ? s : make.get();
    }

    /** Returns a buffer taken with {@link #take}. */
    void give(T s) {
        free.offer(s);
    }
}
