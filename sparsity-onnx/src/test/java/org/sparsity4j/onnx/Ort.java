package org.sparsity4j.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Runs a model in ONNX Runtime (CPU, one thread) on seeded random inputs and returns the output bytes. */
final class Ort {
    private Ort() {
    }

    static List<byte[]> run(Path model, long seed) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            opts.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            opts.setInterOpNumThreads(1);
            try (OrtSession s = env.createSession(model.toString(), opts)) {
                Random r = new Random(seed);
                Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
                try {
                    for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
                        inputs.put(e.getKey(), random(env, (TensorInfo) e.getValue().getInfo(), r));
                    }
                    List<byte[]> out = new ArrayList<>();
                    try (OrtSession.Result res = s.run(inputs)) {
                        for (Map.Entry<String, OnnxValue> e : res) {
                            ByteBuffer b = ((OnnxTensor) e.getValue()).getByteBuffer();
                            byte[] a = new byte[b.remaining()];
                            b.get(a);
                            out.add(a);
                        }
                    }
                    return out;
                } finally {
                    for (OnnxTensor t : inputs.values()) {
                        t.close();
                    }
                }
            }
        }
    }

    private static OnnxTensor random(OrtEnvironment env, TensorInfo info, Random r) throws OrtException {
        long[] shape = info.getShape();
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                shape[i] = 2;
            }
            n *= shape[i];
        }
        OnnxJavaType type = info.type;
        ByteBuffer b;
        switch (type) {
            case FLOAT:
                b = ByteBuffer.allocateDirect((int) n * 4).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    b.putFloat((float) r.nextGaussian());
                }
                break;
            case FLOAT16:
                b = ByteBuffer.allocateDirect((int) n * 2).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    b.putShort(org.sparsity4j.core.tensor.HalfFloats.floatToFp16((float) r.nextGaussian()));
                }
                break;
            case INT64:
                b = ByteBuffer.allocateDirect((int) n * 8).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    b.putLong(r.nextInt(2));
                }
                break;
            case BOOL:
                b = ByteBuffer.allocateDirect((int) n).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    b.put((byte) r.nextInt(2));
                }
                break;
            default:
                throw new IllegalArgumentException("no random input for " + type);
        }
        b.rewind();
        return OnnxTensor.createTensor(env, b, shape, type);
    }
}
