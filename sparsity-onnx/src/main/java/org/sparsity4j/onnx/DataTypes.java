package org.sparsity4j.onnx;

import org.sparsity4j.core.tensor.ElementType;

/** ONNX {@code TensorProto.DataType} codes and their mapping to core element types. */
final class DataTypes {
    /** FLOAT. */
    public static final int FLOAT = 1;
    /** UINT8. */
    public static final int UINT8 = 2;
    /** INT8. */
    public static final int INT8 = 3;
    /** INT32. */
    public static final int INT32 = 6;
    /** INT64. */
    public static final int INT64 = 7;
    /** STRING. */
    public static final int STRING = 8;
    /** FLOAT16. */
    public static final int FLOAT16 = 10;
    /** DOUBLE. */
    public static final int DOUBLE = 11;
    /** UINT32. */
    public static final int UINT32 = 12;
    /** UINT64. */
    public static final int UINT64 = 13;
    /** COMPLEX64. */
    public static final int COMPLEX64 = 14;
    /** COMPLEX128. */
    public static final int COMPLEX128 = 15;
    /** BFLOAT16. */
    public static final int BFLOAT16 = 16;
    /** FLOAT8E4M3FN. */
    public static final int FLOAT8E4M3FN = 17;
    /** FLOAT8E5M2. */
    public static final int FLOAT8E5M2 = 19;
    /** UINT4. */
    public static final int UINT4 = 21;
    /** INT4. */
    public static final int INT4 = 22;
    /** FLOAT4E2M1. */
    public static final int FLOAT4E2M1 = 23;
    /** FLOAT8E8M0 (the scale type of the microscaling formats). */
    public static final int FLOAT8E8M0 = 24;
    /** UINT2. */
    public static final int UINT2 = 25;
    /** INT2. */
    public static final int INT2 = 26;

    private static final String[] NAMES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
        "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128",
        "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4",
        "FLOAT4E2M1", "FLOAT8E8M0", "UINT2", "INT2"};

    private DataTypes() {
    }

    /**
     * Returns the core element type for an ONNX data type, or null if it cannot be pruned.
     *
     * @param code the ONNX data type code
     * @return the element type or null
     */
    public static ElementType elementType(int code) {
        switch (code) {
            case FLOAT:
                return ElementType.FP32;
            case FLOAT16:
                return ElementType.FP16;
            case BFLOAT16:
                return ElementType.BF16;
            case INT8:
                return ElementType.INT8;
            case FLOAT8E4M3FN:
                return ElementType.FP8_E4M3;
            case FLOAT8E5M2:
                return ElementType.FP8_E5M2;
            default:
                return null;
        }
    }

    /**
     * Returns the ONNX name of a data type code.
     *
     * @param code the code
     * @return its name, or "DATATYPE(n)" for codes this version does not know
     */
    public static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : "DATATYPE(" + code + ")";
    }

    /**
     * Returns how many elements of a type share one byte of {@code raw_data} (and one value of
     * {@code int32_data}): 2 for the 4-bit types (UINT4, INT4, FLOAT4E2M1), 4 for the 2-bit types
     * (UINT2, INT2), and 1 for every other type.
     *
     * @param code the ONNX data type code
     * @return elements per byte
     */
    public static int elementsPerByte(int code) {
        switch (code) {
            case UINT4: case INT4: case FLOAT4E2M1:
                return 2;
            case UINT2: case INT2:
                return 4;
            default:
                return 1;
        }
    }

    /**
     * Tells whether a type's elements are smaller than a byte and packed several to a byte
     * ({@link #elementsPerByte} above 1).
     *
     * @param code the ONNX data type code
     * @return true for the 4-bit and 2-bit types
     */
    public static boolean subByte(int code) {
        return elementsPerByte(code) > 1;
    }

    /**
     * Returns the bytes that {@code elements} elements of a type take in {@code raw_data} or an external
     * data file: the element count times {@link #byteSize}, and for the packed types (4-bit: two
     * elements to a byte; 2-bit: four) the count divided by {@link #elementsPerByte}, rounded up.
     *
     * @param code the ONNX data type code
     * @param elements the element count
     * @return the byte count, or -1 if the type's size is unknown (STRING, undefined or unknown codes)
     *     or the count overflows a long
     */
    public static long storageBytes(int code, long elements) {
        int perByte = elementsPerByte(code);
        if (perByte > 1) {
            return elements / perByte + (elements % perByte == 0 ? 0 : 1);
        }
        int bs = byteSize(code);
        if (bs == 0 || elements > Long.MAX_VALUE / bs) {
            return -1;
        }
        return elements * bs;
    }

    /**
     * Returns the byte size of one element of a fixed-width type, or 0 if unknown or not byte sized
     * (see {@link #storageBytes} for the packed 4-bit and 2-bit types).
     *
     * @param code the ONNX data type code
     * @return bytes per element, or 0
     */
    public static int byteSize(int code) {
        switch (code) {
            case 1: case 6: case 12:
                return 4;
            case 2: case 3: case 9: case 17: case 18: case 19: case 20: case 24:
                return 1;
            case 4: case 5: case 10: case 16:
                return 2;
            case 7: case 11: case 13: case 14:
                return 8;
            case 15:
                return 16;
            default:
                return 0;
        }
    }
}
