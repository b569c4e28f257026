package org.sparsity4j.core.compress;

import java.util.Objects;
import org.sparsity4j.core.pattern.SparsityPattern;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;

/**
 * The cuSPARSELt compressed form of one structured matrix: which matrix (element type, rows, cols,
 * memory order, operation, operand) and the resulting buffer geometry. Immutable.
 *
 * <p>The buffer that {@code cusparseLtSpMMACompress2} fills is {@link #compressedSize()} bytes
 * ({@code cusparseLtSpMMACompressedSize2}): first the kept values ({@link #valuesBytes()}), then the
 * metadata ({@link #metadataBytes()}). cuSPARSELt writes the first {@link #writtenBytes()} bytes and
 * leaves the tail of the metadata region untouched; {@link SparseCompressor} writes zeros there, which
 * is what cuSPARSELt's output is on a zero-initialised buffer. The layout is described in
 * {@code docs/compressed-format.md}.
 *
 * <p>Orientation: the matrix is {@code rows × cols} as described to
 * {@code cusparseLtStructuredDescriptorInit}. For operand {@link Operand#A} the groups of the pattern
 * run along the columns with {@link Op#NON_TRANSPOSE} and along the rows with {@link Op#TRANSPOSE};
 * for operand {@link Operand#B} the other way round.
 *
 * <p>Proven only on SM 9.0 (H100, H200) with cuSPARSELt 0.8.0: other architectures are refused by
 * {@link #forComputeCapability}. For the 8-bit types only the orientations in which the reduction
 * dimension is contiguous in memory are accepted: cuSPARSELt 0.8.0 crashes in
 * {@code cusparseLtSpMMACompress2} for the others, so there is nothing to match.
 */
public final class CompressedFormat {
    /** The compute capabilities whose layout has been measured, as text for error messages. */
    public static final String PROVEN_ARCHITECTURES = "SM 9.0 (H100, H200; measured with cuSPARSELt 0.8.0)";

    private final ElementType type;
    private final int rows;
    private final int cols;
    private final Order order;
    private final Op op;
    private final Operand operand;
    /** Extent of the non-reduction dimension (m for A, n for B). */
    private final int outer;
    /** Extent of the reduction dimension k. */
    private final int reduction;
    /** Element stride in the dense matrix of one step along the outer dimension. */
    private final int outerStride;
    /** Element stride in the dense matrix of one step along the reduction dimension. */
    private final int reductionStride;
    private final int valuesBytes;
    private final int metadataBytes;
    private final int writtenMetadataBytes;

    private CompressedFormat(ElementType type, int rows, int cols, Order order, Op op, Operand operand) {
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.order = order;
        this.op = op;
        this.operand = operand;
        // (outer index, reduction index) -> (row, col) of the stored matrix
        boolean outerIsRow = (operand == Operand.A) == (op == Op.NON_TRANSPOSE);
        this.outer = outerIsRow ? rows : cols;
        this.reduction = outerIsRow ? cols : rows;
        int rowStride = order == Order.ROW_MAJOR ? cols : 1;
        int colStride = order == Order.ROW_MAJOR ? 1 : rows;
        this.outerStride = outerIsRow ? rowStride : colStride;
        this.reductionStride = outerIsRow ? colStride : rowStride;
        long values = (long) rows * cols / 2 * type.byteSize();
        long meta = metadataSize(type, rows, cols);
        long dense = (long) rows * cols * type.byteSize();
        if (dense > Shape.MAX_ELEMENTS) {
            // the compressor works on Java arrays: the dense matrix must fit one as well
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " of " + type + " holds " + dense
                    + " bytes dense, more than one Java array holds");
        }
        if (values + meta > Shape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " of " + type
                    + " compresses to " + (values + meta) + " bytes, more than one Java array holds");
        }
        this.valuesBytes = (int) values;
        this.metadataBytes = (int) meta;
        this.writtenMetadataBytes = (int) Math.min(meta, writtenMetadata(type, outer, reduction));
    }

    /**
     * Returns the format of a matrix on SM 9.0 (H100, H200), with the structured operand A.
     *
     * @param type element type (FP32 uses the 1:2 pattern, every other type 2:4)
     * @param rows rows of the matrix as stored
     * @param cols columns of the matrix as stored
     * @param order memory order of the dense matrix
     * @param op operation applied to the operand in the matmul
     * @return the format
     * @throws IllegalArgumentException if cuSPARSELt refuses the shape, the orientation is unproven, or the
     *         dense or the compressed matrix would not fit one Java array (2^31 - 9 bytes)
     */
    public static CompressedFormat forSm90(ElementType type, int rows, int cols, Order order, Op op) {
        return forSm90(type, rows, cols, order, op, Operand.A);
    }

    /**
     * Returns the format of a matrix on SM 9.0 (H100, H200).
     *
     * @param type element type (FP32 uses the 1:2 pattern, every other type 2:4)
     * @param rows rows of the matrix as stored
     * @param cols columns of the matrix as stored
     * @param order memory order of the dense matrix
     * @param op operation applied to the operand in the matmul
     * @param operand which matmul operand is structured
     * @return the format
     * @throws IllegalArgumentException if cuSPARSELt refuses the shape, the orientation is unproven, or the
     *         dense or the compressed matrix would not fit one Java array (2^31 - 9 bytes)
     */
    public static CompressedFormat forSm90(ElementType type, int rows, int cols, Order order, Op op,
            Operand operand) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(order, "order");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(operand, "operand");
        int unit = dimensionUnit(type);
        if (rows <= 0 || cols <= 0 || rows % unit != 0 || cols % unit != 0) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " of " + type
                    + ": cuSPARSELt needs rows and cols to be positive multiples of " + unit
                    + " for this type (cusparseLtStructuredDescriptorInit returns NOT_SUPPORTED otherwise)");
        }
        CompressedFormat f = new CompressedFormat(type, rows, cols, order, op, operand);
        if (type.byteSize() == 1 && f.reductionStride != 1) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " of " + type + " in "
                    + order + " order with op " + op + " (operand " + operand + "): the reduction dimension"
                    + " is not contiguous in memory; cuSPARSELt 0.8.0 crashes in cusparseLtSpMMACompress2 for"
                    + " 8-bit types in this orientation, so no layout is proven. Use the orientation with the"
                    + " reduction dimension contiguous (operand A: ROW_MAJOR with NON_TRANSPOSE or"
                    + " COLUMN_MAJOR with TRANSPOSE)");
        }
        return f;
    }

    /**
     * Returns the format of a matrix on the GPU of the given compute capability. Only the proven
     * architectures ({@link #PROVEN_ARCHITECTURES}) are accepted.
     *
     * @param major compute capability major (9 for H100)
     * @param minor compute capability minor
     * @param type element type
     * @param rows rows of the matrix as stored
     * @param cols columns of the matrix as stored
     * @param order memory order of the dense matrix
     * @param op operation applied to the operand
     * @param operand which operand is structured
     * @return the format
     * @throws IllegalArgumentException for an unproven architecture, or as {@link #forSm90}
     */
    public static CompressedFormat forComputeCapability(int major, int minor, ElementType type, int rows,
            int cols, Order order, Op op, Operand operand) {
        if (major != 9 || minor != 0) {
            throw new IllegalArgumentException("the cuSPARSELt compressed layout of SM " + major + "." + minor
                    + " is unproven; proven: " + PROVEN_ARCHITECTURES);
        }
        return forSm90(type, rows, cols, order, op, operand);
    }

    /**
     * Returns the multiple that rows and cols must be of for the type: 8 for FP32, 16 for the
     * 16-bit types and 32 for the 8-bit types (what cuSPARSELt 0.8.0 accepts on SM 9.0).
     *
     * @param type the element type
     * @return the unit
     */
    public static int dimensionUnit(ElementType type) {
        switch (type.byteSize()) {
            case 4:
                return 8;
            case 2:
                return 16;
            default:
                return 32;
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** cusparseLtSpMMACompressedSize2 minus the values: depends on rows and cols only, not on op. */
    private static long metadataSize(ElementType type, int rows, int cols) {
        switch (type.byteSize()) {
            case 4:
                return 512L * Math.max(ceilDiv(rows, 64) * ceilDiv(cols, 16), ceilDiv(cols, 64) * ceilDiv(rows, 16));
            case 2:
                return 256L * Math.max(ceilDiv(rows, 64) * ceilDiv(cols, 32), ceilDiv(cols, 64) * ceilDiv(rows, 32));
            default:
                return 512L * ceilDiv(rows, 64) * ceilDiv(cols, 64);
        }
    }

    /** Metadata bytes cuSPARSELt writes (before clipping to the region) for outer × reduction. */
    private static long writtenMetadata(ElementType type, int outer, int reduction) {
        switch (type.byteSize()) {
            case 4:
                return 256L * ceilDiv(outer, 64) * ceilDiv(reduction, 16)
                        + 256L * ceilDiv(outer, 32) * ceilDiv(reduction, 32);
            case 2:
                return 256L * ceilDiv(outer, 64) * ceilDiv(reduction, 32);
            default:
                return 512L * ceilDiv(outer, 64) * ceilDiv(reduction, 64);
        }
    }

    /** Returns the element type. */
    public ElementType type() {
        return type;
    }

    /** Returns the sparsity pattern: 1:2 for FP32, 2:4 otherwise. */
    public SparsityPattern pattern() {
        return type.hardwarePattern();
    }

    /** Returns the number of rows of the matrix as stored. */
    public int rows() {
        return rows;
    }

    /** Returns the number of columns of the matrix as stored. */
    public int cols() {
        return cols;
    }

    /** Returns the memory order of the dense matrix. */
    public Order order() {
        return order;
    }

    /** Returns the operation applied to the operand. */
    public Op op() {
        return op;
    }

    /** Returns which operand is structured. */
    public Operand operand() {
        return operand;
    }

    /** Returns the extent of the reduction dimension k, along which the groups run. */
    public int reductionExtent() {
        return reduction;
    }

    /** Returns the extent of the other dimension (m for operand A, n for operand B). */
    public int outerExtent() {
        return outer;
    }

    /** Returns true if the groups run along the columns of the stored matrix (false: along rows). */
    public boolean groupsAlongColumns() {
        return (operand == Operand.A) == (op == Op.NON_TRANSPOSE);
    }

    /** Returns the size of the dense matrix in bytes. */
    public long denseBytes() {
        return (long) rows * cols * type.byteSize();
    }

    /** Returns the size of the compressed buffer, as {@code cusparseLtSpMMACompressedSize2} reports it. */
    public int compressedSize() {
        return valuesBytes + metadataBytes;
    }

    /** Returns the size of the value region at the start of the buffer (half the dense bytes). */
    public int valuesBytes() {
        return valuesBytes;
    }

    /** Returns the size of the metadata region, which follows the values. */
    public int metadataBytes() {
        return metadataBytes;
    }

    /** Returns the offset of the metadata region (equal to {@link #valuesBytes()}). */
    public int metadataOffset() {
        return valuesBytes;
    }

    /**
     * Returns how many leading bytes of the buffer cuSPARSELt writes; it leaves the rest untouched
     * and this library writes zeros there.
     */
    public int writtenBytes() {
        return valuesBytes + writtenMetadataBytes;
    }

    int outerStride() {
        return outerStride;
    }

    int reductionStride() {
        return reductionStride;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CompressedFormat)) {
            return false;
        }
        CompressedFormat f = (CompressedFormat) o;
        return type == f.type && rows == f.rows && cols == f.cols && order == f.order && op == f.op
                && operand == f.operand;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, rows, cols, order, op, operand);
    }

    @Override
    public String toString() {
        return "CompressedFormat[" + type + " " + rows + "x" + cols + " " + order + " op " + op + " operand "
                + operand + ": " + compressedSize() + " bytes = " + valuesBytes + " values + " + metadataBytes
                + " metadata]";
    }
}
