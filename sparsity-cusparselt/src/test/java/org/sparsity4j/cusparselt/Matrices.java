package org.sparsity4j.cusparselt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.sparsity4j.core.tensor.Fp8;
import org.sparsity4j.core.tensor.HalfFloats;

/** Test helpers: logical matrices as double[] (row-major), stored as bytes in any layout and type. */
final class Matrices {

    private Matrices() {
    }

    /** Stores a logical rows x cols matrix in the given layout and type, little-endian. */
    static byte[] encode(DataType type, double[] logical, int rows, int cols, Layout layout) {
        ByteBuffer out = ByteBuffer.allocate(rows * cols * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int idx = layout == Layout.ROW_MAJOR ? i * cols + j : j * rows + i;
                put(out, idx, type, logical[i * cols + j]);
            }
        }
        return out.array();
    }

    /** Reads a stored rows x cols matrix back into logical row-major order. */
    static double[] decode(DataType type, byte[] bytes, int rows, int cols, Layout layout) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int idx = layout == Layout.ROW_MAJOR ? i * cols + j : j * rows + i;
                out[i * cols + j] = get(in, idx, type);
            }
        }
        return out;
    }

    static void put(ByteBuffer b, int idx, DataType type, double v) {
        int s = type.byteSize();
        switch (type) {
            case FP32 -> b.putFloat(idx * s, (float) v);
            case FP16 -> b.putShort(idx * s, HalfFloats.floatToFp16((float) v));
            case BF16 -> b.putShort(idx * s, HalfFloats.floatToBf16((float) v));
            case INT8 -> b.put(idx, (byte) Math.round(v));
            case INT32 -> b.putInt(idx * s, (int) Math.round(v));
            case FP8_E4M3 -> b.put(idx, Fp8.floatToE4M3((float) v));
            case FP8_E5M2 -> b.put(idx, Fp8.floatToE5M2((float) v));
        }
    }

    static double get(ByteBuffer b, int idx, DataType type) {
        int s = type.byteSize();
        return switch (type) {
            case FP32 -> b.getFloat(idx * s);
            case FP16 -> HalfFloats.fp16ToFloat(b.getShort(idx * s));
            case BF16 -> HalfFloats.bf16ToFloat(b.getShort(idx * s));
            case INT8 -> b.get(idx);
            case INT32 -> b.getInt(idx * s);
            case FP8_E4M3 -> Fp8.e4m3ToFloat(b.get(idx));
            case FP8_E5M2 -> Fp8.e5m2ToFloat(b.get(idx));
        };
    }

    /** Logical rows x cols matrix, n-of-m structured along the given logical axis (1: along rows). */
    static double[] structured(SplittableRandom rnd, int rows, int cols, int alongAxis, int keep, int group,
                               int maxAbs) {
        double[] v = new double[rows * cols];
        int len = alongAxis == 1 ? cols : rows;
        int other = alongAxis == 1 ? rows : cols;
        for (int o = 0; o < other; o++) {
            for (int g = 0; g < len; g += group) {
                int chosen = 0;
                while (chosen < keep) {
                    int p = g + rnd.nextInt(group);
                    int idx = alongAxis == 1 ? o * cols + p : p * cols + o;
                    if (v[idx] == 0) {
                        int x = 0;
                        while (x == 0) {
                            x = rnd.nextInt(-maxAbs, maxAbs + 1);
                        }
                        v[idx] = x;
                        chosen++;
                    }
                }
            }
        }
        return v;
    }

    static double[] dense(SplittableRandom rnd, int rows, int cols, int maxAbs) {
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(-maxAbs, maxAbs + 1);
        }
        return v;
    }

    /** Transpose of a logical rows x cols matrix. */
    static double[] transpose(double[] v, int rows, int cols) {
        double[] t = new double[v.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = v[i * cols + j];
            }
        }
        return t;
    }

    /** alpha a b + beta c in float64; a m x k, b k x n, c m x n (may be null). */
    static double[] reference(double[] a, double[] b, double[] c, int m, int n, int k, double alpha, double beta) {
        double[] d = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    s += a[i * k + l] * b[l * n + j];
                }
                d[i * n + j] = alpha * s + (c == null ? 0 : beta * c[i * n + j]);
            }
        }
        return d;
    }

    /** Relative tolerance of an output type for exact-integer inputs. */
    static double relTol(DataType out) {
        return switch (out) {
            case FP16 -> 2e-3;
            case BF16 -> 8e-3;
            case FP32 -> 1e-5;
            default -> 0;
        };
    }
}
