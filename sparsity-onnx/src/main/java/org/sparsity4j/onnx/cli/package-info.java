/**
 * The {@code sparsity} command line tool: {@code prune}, {@code check} and {@code report} over the
 * {@link org.sparsity4j.onnx.OnnxPruner} API, with documented exit codes ({@link
 * org.sparsity4j.onnx.cli.ExitCode}).
 */
package org.sparsity4j.onnx.cli;
