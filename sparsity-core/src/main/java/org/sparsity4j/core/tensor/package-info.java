/**
 * Element types (FP32, FP16, BF16, INT8, FP8 E4M3/E5M2), shapes and row-major tensor views over
 * arrays or little-endian byte buffers, with exact decoding and the magnitude order pruning uses.
 */
package org.sparsity4j.core.tensor;
