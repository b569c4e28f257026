package org.sparsity4j.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.sparsity4j.onnx.proto.OnnxSubset.AttributeProto;
import org.sparsity4j.onnx.proto.OnnxSubset.GraphProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;
import org.sparsity4j.onnx.proto.OnnxSubset.NodeProto;
import org.sparsity4j.onnx.proto.OnnxSubset.OperatorSetIdProto;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;
import org.sparsity4j.onnx.proto.OnnxSubset.ValueInfoProto;

/** Builds small ONNX models in code for tests. */
final class Models {
    private Models() {
    }

    static float[] randomFloats(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static TensorProto floats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return raw(name, DataTypes.FLOAT, b.array(), dims);
    }

    static TensorProto shorts(String name, int type, short[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : v) {
            b.putShort(s);
        }
        return raw(name, type, b.array(), dims);
    }

    static TensorProto bytes(String name, int type, byte[] v, long... dims) {
        return raw(name, type, v.clone(), dims);
    }

    static TensorProto int64s(String name, long[] v, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(DataTypes.INT64);
        for (long d : dims) {
            t.addDims(d);
        }
        for (long x : v) {
            t.addInt64Data(x);
        }
        return t.build();
    }

    static TensorProto raw(String name, int type, byte[] data, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type)
                .setRawData(ByteString.copyFrom(data));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static NodeProto node(String op, String name, List<String> in, List<String> out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out)
                .addAllAttribute(List.of(attrs)).build();
    }

    static AttributeProto attrInt(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(2).setI(v).build();
    }

    static AttributeProto attrInts(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(7);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    static AttributeProto attrTensor(String name, TensorProto t) {
        return AttributeProto.newBuilder().setName(name).setType(4).setT(t).build();
    }

    static AttributeProto attrGraph(String name, GraphProto g) {
        return AttributeProto.newBuilder().setName(name).setType(5).setG(g).build();
    }

    /** A value info with a tensor type; the type is carried as the unknown field 2 (TypeProto). */
    static ValueInfoProto value(String name, int elemType, long... dims) {
        try {
            ByteArrayOutputStream shape = new ByteArrayOutputStream();
            CodedOutputStream s = CodedOutputStream.newInstance(shape);
            for (long d : dims) {
                ByteArrayOutputStream dim = new ByteArrayOutputStream();
                CodedOutputStream dc = CodedOutputStream.newInstance(dim);
                if (d < 0) {
                    dc.writeString(2, "d" + (-d));
                } else {
                    dc.writeInt64(1, d);
                }
                dc.flush();
                s.writeByteArray(1, dim.toByteArray());
            }
            s.flush();
            ByteArrayOutputStream tensor = new ByteArrayOutputStream();
            CodedOutputStream tc = CodedOutputStream.newInstance(tensor);
            tc.writeInt32(1, elemType);
            tc.writeByteArray(2, shape.toByteArray());
            tc.flush();
            ByteArrayOutputStream type = new ByteArrayOutputStream();
            CodedOutputStream yc = CodedOutputStream.newInstance(type);
            yc.writeByteArray(1, tensor.toByteArray());
            yc.flush();
            UnknownFieldSet unknown = UnknownFieldSet.newBuilder().addField(2, UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFrom(type.toByteArray())).build()).build();
            return ValueInfoProto.newBuilder().setName(name).setUnknownFields(unknown).build();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static ModelProto model(GraphProto g, long opset) {
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    static ModelProto model(GraphProto g) {
        return model(g, 17);
    }

    static Path write(Path dir, String name, ModelProto m) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, m.toByteArray());
        return p;
    }
}
