package org.sparsity4j.onnx;

/**
 * A Transpose between a stored weight and a consumer: {@code out.dims[i] = in.dims[perm[i]]}.
 *
 * @param inDims the dims before the transpose
 * @param perm the permutation
 */
record ViewStep(long[] inDims, int[] perm) {

    /**
     * Maps values laid out in this step's output order back to its input order.
     *
     * @param out values in the transposed (output) layout
     * @return the same values in the input layout
     */
    float[] undo(float[] out) {
        int r = inDims.length;
        long[] outDims = new long[r];
        for (int i = 0; i < r; i++) {
            outDims[i] = inDims[perm[i]];
        }
        // stride in the output layout of each input axis
        long[] outStride = new long[r];
        long s = 1;
        for (int i = r - 1; i >= 0; i--) {
            outStride[perm[i]] = s;
            s *= outDims[i];
        }
        float[] in = new float[out.length];
        long[] coord = new long[r];
        long off = 0;
        for (int idx = 0; idx < in.length; idx++) {
            in[idx] = out[(int) off];
            for (int a = r - 1; a >= 0; a--) {
                coord[a]++;
                off += outStride[a];
                if (coord[a] < inDims[a]) {
                    break;
                }
                off -= coord[a] * outStride[a];
                coord[a] = 0;
            }
        }
        return in;
    }
}
