package org.sparsity4j.cusparselt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The open resources a context owns and closes with it (plans, operands, buffers, streams), by
 * identity. Safe to use from several threads: plans may be used from any thread, and their host
 * conveniences allocate and free buffers of the context while another thread does the same.
 */
final class OwnedResources {
    private final Set<AutoCloseable> open = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Records an open resource. */
    synchronized void add(AutoCloseable resource) {
        open.add(resource);
    }

    /** Forgets a resource that was closed; nothing happens if it is not recorded. */
    synchronized void remove(AutoCloseable resource) {
        open.remove(resource);
    }

    /** Returns the recorded resources and forgets them all, atomically. */
    synchronized List<AutoCloseable> drain() {
        List<AutoCloseable> all = new ArrayList<>(open);
        open.clear();
        return all;
    }

    /** Number of recorded resources. */
    synchronized int size() {
        return open.size();
    }
}
