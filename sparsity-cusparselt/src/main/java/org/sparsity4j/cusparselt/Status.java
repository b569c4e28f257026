package org.sparsity4j.cusparselt;

import org.bytedeco.javacpp.BytePointer;
import org.sparsity4j.cusparselt.gen.global.cusparseLt;

import static org.bytedeco.cuda.global.cublas.cublasGetStatusName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;

/** Turns native status codes into {@link CusparseLtException}s. */
final class Status {

    private Status() {
    }

    /** Checks a cuSPARSELt status. */
    static void lt(int status, String call) {
        if (status != 0) {
            throw new CusparseLtException("cuSPARSELt", call, status, name(cusparseLt.cusparseLtGetErrorName(status)),
                    str(cusparseLt.cusparseLtGetErrorString(status)));
        }
    }

    /** Checks a CUDA runtime status. */
    static void cuda(int status, String call) {
        if (status != 0) {
            throw new CusparseLtException("CUDA runtime", call, status, cudaErrorName(status), null);
        }
    }

    /** Checks a cuBLAS status. */
    static void blas(int status, String call) {
        if (status != 0) {
            throw new CusparseLtException("cuBLAS", call, status, name(cublasGetStatusName(status)), null);
        }
    }

    static String cudaErrorName(int status) {
        return name(cudaGetErrorName(status));
    }

    private static String name(BytePointer p) {
        String s = str(p);
        return s == null || s.isEmpty() ? "UNKNOWN_STATUS" : s;
    }

    private static String str(BytePointer p) {
        return p == null || p.isNull() ? null : p.getString();
    }
}
