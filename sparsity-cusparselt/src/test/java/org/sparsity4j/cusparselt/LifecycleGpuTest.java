package org.sparsity4j.cusparselt;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Resource lifecycle on the GPU: no growth over many cycles, idempotent close, misuse errors. */
@Tag("gpu")
class LifecycleGpuTest {

    @org.junit.jupiter.api.BeforeEach
    void announce(org.junit.jupiter.api.TestInfo info) {
        Gpu.progress("START " + getClass().getSimpleName() + "." + info.getDisplayName());
    }

    @org.junit.jupiter.api.AfterEach
    void done(org.junit.jupiter.api.TestInfo info) {
        Gpu.progress("END   " + getClass().getSimpleName() + "." + info.getDisplayName());
    }

    @Test
    void hundredThousandPlanCyclesDoNotGrowDeviceOrHostMemory() {
        Gpu.require();
        MatmulSpec spec = MatmulSpec.builder(256, 128, 256).input(DataType.FP16).build();
        try (SparseContext ctx = SparseContext.create(0)) {
            for (int i = 0; i < 2_000; i++) {
                try (MatmulPlan p = ctx.createPlan(spec, PlanOptions.noSearch())) {
                    p.multiply(new byte[(int) spec.bytesA()], new byte[(int) spec.bytesB()], null, 1f, 0f);
                }
            }
            System.gc();
            long deviceFreeBefore = ctx.memoryInfo()[0];
            long trackedBefore = Pointer.totalBytes();
            long rssBefore = Pointer.physicalBytes();
            int cycles = Integer.getInteger("sparsity.cusparselt.planCycles", 100_000);
            byte[] zerosA = new byte[(int) spec.bytesA()];
            byte[] zerosB = new byte[(int) spec.bytesB()];
            for (int i = 0; i < cycles; i++) {
                MatmulPlan p = ctx.createPlan(spec, PlanOptions.noSearch());
                if (i % 100 == 0) {
                    // every 100th plan also allocates its workspace, compresses and executes
                    p.multiply(zerosA, zerosB, null, 1f, 0f);
                }
                p.close();
            }
            System.gc();
            long deviceFreeAfter = ctx.memoryInfo()[0];
            long trackedAfter = Pointer.totalBytes();
            long rssAfter = Pointer.physicalBytes();
            System.out.printf("%d plan cycles: device free %d -> %d bytes, JavaCPP tracked %d -> %d bytes, RSS %d -> %d%n",
                    cycles, deviceFreeBefore, deviceFreeAfter, trackedBefore, trackedAfter, rssBefore, rssAfter);
            assertTrue(deviceFreeBefore - deviceFreeAfter <= 2L << 20,
                    "device memory fell by " + (deviceFreeBefore - deviceFreeAfter) + " bytes over " + cycles + " cycles");
            assertTrue(trackedAfter - trackedBefore <= 64 * 1024,
                    "JavaCPP-tracked native memory grew by " + (trackedAfter - trackedBefore) + " bytes");
            assertTrue(rssAfter - rssBefore <= 64L << 20, "resident set grew by " + (rssAfter - rssBefore) + " bytes");
            assertEquals(0, ctx.cachedPlanCount());
        }
    }

    @Test
    void plansUsedFromSeveralThreadsKeepTheContextsRecordExact() throws Exception {
        // each multiply uploads and frees four buffers of the context from its own thread
        Gpu.require();
        MatmulSpec fp16 = MatmulSpec.builder(128, 64, 128).input(DataType.FP16).build();
        MatmulSpec bf16 = MatmulSpec.builder(128, 64, 128).input(DataType.BF16).build();
        try (SparseContext ctx = SparseContext.create(0)) {
            MatmulPlan[] plans = {ctx.createPlan(fp16, PlanOptions.noSearch()), ctx.createPlan(bf16, PlanOptions.noSearch())};
            byte[][][] inputs = new byte[2][][];
            byte[][] expected = new byte[2][];
            for (int p = 0; p < 2; p++) {
                MatmulSpec s = plans[p].spec();
                MatmulGpuTest.Operands ops = MatmulGpuTest.Operands.random(s, new java.util.SplittableRandom(77 + p));
                inputs[p] = new byte[][] {ops.structured(), ops.other()};
                expected[p] = plans[p].multiply(ops.structured(), ops.other(), null, 1f, 0f);
            }
            // the two plans only: every buffer and operand of the products was closed
            assertEquals(2, ctx.openResources(), "open resources after two products");
            int threads = 4;
            int calls = 250;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                java.util.List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int first = t;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < calls; i++) {
                            int p = (first + i) % 2;
                            byte[] d = plans[p].multiply(inputs[p][0], inputs[p][1], null, 1f, 0f);
                            if (!java.util.Arrays.equals(expected[p], d)) {
                                throw new AssertionError("thread " + first + " call " + i + ": D differs");
                            }
                        }
                        return calls;
                    }));
                }
                int total = 0;
                for (java.util.concurrent.Future<Integer> f : done) {
                    total += f.get();
                }
                assertEquals(threads * calls, total);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(2, ctx.openResources(), "after " + threads * calls + " products on " + threads
                    + " threads, only the plans are left to close");
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsIllegalState() {
        Gpu.require();
        MatmulSpec spec = MatmulSpec.builder(128, 64, 128).input(DataType.FP16).build();
        SparseContext ctx = SparseContext.create(0);
        MatmulPlan plan = ctx.createPlan(spec, PlanOptions.noSearch());
        DeviceBuffer buf = ctx.allocate(spec.bytesA());
        CudaStream stream = ctx.createStream();
        plan.close();
        assertDoesNotThrow(plan::close);
        assertThrows(IllegalStateException.class, plan::compressedSize);
        assertThrows(IllegalStateException.class, () -> plan.prune(buf.address(), buf.address(), PruneMode.STRIP, 0));
        assertThrows(IllegalStateException.class, plan::spec);
        assertThrows(IllegalStateException.class, plan::options);
        buf.close();
        assertDoesNotThrow(buf::close);
        assertThrows(IllegalStateException.class, buf::address);
        assertThrows(IllegalStateException.class, buf::byteSize);
        MatmulPlan second = ctx.createPlan(spec, PlanOptions.noSearch());
        DeviceBuffer other = ctx.allocate(64);
        SparseOperand operand;
        try (DeviceBuffer zeros = ctx.allocate(spec.bytesA())) {
            zeros.clear();
            operand = second.compress(zeros);
        }
        SparseOperand uploaded = second.uploadCompressed(operand.toByteArray());
        ctx.close();
        assertDoesNotThrow(ctx::close);
        assertTrue(second.isClosed(), "closing the context closes its plans");
        assertTrue(other.isClosed(), "closing the context frees its buffers");
        assertTrue(operand.isClosed() && uploaded.isClosed(), "closing the context frees its operands");
        assertThrows(IllegalStateException.class, operand::address);
        assertThrows(IllegalStateException.class, operand::spec);
        assertThrows(IllegalStateException.class, operand::backend);
        assertThrows(IllegalStateException.class, operand::byteSize);
        assertThrows(IllegalStateException.class, stream::handle);
        assertDoesNotThrow(stream::close);
        assertThrows(IllegalStateException.class, ctx::device);
        assertThrows(IllegalStateException.class, ctx::computeCapability);
        assertThrows(IllegalStateException.class, ctx::cachedPlanCount);
        assertThrows(IllegalStateException.class, () -> ctx.allocate(16));
        assertThrows(IllegalStateException.class, () -> ctx.plan(spec));
        assertThrows(IllegalStateException.class, ctx::libraryVersion);
    }

    @Test
    void aBufferClosedOnTwoThreadsAtOnceIsFreedOnce() throws Exception {
        // cudaFree of memory already freed fails; so would the second of two closes racing past the
        // open check
        Gpu.require();
        int rounds = 2_000;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (SparseContext ctx = SparseContext.create(0)) {
            for (int i = 0; i < rounds; i++) {
                DeviceBuffer b = ctx.allocate(256);
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                java.util.concurrent.Callable<Void> close = () -> {
                    start.await();
                    b.close();
                    return null;
                };
                java.util.concurrent.Future<Void> one = pool.submit(close);
                java.util.concurrent.Future<Void> two = pool.submit(close);
                one.get();
                two.get();
                assertTrue(b.isClosed());
            }
            assertEquals(0, ctx.openResources(), "every buffer forgotten by its context");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aContextClosedWhileAnotherThreadClosesItsPlansWaitsForThem() throws Exception {
        // the handle must outlive every plan's destruction: a plan closing on another thread when the
        // context closes is waited for (a plan destroyed after its handle would be undefined behaviour)
        Gpu.require();
        MatmulSpec spec = MatmulSpec.builder(128, 64, 128).input(DataType.FP16).build();
        byte[] a = new byte[(int) spec.bytesA()];
        byte[] b = new byte[(int) spec.bytesB()];
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 50; round++) {
                SparseContext ctx = SparseContext.create(0);
                java.util.List<MatmulPlan> plans = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    MatmulPlan p = ctx.createPlan(spec, PlanOptions.noSearch());
                    p.multiply(a, b, null, 1f, 0f); // with its workspace and compressed buffers
                    plans.add(p);
                }
                java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.Future<Void> closer = pool.submit(() -> {
                    started.countDown();
                    for (MatmulPlan p : plans) {
                        p.close();
                    }
                    return null;
                });
                started.await();
                ctx.close();
                closer.get();
                for (MatmulPlan p : plans) {
                    assertTrue(p.isClosed(), "round " + round);
                }
                assertEquals(0, ctx.openResources(), "round " + round);
            }
            // two threads closing one context at once: one closes it, the other returns, nothing fails
            for (int round = 0; round < 20; round++) {
                SparseContext ctx = SparseContext.create(0);
                java.util.List<MatmulPlan> plans = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    MatmulPlan p = ctx.createPlan(spec, PlanOptions.noSearch());
                    p.multiply(a, b, null, 1f, 0f);
                    plans.add(p);
                }
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.Future<Void> other = pool.submit(() -> {
                    go.await();
                    ctx.close();
                    return null;
                });
                go.countDown();
                ctx.close();
                other.get();
                assertTrue(ctx.isClosed(), "round " + round);
                for (MatmulPlan p : plans) {
                    assertTrue(p.isClosed(), "round " + round);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void misuseIsIllegalArgumentNotACrash() {
        Gpu.require();
        MatmulSpec spec = MatmulSpec.builder(128, 64, 128).input(DataType.FP16).build();
        MatmulSpec otherSpec = MatmulSpec.builder(128, 64, 256).input(DataType.FP16).build();
        try (SparseContext ctx = SparseContext.create(0);
             MatmulPlan plan = ctx.createPlan(spec, PlanOptions.noSearch());
             MatmulPlan otherPlan = ctx.createPlan(otherSpec, PlanOptions.noSearch());
             DeviceBuffer a = ctx.allocate(otherSpec.bytesA());
             SparseOperand wrongOperand = otherPlan.compress(a);
             DeviceBuffer d = ctx.allocate(spec.bytesC())) {
            assertThrows(IllegalArgumentException.class, () -> SparseContext.create(-1));
            assertThrows(IllegalArgumentException.class, () -> plan.multiply(new byte[3], new byte[3], null, 1f, 0f));
            assertThrows(IllegalArgumentException.class,
                    () -> plan.matmul(1f, wrongOperand, d.address(), 0f, d.address(), d.address(), 0));
            assertThrows(IllegalArgumentException.class, () -> plan.matmulSparse(1f, 0, d.address(), 0f, d.address(),
                    d.address(), 0));
            assertThrows(IllegalArgumentException.class, () -> plan.matmulSparse(1f, d.address() + 2, d.address(), 0f,
                    d.address(), d.address(), 0));
            assertThrows(IllegalArgumentException.class, () -> plan.uploadCompressed(new byte[7]));
            assertThrows(IllegalArgumentException.class, () -> ctx.allocate(0));
            assertThrows(IllegalArgumentException.class, () -> d.copyFrom(new byte[(int) d.byteSize() + 1]));
            assertThrows(IllegalArgumentException.class, () -> d.copyFrom(new byte[16], Long.MAX_VALUE - 8));
            assertThrows(IllegalArgumentException.class, () -> d.copyFrom(new byte[16], -1));
            assertThrows(IllegalArgumentException.class, () -> plan.compress(ctx.allocate(16)));
        }
    }
}
