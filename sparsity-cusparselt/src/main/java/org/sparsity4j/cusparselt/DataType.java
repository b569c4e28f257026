package org.sparsity4j.cusparselt;

import org.sparsity4j.core.tensor.ElementType;

/** Element types of matrices in a sparse matrix product, with their CUDA {@code cudaDataType} codes. */
public enum DataType {
    /** IEEE binary32. */
    FP32(0, 4, 8),
    /** IEEE binary16. */
    FP16(2, 2, 16),
    /** bfloat16. */
    BF16(14, 2, 16),
    /** Signed 8-bit integer. */
    INT8(3, 1, 32),
    /** Signed 32-bit integer (output only). */
    INT32(10, 4, 8),
    /** FP8 E4M3 (input only). */
    FP8_E4M3(28, 1, 32),
    /** FP8 E5M2 (input only). */
    FP8_E5M2(29, 1, 32);

    private final int cudaCode;
    private final int byteSize;
    private final int dimensionMultiple;

    DataType(int cudaCode, int byteSize, int dimensionMultiple) {
        this.cudaCode = cudaCode;
        this.byteSize = byteSize;
        this.dimensionMultiple = dimensionMultiple;
    }

    /**
     * The {@code cudaDataType} value.
     *
     * @return CUDA's code for this type
     */
    public int cudaCode() {
        return cudaCode;
    }

    /**
     * Bytes per element.
     *
     * @return the element size
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Multiple that the structured operand's rows and columns must be of when this is the input
     * type of a sparse product: 8 for 32-bit, 16 for 16-bit, 32 for 8-bit types
     * ({@link MatmulSpec.Builder#build()} checks it). The other dimension of the product is not
     * bound by it: FP16 with M = K = 128 and N = 8 planned and multiplied correctly on an H100.
     *
     * @return the dimension multiple
     */
    public int dimensionMultiple() {
        return dimensionMultiple;
    }

    /**
     * The matching core element type.
     *
     * @param type a core element type
     * @return the data type of the same encoding
     */
    public static DataType of(ElementType type) {
        return switch (type) {
            case FP32 -> FP32;
            case FP16 -> FP16;
            case BF16 -> BF16;
            case INT8 -> INT8;
            case FP8_E4M3 -> FP8_E4M3;
            case FP8_E5M2 -> FP8_E5M2;
        };
    }

    /**
     * The matching core element type.
     *
     * @return the core element type
     * @throws IllegalArgumentException for {@link #INT32}, which core does not model
     */
    public ElementType elementType() {
        return switch (this) {
            case FP32 -> ElementType.FP32;
            case FP16 -> ElementType.FP16;
            case BF16 -> ElementType.BF16;
            case INT8 -> ElementType.INT8;
            case FP8_E4M3 -> ElementType.FP8_E4M3;
            case FP8_E5M2 -> ElementType.FP8_E5M2;
            case INT32 -> throw new IllegalArgumentException("INT32 has no core element type");
        };
    }
}
