/**
 * End-to-end benchmark of the {@code sparsity} command line tool on large synthetic ONNX models
 * (run by hand, never by the tests).
 */
package org.sparsity4j.benchmarks.onnx;
