package org.sparsity4j.onnx;

import java.nio.ByteBuffer;

/**
 * One model input of one calibration or evaluation sample.
 *
 * @param name the model input's name
 * @param dataType the ONNX data type (see {@link DataTypes})
 * @param dims the dims
 * @param data the element bytes, little-endian, position 0, limit = element count x element size
 */
record InputData(String name, int dataType, long[] dims, ByteBuffer data) {
}
