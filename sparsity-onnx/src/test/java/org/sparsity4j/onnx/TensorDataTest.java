package org.sparsity4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;

class TensorDataTest {
    private static TensorProto raw(int type, byte[] bytes, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName("z").setDataType(type).setRawData(ByteString.copyFrom(bytes));
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }

    @Test
    void allZeroReadsBitPatternsButFloat8E8M0HasNoZero() throws Exception {
        Path dir = Path.of(".");
        assertEquals(Boolean.TRUE, TensorData.allZero(raw(DataTypes.INT8, new byte[3], 3), "z", dir));
        assertEquals(Boolean.FALSE, TensorData.allZero(raw(DataTypes.INT8, new byte[] {0, 1, 0}, 3), "z", dir));
        assertEquals(Boolean.TRUE, TensorData.allZero(raw(DataTypes.FLOAT8E4M3FN, new byte[2], 2), "z", dir));
        // bit pattern 0 of FLOAT8E8M0 is 2^-127, not 0
        assertEquals(Boolean.FALSE, TensorData.allZero(raw(DataTypes.FLOAT8E8M0, new byte[2], 2), "z", dir));
        assertEquals(Boolean.TRUE, TensorData.allZero(raw(DataTypes.FLOAT8E8M0, new byte[0], 0), "z", dir));
        // sizes of the packed types: four 2-bit elements to a byte
        assertEquals(2, DataTypes.storageBytes(DataTypes.INT2, 5));
        assertEquals(1, DataTypes.storageBytes(DataTypes.UINT2, 4));
        assertEquals(3, DataTypes.storageBytes(DataTypes.INT4, 5));
        assertEquals(7, DataTypes.storageBytes(DataTypes.FLOAT8E8M0, 7));
        assertEquals("INT2", DataTypes.name(DataTypes.INT2));
        assertEquals("DATATYPE(27)", DataTypes.name(27));
        assertEquals(-1, DataTypes.storageBytes(27, 4));
    }
}
