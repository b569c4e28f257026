/**
 * Whether the SIMD kernels of this library run in the current JVM.
 *
 * <p>The strip masks, the validation counts and the 2:4 compressor have kernels written with the
 * incubating Vector API ({@code jdk.incubator.vector}). They run when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}, the hardware has 256-bit vectors, and the system
 * property {@code sparsity.simd} is not {@code false}; otherwise the scalar kernels run. Both give
 * identical results. {@link org.sparsity4j.core.simd.VectorSupport} reports which is in use.
 */
package org.sparsity4j.core.simd;
