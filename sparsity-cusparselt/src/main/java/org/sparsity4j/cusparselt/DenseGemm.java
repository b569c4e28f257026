package org.sparsity4j.cusparselt;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

import static org.bytedeco.cuda.global.cublas.CUBLAS_COMPUTE_32F;
import static org.bytedeco.cuda.global.cublas.CUBLAS_COMPUTE_32I;
import static org.bytedeco.cuda.global.cublas.CUBLAS_GEMM_DEFAULT;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasGemmEx;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;

/**
 * Dense cuBLAS {@code cublasGemmEx} for the same product a {@link MatmulSpec} describes, on the
 * pruned but uncompressed structured operand. Row-major matrices are handed to column-major cuBLAS
 * as their transposes.
 */
final class DenseGemm implements AutoCloseable {

    private cublasContext handle;
    private final FloatPointer alphaF = new FloatPointer(1);
    private final FloatPointer betaF = new FloatPointer(1);
    private final IntPointer alphaI = new IntPointer(1);
    private final IntPointer betaI = new IntPointer(1);

    private DenseGemm(cublasContext handle) {
        this.handle = handle;
    }

    static DenseGemm create() {
        cublasContext h = new cublasContext();
        Status.blas(cublasCreate_v2(h), "cublasCreate_v2");
        return new DenseGemm(h);
    }

    /**
     * Why cuBLAS cannot run this spec, or null when it can.
     */
    static String unsupportedReason(MatmulSpec s) {
        if (s.activation() != Activation.NONE) {
            return "the dense path has no " + s.activation() + " epilogue";
        }
        if (s.hasBias()) {
            return "the dense path has no bias epilogue";
        }
        return switch (s.input()) {
            case FP16, BF16, FP32 -> null;
            case INT8 -> s.output() == DataType.INT32 ? null : "cublasGemmEx offers INT8 only with INT32 output";
            default -> "cublasGemmEx has no " + s.input() + " path";
        };
    }

    /** D = alpha op(A) op(B) + beta C on the stream; A and B dense device matrices. */
    synchronized void gemm(MatmulSpec s, float alpha, long a, long b, float beta, long c, long d, long stream) {
        if (handle == null) {
            throw new IllegalStateException("cuBLAS handle is closed");
        }
        Status.blas(cublasSetStream_v2(handle, Ptr.stream(stream)), "cublasSetStream_v2");
        if (beta != 0f && c != d) {
            Status.cuda(cudaMemcpyAsync(new Ptr(d), new Ptr(c), s.bytesC(), cudaMemcpyDeviceToDevice,
                    Ptr.stream(stream)), "cudaMemcpyAsync(C->D)");
        }
        boolean intCompute = s.input() == DataType.INT8;
        Pointer al;
        Pointer be;
        if (intCompute) {
            alphaI.put(Math.round(alpha));
            betaI.put(Math.round(beta));
            al = alphaI;
            be = betaI;
        } else {
            alphaF.put(alpha);
            betaF.put(beta);
            al = alphaF;
            be = betaF;
        }
        int compute = intCompute ? CUBLAS_COMPUTE_32I : CUBLAS_COMPUTE_32F;
        int inType = s.input().cudaCode();
        int outType = s.output().cudaCode();
        boolean rowA = s.layoutA() == Layout.ROW_MAJOR;
        boolean rowB = s.layoutB() == Layout.ROW_MAJOR;
        int st;
        if (s.layoutC() == Layout.COLUMN_MAJOR) {
            // D (m x n, col-major) = op(A) op(B); stored A is A (col) or A^T (row)
            int opA = ((s.opA() == Op.N) == rowA) ? CUBLAS_OP_T : CUBLAS_OP_N;
            int opB = ((s.opB() == Op.N) == rowB) ? CUBLAS_OP_T : CUBLAS_OP_N;
            st = cublasGemmEx(handle, opA, opB, (int) s.m(), (int) s.n(), (int) s.k(), al, new Ptr(a), inType,
                    (int) s.ldA(), new Ptr(b), inType, (int) s.ldB(), be, new Ptr(d), outType, (int) s.ldC(),
                    compute, CUBLAS_GEMM_DEFAULT);
        } else {
            // D row-major = D^T col-major = op(B)^T op(A)^T
            int opB = ((s.opB() == Op.N) != rowB) ? CUBLAS_OP_T : CUBLAS_OP_N;
            int opA = ((s.opA() == Op.N) != rowA) ? CUBLAS_OP_T : CUBLAS_OP_N;
            st = cublasGemmEx(handle, opB, opA, (int) s.n(), (int) s.m(), (int) s.k(), al, new Ptr(b), inType,
                    (int) s.ldB(), new Ptr(a), inType, (int) s.ldA(), be, new Ptr(d), outType, (int) s.ldC(),
                    compute, CUBLAS_GEMM_DEFAULT);
        }
        Status.blas(st, "cublasGemmEx");
    }

    @Override
    public synchronized void close() {
        if (handle != null) {
            cublasContext h = handle;
            handle = null;
            alphaF.close();
            betaF.close();
            alphaI.close();
            betaI.close();
            Status.blas(cublasDestroy_v2(h), "cublasDestroy_v2");
        }
    }
}
