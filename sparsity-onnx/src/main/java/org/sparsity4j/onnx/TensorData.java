package org.sparsity4j.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sparsity4j.core.tensor.ElementType;
import org.sparsity4j.core.tensor.Shape;
import org.sparsity4j.core.tensor.Tensor;
import org.sparsity4j.onnx.proto.OnnxSubset.StringStringEntryProto;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;

/** Reading, validating and rewriting the data of one {@code TensorProto} in any storage form. */
final class TensorData {
    /** {@code TensorProto.DataLocation.EXTERNAL}. */
    public static final int EXTERNAL = 1;
    /** Field number of {@code TensorProto.string_data}, outside the message subset (an unknown field). */
    private static final int STRING_DATA = 6;
    /** Field number of {@code TensorProto.double_data}, outside the message subset. */
    private static final int DOUBLE_DATA = 10;
    /** Field number of {@code TensorProto.uint64_data}, outside the message subset. */
    private static final int UINT64_DATA = 11;

    /** How a tensor stores its elements. */
    public enum Storage {
        /** Little-endian bytes in {@code raw_data}. */
        RAW,
        /** One float per element in {@code float_data}. */
        FLOAT_DATA,
        /** One int32 per element in {@code int32_data} (fp16/bf16/8-bit bit patterns). */
        INT32_DATA,
        /** Bytes in an external data file. */
        EXTERNAL,
        /** Any other field (int64_data, double_data, strings...), or no data. */
        OTHER
    }

    private TensorData() {
    }

    /**
     * Returns how the tensor stores its data.
     *
     * @param t the tensor
     * @return the storage
     */
    public static Storage storage(TensorProto t) {
        if (t.getDataLocation() == EXTERNAL) {
            return Storage.EXTERNAL;
        }
        if (t.hasRawData()) {
            return Storage.RAW;
        }
        if (t.getFloatDataCount() > 0) {
            return Storage.FLOAT_DATA;
        }
        if (t.getInt32DataCount() > 0) {
            return Storage.INT32_DATA;
        }
        return Storage.OTHER;
    }

    /**
     * Returns the names of the fields that hold values, in field-number order: {@code float_data},
     * {@code int32_data}, {@code string_data}, {@code int64_data}, {@code raw_data}, {@code double_data},
     * {@code uint64_data}, and {@code external_data} for a tensor stored externally. A repeated field
     * counts when it holds an element; {@code raw_data} when not empty, and when present but empty in
     * a tensor that is not external, because ONNX Runtime then reads it (the ONNX checker ignores an
     * empty one). With more than one, readers
     * differ on which holds the tensor; the ONNX checker accepts exactly one (none for a tensor
     * without elements).
     *
     * @param t the tensor
     * @return the field names
     */
    public static List<String> valueFields(TensorProto t) {
        List<String> fields = new ArrayList<>(2);
        if (t.getFloatDataCount() > 0) {
            fields.add("float_data");
        }
        if (t.getInt32DataCount() > 0) {
            fields.add("int32_data");
        }
        // fields outside this module's message subset are kept as unknown fields
        UnknownFieldSet unknown = t.getUnknownFields();
        if (holdsElement(unknown, STRING_DATA, false)) {
            fields.add("string_data");
        }
        if (t.getInt64DataCount() > 0) {
            fields.add("int64_data");
        }
        if (!t.getRawData().isEmpty() || (t.hasRawData() && t.getDataLocation() != EXTERNAL)) {
            fields.add("raw_data");
        }
        if (holdsElement(unknown, DOUBLE_DATA, true)) {
            fields.add("double_data");
        }
        if (holdsElement(unknown, UINT64_DATA, true)) {
            fields.add("uint64_data");
        }
        if (t.getDataLocation() == EXTERNAL) {
            fields.add("external_data");
        }
        return fields;
    }

    /**
     * Whether an unknown repeated field holds an element: any value of it, except that for a numeric
     * field ({@code packed}) a length-delimited record is a packed run, which holds elements only when
     * not empty (every string of a bytes field is an element, the empty one too).
     */
    private static boolean holdsElement(UnknownFieldSet unknown, int number, boolean packed) {
        if (!unknown.hasField(number)) {
            return false;
        }
        UnknownFieldSet.Field f = unknown.getField(number);
        if (!f.getVarintList().isEmpty() || !f.getFixed32List().isEmpty() || !f.getFixed64List().isEmpty()) {
            return true;
        }
        for (ByteString run : f.getLengthDelimitedList()) {
            if (!packed || !run.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the tensor's dims, checking that none is negative. Unlike {@link #shape}, any element
     * count is allowed: tensors that are not masked may be larger than one core tensor can hold.
     *
     * @param t the tensor
     * @param label the tensor's name for messages
     * @return the dims
     * @throws OnnxInputException on a negative dim
     */
    public static long[] dims(TensorProto t, String label) {
        long[] dims = new long[t.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
        }
        for (int i = 0; i < dims.length; i++) { // after the copy: the message shows all dims
            if (dims[i] < 0) {
                throw new OnnxInputException("tensor '" + label + "': dims " + Arrays.toString(dims) + ": dimension "
                        + i + " is negative (" + dims[i] + ")");
            }
        }
        return dims;
    }

    /**
     * Returns the tensor's element count, computed in long arithmetic.
     *
     * @param t the tensor
     * @param label the tensor's name for messages
     * @return the product of its dims
     * @throws OnnxInputException on a negative dim, or a count that overflows a long
     */
    public static long elements(TensorProto t, String label) {
        long[] dims = dims(t, label);
        for (long d : dims) {
            if (d == 0) {
                return 0;
            }
        }
        long n = 1;
        for (long d : dims) {
            if (n > Long.MAX_VALUE / d) {
                throw new OnnxInputException("tensor '" + label + "': dims " + Arrays.toString(dims)
                        + " have more elements than a long can count");
            }
            n *= d;
        }
        return n;
    }

    /**
     * Returns the tensor's shape as a core shape (for tensors that are masked), checking its dims.
     *
     * @param t the tensor
     * @param label the tensor's name for messages
     * @return the shape
     * @throws OnnxInputException on negative dims or too many elements
     */
    public static Shape shape(TensorProto t, String label) {
        long[] dims = new long[t.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
        }
        try {
            return Shape.of(dims);
        } catch (IllegalArgumentException e) {
            throw new OnnxInputException("tensor '" + label + "': " + e.getMessage(), e);
        }
    }

    /**
     * Loads the tensor's elements as a core tensor (read-only where the bytes are a file view).
     *
     * @param t the tensor
     * @param label the tensor's name for messages
     * @param type its element type
     * @param baseDir the model's directory (for external data)
     * @return the tensor
     * @throws OnnxInputException if the data does not match the dims or cannot be read
     * @throws IOException on I/O errors
     */
    public static Tensor load(TensorProto t, String label, ElementType type, Path baseDir) throws IOException {
        Shape shape = shape(t, label);
        long bytes = (long) shape.size() * type.byteSize();
        switch (storage(t)) {
            case RAW: {
                ByteString raw = t.getRawData();
                if (raw.size() != bytes) {
                    throw new OnnxInputException("tensor '" + label + "': raw_data holds " + raw.size()
                            + " bytes but dims " + shape + " of " + DataTypes.name(t.getDataType()) + " need " + bytes);
                }
                return Tensor.wrap(type, shape, raw.asReadOnlyByteBuffer());
            }
            case EXTERNAL: {
                ExternalRef ref = external(t, label, baseDir, bytes);
                ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ref, buf, label);
                buf.flip();
                return Tensor.wrap(type, shape, buf);
            }
            case FLOAT_DATA: {
                if (type != ElementType.FP32) {
                    throw new OnnxInputException("tensor '" + label + "' of " + DataTypes.name(t.getDataType())
                            + " stores float_data");
                }
                requireCount(t.getFloatDataCount(), shape, label, "float_data");
                float[] v = new float[shape.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = t.getFloatData(i);
                }
                return Tensor.ofFloats(v, shape.dims());
            }
            case INT32_DATA: {
                requireCount(t.getInt32DataCount(), shape, label, "int32_data");
                if (type.byteSize() == 2) {
                    short[] v = new short[shape.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (short) bitsOf(t, i, 16, label);
                    }
                    return Tensor.ofShorts(type, v, shape.dims());
                }
                if (type.byteSize() == 1) {
                    byte[] v = new byte[shape.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (byte) bitsOf(t, i, 8, label);
                    }
                    return Tensor.ofBytes(type, v, shape.dims());
                }
                throw new OnnxInputException("tensor '" + label + "' of " + DataTypes.name(t.getDataType())
                        + " stores int32_data");
            }
            default:
                if (shape.size() == 0) {
                    return Tensor.zeros(type, shape);
                }
                throw new OnnxInputException("tensor '" + label + "' of dims " + shape + " has no data in raw_data, "
                        + "float_data, int32_data or an external file");
        }
    }

    /**
     * Checks that a tensor's stored data matches its dims and type: raw_data byte count, typed
     * field value count ({@code float_data}, {@code int32_data}, {@code int64_data}; two 4-bit or
     * four 2-bit elements per {@code int32_data} value, two floats per COMPLEX64 element), or the external data
     * range (which must lie inside an existing file). A tensor with elements but no data is refused
     * unless its type keeps values in a field this module does not read (STRING, DOUBLE, UINT32,
     * UINT64, COMPLEX128, unknown types).
     *
     * @param t the tensor
     * @param label the tensor's name for messages
     * @param baseDir the model's directory
     * @throws OnnxInputException on a mismatch
     * @throws IOException on I/O errors
     */
    public static void checkConsistent(TensorProto t, String label, Path baseDir) throws IOException {
        String shape = Arrays.toString(dims(t, label));
        long n = elements(t, label);
        long need = expectedBytes(t, label);
        switch (storage(t)) {
            case RAW:
                if (need >= 0 && t.getRawData().size() != need) {
                    throw new OnnxInputException("tensor '" + label + "': raw_data holds " + t.getRawData().size()
                            + " bytes but dims " + shape + " of " + DataTypes.name(t.getDataType()) + " need " + need);
                }
                break;
            case EXTERNAL:
                external(t, label, baseDir, need);
                break;
            case FLOAT_DATA:
                // COMPLEX64: two floats per element
                requireCount(t.getFloatDataCount(), shape, t.getDataType() == DataTypes.COMPLEX64 ? 2 * n : n, label,
                        "float_data");
                break;
            case INT32_DATA:
                // packed types: two (4-bit) or four (2-bit) elements per int32 value
                requireCount(t.getInt32DataCount(), shape, DataTypes.subByte(t.getDataType())
                        ? DataTypes.storageBytes(t.getDataType(), n) : n, label, "int32_data");
                break;
            default:
                if (t.getInt64DataCount() > 0) {
                    requireCount(t.getInt64DataCount(), shape, n, label, "int64_data");
                } else if (n > 0 && !dataMayBeInOtherFields(t.getDataType())) {
                    throw new OnnxInputException("tensor '" + label + "' of dims " + shape + " and type "
                            + DataTypes.name(t.getDataType()) + " has no data (raw_data, a typed field or external data)");
                }
                break;
        }
    }

    /**
     * Whether a tensor of this type may keep its values in a field this module does not read
     * (string_data, double_data, uint64_data) or in one of an unknown type.
     */
    private static boolean dataMayBeInOtherFields(int type) {
        switch (type) {
            case DataTypes.STRING: // string_data
            case DataTypes.DOUBLE: // double_data
            case DataTypes.UINT32: // uint64_data
            case DataTypes.UINT64: // uint64_data
            case DataTypes.COMPLEX128: // double_data
                return true;
            default:
                return DataTypes.byteSize(type) == 0 && !DataTypes.subByte(type); // undefined or unknown codes
        }
    }

    /**
     * Returns the bytes a tensor's dims and type need in {@code raw_data} or an external data file.
     *
     * @param t the tensor
     * @param label the tensor's name for messages
     * @return the byte count, or -1 if the type's size is unknown
     * @throws OnnxInputException on negative dims or too many elements
     */
    public static long expectedBytes(TensorProto t, String label) {
        return DataTypes.storageBytes(t.getDataType(), elements(t, label));
    }

    private static void requireCount(int count, Shape shape, String label, String field) {
        requireCount(count, shape.toString(), shape.size(), label, field);
    }

    private static void requireCount(int count, String shape, long need, String label, String field) {
        if (count != need) {
            throw new OnnxInputException("tensor '" + label + "': " + field + " holds " + count
                    + " values but dims " + shape + " need " + need);
        }
    }

    /**
     * Returns a copy of a tensor proto whose typed field ({@code float_data} or {@code int32_data})
     * holds new values; everything else is kept.
     *
     * @param t the original (FLOAT_DATA or INT32_DATA storage)
     * @param values the new values, same type and size
     * @return the new proto
     */
    public static TensorProto withTypedValues(TensorProto t, Tensor values) {
        TensorProto.Builder b = t.toBuilder();
        int n = values.size();
        if (storage(t) == Storage.FLOAT_DATA) {
            List<Float> fs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                fs.add(Float.intBitsToFloat(values.bits(i)));
            }
            b.clearFloatData().addAllFloatData(fs);
        } else {
            List<Integer> is = new ArrayList<>(n);
            boolean signed = values.type() == ElementType.INT8;
            for (int i = 0; i < n; i++) {
                int bits = values.bits(i);
                is.add(signed ? (int) (byte) bits : bits);
            }
            b.clearInt32Data().addAllInt32Data(is);
        }
        return b.build();
    }

    /**
     * Parses and validates a tensor's external data descriptor.
     *
     * @param t the tensor (data_location EXTERNAL)
     * @param label the tensor's name for messages
     * @param baseDir the model's directory
     * @param expectedBytes the byte count its dims and type need, or -1 if unknown
     * @return the validated reference
     * @throws OnnxInputException if the location escapes the model directory, the file is missing,
     *     or offset/length are malformed or out of range
     * @throws IOException on I/O errors
     */
    public static ExternalRef external(TensorProto t, String label, Path baseDir, long expectedBytes)
            throws IOException {
        String location = null;
        String offsetText = null;
        String lengthText = null;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location":
                    location = e.getValue();
                    break;
                case "offset":
                    offsetText = e.getValue();
                    break;
                case "length":
                    lengthText = e.getValue();
                    break;
                default:
                    break;
            }
        }
        if (location == null || location.isEmpty()) {
            throw new OnnxInputException("tensor '" + label + "': external data has no location");
        }
        Path rel;
        try {
            rel = Path.of(location);
        } catch (java.nio.file.InvalidPathException e) {
            throw new OnnxInputException("tensor '" + label + "': external data location '"
                    + location.replace("\0", "\\0") + "' is not a valid file name: " + e.getReason(), e);
        }
        if (rel.isAbsolute() || rel.normalize().startsWith("..")) {
            throw new OnnxInputException("tensor '" + label + "': external data location '" + location
                    + "' is outside the model's directory");
        }
        Path file = baseDir.resolve(rel).normalize();
        if (Files.isDirectory(file)) {
            throw new OnnxInputException("tensor '" + label + "': external data location '" + location
                    + "' is a directory, not a data file");
        }
        if (!Files.exists(file)) {
            throw new OnnxInputException("tensor '" + label + "': external data file '" + location
                    + "' does not exist next to the model");
        }
        if (!Files.isRegularFile(file)) {
            throw new OnnxInputException("tensor '" + label + "': external data file '" + location
                    + "' is not a regular file");
        }
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (IOException e) {
            throw new OnnxInputException("tensor '" + label + "': external data file '" + location
                    + "' cannot be read: " + e, e);
        }
        long offset = parseLong(offsetText, 0, label, "offset");
        long length = parseLong(lengthText, expectedBytes >= 0 ? expectedBytes : fileSize - offset, label, "length");
        if (offset < 0 || length < 0 || offset > fileSize || length > fileSize - offset) {
            throw new OnnxInputException("tensor '" + label + "': external data offset " + offset + " + length "
                    + length + " lies outside '" + location + "' (" + fileSize + " bytes)");
        }
        if (expectedBytes >= 0 && length != expectedBytes) {
            throw new OnnxInputException("tensor '" + label + "': external data length " + length + " at offset "
                    + offset + " in '" + location + "' does not match dims " + Arrays.toString(dims(t, label)) + " of "
                    + DataTypes.name(t.getDataType()) + " (" + expectedBytes + " bytes)");
        }
        return new ExternalRef(file, location, offset, length);
    }

    private static long parseLong(String text, long dflt, String label, String key) {
        if (text == null) {
            return dflt;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new OnnxInputException("tensor '" + label + "': external data " + key + " '" + text
                    + "' is not an integer", e);
        }
    }

    /**
     * Reads an external tensor's bytes into the buffer's remaining space (which must equal the length);
     * a large tensor is read in parts at once (see {@code ChannelReads}).
     *
     * @param ref the reference
     * @param buf the destination
     * @param label the tensor's name for messages
     * @throws OnnxInputException if the file cannot be read or ends early (naming the tensor and file)
     * @throws IOException never in practice (declared for callers that read further)
     */
    public static void readFully(ExternalRef ref, ByteBuffer buf, String label) throws IOException {
        try (FileChannel ch = openInput(ref, label)) {
            ChannelReads.readFully(ch, buf, ref.offset(), at -> new OnnxInputException("tensor '" + label
                    + "': external data file '" + ref.location() + "' ended at byte offset " + at));
        } catch (OnnxInputException e) {
            throw e;
        } catch (IOException e) {
            throw new OnnxInputException("tensor '" + label + "': external data file '" + ref.location()
                    + "' cannot be read at byte offset " + ref.offset() + ": " + e, e);
        }
    }

    /**
     * Opens an external tensor's data file for reading.
     *
     * @param ref the reference
     * @param label the tensor's name for messages
     * @return the open channel
     * @throws OnnxInputException if the file cannot be opened (naming the tensor and file)
     */
    public static FileChannel openInput(ExternalRef ref, String label) {
        try {
            return FileChannel.open(ref.file(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new OnnxInputException("tensor '" + label + "': external data file '" + ref.location()
                    + "' cannot be opened: " + e, e);
        }
    }

    /**
     * Reads an integer tensor (INT64 or INT32) as longs, e.g. a Reshape target shape.
     *
     * @param t the tensor
     * @param label the tensor's name for messages
     * @param baseDir the model's directory
     * @return the values, or null if the type is not an integer type or the data is unreadable
     * @throws IOException on I/O errors
     */
    public static long[] integers(TensorProto t, String label, Path baseDir) throws IOException {
        int type = t.getDataType();
        if (type != DataTypes.INT64 && type != DataTypes.INT32) {
            return null;
        }
        long count = elements(t, label);
        if (count > Shape.MAX_ELEMENTS) {
            return null; // no Java array holds it
        }
        int n = (int) count;
        // The data is found and checked before the values are allocated: dims may declare far more
        // elements than the tensor holds.
        if (type == DataTypes.INT64 && t.getInt64DataCount() == n && !t.hasRawData()
                && t.getDataLocation() != EXTERNAL) {
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = t.getInt64Data(i);
            }
            return out;
        }
        if (type == DataTypes.INT32 && t.getInt32DataCount() == n && !t.hasRawData()
                && t.getDataLocation() != EXTERNAL) {
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = t.getInt32Data(i);
            }
            return out;
        }
        ByteBuffer bytes = rawBytes(t, label, baseDir, (long) n * DataTypes.byteSize(type));
        if (bytes == null) {
            return null;
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = type == DataTypes.INT64 ? bytes.getLong(i * 8) : bytes.getInt(i * 4);
        }
        return out;
    }

    /**
     * Tells whether every element of a small tensor is zero (bit pattern 0), whatever its type;
     * FLOAT8E8M0 has no zero (its bit pattern 0 is 2^-127), so a tensor of it with elements is not.
     *
     * @param t the tensor
     * @param label the tensor's name for messages
     * @param baseDir the model's directory
     * @return true if all elements are 0, false if one is not, null if the data cannot be read
     * @throws IOException on I/O errors
     */
    public static Boolean allZero(TensorProto t, String label, Path baseDir) throws IOException {
        if (t.getDataType() == DataTypes.FLOAT8E8M0) {
            return elements(t, label) == 0;
        }
        for (int v : t.getInt32DataList()) {
            if (v != 0) {
                return false;
            }
        }
        for (long v : t.getInt64DataList()) {
            if (v != 0) {
                return false;
            }
        }
        for (float v : t.getFloatDataList()) {
            if (Float.floatToRawIntBits(v) != 0) {
                return false;
            }
        }
        int bs = DataTypes.byteSize(t.getDataType());
        if (bs == 0) {
            return null;
        }
        if (t.hasRawData() || t.getDataLocation() == EXTERNAL) {
            ByteBuffer b = rawBytes(t, label, baseDir, DataTypes.storageBytes(t.getDataType(), elements(t, label)));
            if (b == null) {
                return null;
            }
            while (b.hasRemaining()) {
                if (b.get() != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static ByteBuffer rawBytes(TensorProto t, String label, Path baseDir, long bytes) throws IOException {
        if (bytes < 0 || bytes > Integer.MAX_VALUE - 8) {
            return null;
        }
        if (t.getDataLocation() == EXTERNAL) {
            ExternalRef ref = external(t, label, baseDir, bytes);
            ByteBuffer buf = ByteBuffer.allocate((int) bytes);
            readFully(ref, buf, label);
            buf.flip();
            return buf.order(ByteOrder.LITTLE_ENDIAN);
        }
        if (t.hasRawData()) {
            if (t.getRawData().size() != bytes) {
                throw new OnnxInputException("tensor '" + label + "': raw_data holds " + t.getRawData().size()
                        + " bytes but dims " + Arrays.toString(dims(t, label)) + " need " + bytes);
            }
            return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        return null;
    }

    /**
     * Entry {@code i} of a tensor's {@code int32_data} holding the bits of a {@code width}-bit element
     * (16: FLOAT16, BFLOAT16; 8: INT8, UINT8, FP8), as the spec stores them one per entry. Values
     * that are the element's bits zero- or sign-extended are taken (their low bits); any other value
     * is not such an element, and the tensor is corrupt.
     */
    private static int bitsOf(TensorProto t, int i, int width, String label) {
        int v = t.getInt32Data(i);
        if (v < -(1 << (width - 1)) || v >= 1 << width) {
            throw new OnnxInputException("tensor '" + label + "' of " + DataTypes.name(t.getDataType())
                    + ": int32_data[" + i + "] = " + v + " is not a " + width + "-bit element");
        }
        return v;
    }
}
