package org.sparsity4j.cusparselt;

import java.util.Objects;

/**
 * Immutable description of one sparse matrix product {@code D = alpha op(A) op(B) + beta C}:
 * op(A) is M x K, op(B) is K x N, C and D are M x N with the same layout and type.
 *
 * <p>Built with {@link #builder(long, long, long)}; {@link Builder#build()} checks everything Java
 * can check before cuSPARSELt sees it (positive dimensions, supported type combination, dimension
 * multiples of the structured operand, 16-byte aligned leading dimensions) and throws
 * {@link IllegalArgumentException} naming the problem. Usable as a cache key.
 */
public final class MatmulSpec {

    private final long m;
    private final long n;
    private final long k;
    private final DataType input;
    private final DataType output;
    private final Layout layoutA;
    private final Layout layoutB;
    private final Layout layoutC;
    private final Op opA;
    private final Op opB;
    private final Operand structured;
    private final Activation activation;
    private final boolean bias;

    private MatmulSpec(Builder b) {
        this.m = b.m;
        this.n = b.n;
        this.k = b.k;
        this.input = b.input;
        this.output = b.output;
        this.layoutA = b.layoutA;
        this.layoutB = b.layoutB;
        this.layoutC = b.layoutC;
        this.opA = b.opA;
        this.opB = b.opB;
        this.structured = b.structured;
        this.activation = b.activation;
        this.bias = b.bias;
    }

    /**
     * Starts a spec for an M x N result with reduction length K; defaults: FP16 in and out, all
     * matrices row-major, no transposes, A structured, no activation.
     *
     * @param m rows of op(A) and D
     * @param n columns of op(B) and D
     * @param k the reduction length
     * @return a builder
     */
    public static Builder builder(long m, long n, long k) {
        return new Builder(m, n, k);
    }

    /**
     * Returns a builder initialised with this spec's values.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder(m, n, k);
        b.input = input;
        b.output = output;
        b.layoutA = layoutA;
        b.layoutB = layoutB;
        b.layoutC = layoutC;
        b.opA = opA;
        b.opB = opB;
        b.structured = structured;
        b.activation = activation;
        b.bias = bias;
        return b;
    }

    /** @return rows of op(A) and D */
    public long m() {
        return m;
    }

    /** @return columns of op(B) and D */
    public long n() {
        return n;
    }

    /** @return the reduction length */
    public long k() {
        return k;
    }

    /** @return element type of A and B */
    public DataType input() {
        return input;
    }

    /** @return element type of C and D */
    public DataType output() {
        return output;
    }

    /** @return memory order of A */
    public Layout layoutA() {
        return layoutA;
    }

    /** @return memory order of B */
    public Layout layoutB() {
        return layoutB;
    }

    /** @return memory order of C and D */
    public Layout layoutC() {
        return layoutC;
    }

    /** @return operation on A */
    public Op opA() {
        return opA;
    }

    /** @return operation on B */
    public Op opB() {
        return opB;
    }

    /** @return the operand that carries the 2:4 (1:2 for FP32) structure */
    public Operand structured() {
        return structured;
    }

    /** @return the epilogue activation */
    public Activation activation() {
        return activation;
    }

    /**
     * Whether the product has a bias epilogue: {@code D = act(alpha op(A) op(B) + beta C + bias)},
     * one bias value per row of D, added before the activation.
     *
     * @return true with a bias epilogue
     */
    public boolean hasBias() {
        return bias;
    }

    /**
     * Element type of the bias vector, as cuSPARSELt 0.8 reads it (measured on an H100): the output
     * type for floating-point outputs (FP16, BF16, FP32), FP32 for integer outputs (INT8, INT32).
     *
     * @return the bias element type
     */
    public DataType biasType() {
        return output == DataType.INT8 || output == DataType.INT32 ? DataType.FP32 : output;
    }

    /** @return bytes of the bias vector: M values of {@link #biasType()} */
    public long bytesBias() {
        return m * biasType().byteSize();
    }

    /** @return rows of A as stored */
    public long rowsA() {
        return opA == Op.N ? m : k;
    }

    /** @return columns of A as stored */
    public long colsA() {
        return opA == Op.N ? k : m;
    }

    /** @return rows of B as stored */
    public long rowsB() {
        return opB == Op.N ? k : n;
    }

    /** @return columns of B as stored */
    public long colsB() {
        return opB == Op.N ? n : k;
    }

    /** @return leading dimension of A in elements */
    public long ldA() {
        return layoutA.leadingDimension(rowsA(), colsA());
    }

    /** @return leading dimension of B in elements */
    public long ldB() {
        return layoutB.leadingDimension(rowsB(), colsB());
    }

    /** @return leading dimension of C and D in elements */
    public long ldC() {
        return layoutC.leadingDimension(m, n);
    }

    /** @return bytes of A stored densely */
    public long bytesA() {
        return m * k * input.byteSize();
    }

    /** @return bytes of B stored densely */
    public long bytesB() {
        return k * n * input.byteSize();
    }

    /** @return bytes of C (and D) */
    public long bytesC() {
        return m * n * output.byteSize();
    }

    /** @return bytes of the structured operand stored densely (before compression) */
    public long bytesStructured() {
        return structured == Operand.A ? bytesA() : bytesB();
    }

    /** @return the cuSPARSELt compute type code for this type combination */
    /**
     * Whether the K dimension of the dense (not structured) operand is contiguous in memory.
     *
     * @return true for A row-major op N or column-major op T, B column-major op N or row-major op T
     */
    boolean denseOperandHasContiguousK() {
        if (structured == Operand.A) {
            return (opB == Op.N) == (layoutB == Layout.COLUMN_MAJOR);
        }
        return (opA == Op.N) == (layoutA == Layout.ROW_MAJOR);
    }

    /**
     * Whether cuSPARSELt 0.8 accepts the GELU epilogue for this combination (measured on an H100:
     * {@code cusparseLtMatmulDescSetAttribute(GELU)} returned INVALID_VALUE for every other one).
     *
     * @param input element type of A and B
     * @param output element type of C and D
     * @return true for INT8 -> INT8 and FP8 (E4M3, E5M2) -> BF16
     */
    public static boolean offersGelu(DataType input, DataType output) {
        return (input == DataType.INT8 && output == DataType.INT8)
                || ((input == DataType.FP8_E4M3 || input == DataType.FP8_E5M2) && output == DataType.BF16);
    }

    int computeTypeCode() {
        return switch (input) {
            case INT8 -> 0; // CUSPARSE_COMPUTE_32I
            default -> 2;   // CUSPARSE_COMPUTE_32F
        };
    }

    /**
     * Whether cuSPARSELt 0.8 documents this input/output combination.
     *
     * @param input element type of A and B
     * @param output element type of C and D
     * @return true when supported
     */
    public static boolean isSupportedCombination(DataType input, DataType output) {
        return switch (input) {
            case FP16 -> output == DataType.FP16;
            case BF16 -> output == DataType.BF16;
            case FP32 -> output == DataType.FP32;
            case INT8 -> output == DataType.INT8 || output == DataType.INT32 || output == DataType.FP16
                    || output == DataType.BF16;
            case FP8_E4M3, FP8_E5M2 -> output == DataType.FP16 || output == DataType.BF16
                    || output == DataType.FP32;
            case INT32 -> false;
        };
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MatmulSpec s)) {
            return false;
        }
        return m == s.m && n == s.n && k == s.k && input == s.input && output == s.output
                && layoutA == s.layoutA && layoutB == s.layoutB && layoutC == s.layoutC && opA == s.opA
                && opB == s.opB && structured == s.structured && activation == s.activation && bias == s.bias;
    }

    @Override
    public int hashCode() {
        return Objects.hash(m, n, k, input, output, layoutA, layoutB, layoutC, opA, opB, structured, activation, bias);
    }

    @Override
    public String toString() {
        return "MatmulSpec[m=" + m + ", n=" + n + ", k=" + k + ", " + input + "->" + output + ", A " + layoutA
                + " op" + opA + ", B " + layoutB + " op" + opB + ", C " + layoutC + ", structured " + structured
                + (bias ? ", bias " + biasType() : "") + (activation == Activation.NONE ? "" : ", " + activation) + "]";
    }

    /** Mutable builder for {@link MatmulSpec}. */
    public static final class Builder {
        private final long m;
        private final long n;
        private final long k;
        private DataType input = DataType.FP16;
        private DataType output = DataType.FP16;
        private Layout layoutA = Layout.ROW_MAJOR;
        private Layout layoutB = Layout.ROW_MAJOR;
        private Layout layoutC = Layout.ROW_MAJOR;
        private Op opA = Op.N;
        private Op opB = Op.N;
        private Operand structured = Operand.A;
        private Activation activation = Activation.NONE;
        private boolean bias;

        private Builder(long m, long n, long k) {
            this.m = m;
            this.n = n;
            this.k = k;
        }

        /**
         * Sets the input type and picks the natural output type (FP16/BF16/FP32 keep their type,
         * INT8 gives INT32, FP8 gives FP16); call {@link #output(DataType)} afterwards to change it.
         *
         * @param type element type of A and B
         * @return this builder
         */
        public Builder input(DataType type) {
            this.input = Objects.requireNonNull(type, "input");
            this.output = switch (type) {
                case INT8 -> DataType.INT32;
                case FP8_E4M3, FP8_E5M2 -> DataType.FP16;
                default -> type;
            };
            return this;
        }

        /**
         * @param type element type of C and D
         * @return this builder
         */
        public Builder output(DataType type) {
            this.output = Objects.requireNonNull(type, "output");
            return this;
        }

        /**
         * @param a layout of A
         * @param b layout of B
         * @param c layout of C and D
         * @return this builder
         */
        public Builder layouts(Layout a, Layout b, Layout c) {
            this.layoutA = Objects.requireNonNull(a, "layout A");
            this.layoutB = Objects.requireNonNull(b, "layout B");
            this.layoutC = Objects.requireNonNull(c, "layout C");
            return this;
        }

        /**
         * @param a operation on A
         * @param b operation on B
         * @return this builder
         */
        public Builder ops(Op a, Op b) {
            this.opA = Objects.requireNonNull(a, "op A");
            this.opB = Objects.requireNonNull(b, "op B");
            return this;
        }

        /**
         * @param operand which input is structured
         * @return this builder
         */
        public Builder structured(Operand operand) {
            this.structured = Objects.requireNonNull(operand, "structured operand");
            return this;
        }

        /**
         * @param act epilogue activation
         * @return this builder
         */
        public Builder activation(Activation act) {
            this.activation = Objects.requireNonNull(act, "activation");
            return this;
        }

        /**
         * Adds (or removes) the bias epilogue: one value of {@link MatmulSpec#biasType()} per row of
         * D, added after the product and C and before the activation. The bias vector is a device
         * buffer passed with each product.
         *
         * @param withBias true for a bias epilogue
         * @return this builder
         */
        public Builder bias(boolean withBias) {
            this.bias = withBias;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the spec
         * @throws IllegalArgumentException naming the offending dimension, type or layout
         */
        public MatmulSpec build() {
            if (m <= 0 || n <= 0 || k <= 0) {
                throw new IllegalArgumentException("dimensions must be positive: m=" + m + ", n=" + n + ", k=" + k);
            }
            if (m > Integer.MAX_VALUE || n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("dimensions must fit in 31 bits: m=" + m + ", n=" + n + ", k=" + k);
            }
            try { // the byte counts of A, B and C/D (and so every offset into them) must fit in a long
                Math.multiplyExact(Math.multiplyExact(m, k), (long) input.byteSize());
                Math.multiplyExact(Math.multiplyExact(k, n), (long) input.byteSize());
                Math.multiplyExact(Math.multiplyExact(m, n), (long) output.byteSize());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("m=" + m + ", n=" + n + ", k=" + k + ": the byte count of an operand"
                        + " does not fit in 63 bits", e);
            }
            if (!isSupportedCombination(input, output)) {
                throw new IllegalArgumentException("unsupported type combination " + input + " -> " + output
                        + " (cuSPARSELt 0.8: FP16->FP16, BF16->BF16, FP32->FP32, INT8->INT8/INT32/FP16/BF16,"
                        + " FP8->FP16/BF16/FP32)");
            }
            if (activation != Activation.NONE && (output == DataType.INT32)) {
                throw new IllegalArgumentException("activation " + activation + " is not offered for INT32 output");
            }
            if (activation == Activation.GELU && !offersGelu(input, output)) {
                throw new IllegalArgumentException("activation GELU is not offered for " + input + " -> " + output
                        + " (cuSPARSELt 0.8 accepts it for INT8 -> INT8 and FP8 -> BF16 only)");
            }
            MatmulSpec s = new MatmulSpec(this);
            if (input == DataType.FP32 && !s.denseOperandHasContiguousK()) {
                Operand dense = structured == Operand.A ? Operand.B : Operand.A;
                throw new IllegalArgumentException("FP32 needs the dense operand " + dense + " stored with K contiguous"
                        + " (A: row-major op N or column-major op T; B: column-major op N or row-major op T); got "
                        + (dense == Operand.A ? layoutA + " op" + opA : layoutB + " op" + opB)
                        + ": cuSPARSELt 0.8 does not return from cusparseLtMatmulPlanInit for this layout");
            }
            int mult = input.dimensionMultiple();
            long rows = structured == Operand.A ? s.rowsA() : s.rowsB();
            long cols = structured == Operand.A ? s.colsA() : s.colsB();
            if (rows % mult != 0 || cols % mult != 0) {
                throw new IllegalArgumentException("structured operand " + structured + " is " + rows + " x " + cols
                        + "; both dimensions must be multiples of " + mult + " for " + input);
            }
            checkLd("A", s.ldA(), input);
            checkLd("B", s.ldB(), input);
            checkLd("C/D", s.ldC(), output);
            return s;
        }

        private static void checkLd(String name, long ld, DataType type) {
            if ((ld * type.byteSize()) % 16 != 0) {
                throw new IllegalArgumentException("leading dimension of " + name + " is " + ld + " elements of "
                        + type + " = " + ld * type.byteSize() + " bytes; it must be a multiple of 16 bytes");
            }
        }
    }
}
