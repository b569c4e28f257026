/**
 * Reading and writing ONNX model files: parsing over a memory map without copying tensor bytes,
 * tensor data in every storage form (raw_data, typed fields, external data files), and locating
 * tensor bytes in a written file so that they can be rewritten in place.
 *
 * <p>The classes here are the module's internals; the public entry point is
 * {@link org.sparsity4j.onnx.OnnxPruner}.
 */
package org.sparsity4j.onnx.model;
