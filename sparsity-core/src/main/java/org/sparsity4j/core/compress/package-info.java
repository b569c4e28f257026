/**
 * The cuSPARSELt compressed format of a structured (2:4 or, for FP32, 1:2) sparse matrix, in pure
 * Java: {@link org.sparsity4j.core.compress.CompressedFormat} describes the buffer that
 * {@code cusparseLtSpMMACompress2} writes for one matrix (its size, value and metadata regions)
 * and {@link org.sparsity4j.core.compress.SparseCompressor} produces and reads those bytes on a CPU.
 *
 * <p>The layout is not documented by NVIDIA; it was measured against cuSPARSELt 0.8.0 on an
 * SM 9.0 GPU (H100) and is proven only there. The measurements, the layout and the generator of the
 * golden vectors the tests compare against are described in {@code docs/compressed-format.md}.
 *
 * <p>For the 2:4 types with the reduction dimension contiguous in memory, compression and
 * decompression use kernels on the incubating Vector API when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}; {@code -Dsparsity.simd=false} turns them off. They
 * produce the same bytes as the scalar kernels, which run in every other case.
 */
package org.sparsity4j.core.compress;
