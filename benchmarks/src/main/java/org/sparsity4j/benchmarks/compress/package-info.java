/**
 * JMH benchmarks of the cuSPARSELt compressed format in pure Java (compression and decompression
 * against a plain copy of the same bytes).
 */
package org.sparsity4j.benchmarks.compress;
