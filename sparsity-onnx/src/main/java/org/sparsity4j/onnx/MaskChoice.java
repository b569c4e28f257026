package org.sparsity4j.onnx;

/** Which core mask to compute. */
public enum MaskChoice {
    /** N:M groups along the reduction axis ({@code StripMasker}). */
    STRIP,
    /** Transposable 4x4 tiles, 2:4 along both the reduction and the output-channel axis ({@code TileMasker}). */
    TILE
}
