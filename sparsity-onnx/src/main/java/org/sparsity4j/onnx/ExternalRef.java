package org.sparsity4j.onnx;

import java.nio.file.Path;

/**
 * Where a tensor's bytes live in an external data file, validated against the file's size.
 *
 * @param file the resolved data file
 * @param location the location as written in the model (relative to the model's directory)
 * @param offset the first byte
 * @param length the byte count
 */
record ExternalRef(Path file, String location, long offset, long length) {
}
