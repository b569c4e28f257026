package org.sparsity4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.sparsity4j.onnx.proto.OnnxSubset.TensorProto;

/**
 * Reads calibration samples from disk: one folder per sample (the layout of ONNX test data sets),
 * each holding one file per model input, named {@code input_I.pb} / {@code input_I.npy} (I-th model
 * input) or {@code NAME.pb} / {@code NAME.npy} (the input called NAME). {@code .pb} files are
 * serialized ONNX TensorProto messages, {@code .npy} files NumPy arrays (C order, little-endian).
 * A directory without sub-folders but with input files is one sample. Other files are ignored.
 */
final class SampleFiles {
    private static final java.util.regex.Pattern INDEXED = java.util.regex.Pattern.compile("input_(\\d+)\\.(pb|npy)");
    private static final java.util.regex.Pattern NPY_DESCR =
            java.util.regex.Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final java.util.regex.Pattern NPY_ORDER =
            java.util.regex.Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final java.util.regex.Pattern NPY_SHAPE = java.util.regex.Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private SampleFiles() {
    }

    /**
     * Lists the sample folders of a calibration directory, sorted by name.
     *
     * @param dir the directory
     * @param inputs the model's input names, in order
     * @return the sample folders (the directory itself if it holds input files directly)
     * @throws OnnxInputException if the directory is missing or holds no sample
     * @throws IOException on I/O errors
     */
    static List<Path> sampleDirs(Path dir, List<String> inputs) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new OnnxInputException("calibration directory " + dir + " does not exist or is not a directory");
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isDirectory).sorted().forEach(d -> {
                if (!files(d, inputs).isEmpty()) {
                    out.add(d);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        if (out.isEmpty() && !files(dir, inputs).isEmpty()) {
            out.add(dir);
        }
        if (out.isEmpty()) {
            throw new OnnxInputException("calibration directory " + dir + " holds no sample: expected folders with "
                    + "input_0.pb / input_0.npy files (or files named after the model inputs " + inputs + ")");
        }
        return out;
    }

    /** Maps input name to file for one folder (empty if none). */
    private static Map<String, Path> files(Path dir, List<String> inputs) {
        Map<String, Path> found = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : (Iterable<Path>) s.sorted()::iterator) {
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                String n = f.getFileName().toString();
                Matcher m = INDEXED.matcher(n);
                if (m.matches()) {
                    int i = Integer.parseInt(m.group(1));
                    if (i < inputs.size()) {
                        found.putIfAbsent(inputs.get(i), f);
                    }
                    continue;
                }
                for (String in : inputs) {
                    if (n.equals(in + ".pb") || n.equals(in + ".npy")) {
                        found.putIfAbsent(in, f);
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }

    /**
     * Reads one sample.
     *
     * @param dir the sample folder
     * @param inputs the model's input names, in order
     * @return the inputs by name, in model order
     * @throws OnnxInputException if an input is missing or a file is unreadable
     * @throws IOException on I/O errors
     */
    static Map<String, InputData> read(Path dir, List<String> inputs) throws IOException {
        Map<String, Path> files;
        try {
            files = files(dir, inputs);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        Map<String, InputData> out = new LinkedHashMap<>();
        for (String in : inputs) {
            Path f = files.get(in);
            if (f == null) {
                throw new OnnxInputException("sample " + dir + " has no file for model input '" + in
                        + "' (input_" + inputs.indexOf(in) + ".pb/.npy or " + in + ".pb/.npy)");
            }
            InputData d = f.getFileName().toString().endsWith(".npy") ? npy(f, in) : pb(f, in);
            out.put(in, d);
        }
        return out;
    }

    /**
     * Reads a serialized TensorProto.
     *
     * @param f the file
     * @param input the model input it is for
     * @return the data
     * @throws IOException on I/O errors
     */
    static InputData pb(Path f, String input) throws IOException {
        TensorProto t;
        try {
            t = TensorProto.parseFrom(Files.readAllBytes(f));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new OnnxInputException(f + " is not a serialized ONNX TensorProto: " + e.getMessage());
        }
        long[] dims = new long[t.getDimsCount()];
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) {
                throw new OnnxInputException(f + ": negative dim " + dims[i]);
            }
            n *= dims[i];
        }
        int type = t.getDataType();
        int bs = elementSize(type);
        if (bs == 0) {
            throw new OnnxInputException(f + ": data type " + DataTypes.name(type) + " is not supported for inputs");
        }
        long bytes = n * bs;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new OnnxInputException(f + ": " + bytes + " bytes; one input must stay under 2 GiB");
        }
        ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (t.getDataLocation() == TensorData.EXTERNAL) {
            throw new OnnxInputException(f + ": external data is not supported in sample files");
        }
        if (!t.getRawData().isEmpty() || n == 0) {
            if (t.getRawData().size() != bytes) {
                throw new OnnxInputException(f + ": raw_data holds " + t.getRawData().size() + " bytes but dims "
                        + java.util.Arrays.toString(dims) + " of " + DataTypes.name(type) + " need " + bytes);
            }
            t.getRawData().copyTo(b);
        } else if (type == DataTypes.FLOAT && t.getFloatDataCount() == n) {
            for (int i = 0; i < n; i++) {
                b.putFloat(t.getFloatData(i));
            }
        } else if (type == DataTypes.INT64 && t.getInt64DataCount() == n) {
            for (int i = 0; i < n; i++) {
                b.putLong(t.getInt64Data(i));
            }
        } else if (t.getInt32DataCount() == n && bs <= 4) {
            for (int i = 0; i < n; i++) {
                int v = t.getInt32Data(i);
                if (bs == 4) {
                    b.putInt(v);
                } else if (bs == 2) {
                    b.putShort((short) v);
                } else {
                    b.put((byte) v);
                }
            }
        } else {
            throw new OnnxInputException(f + ": holds no data field with " + n + " values of " + DataTypes.name(type));
        }
        b.flip();
        return new InputData(input, type, dims, b);
    }

    /**
     * Reads a NumPy {@code .npy} file (format versions 1 to 3, C order, little-endian or 1-byte types).
     *
     * @param f the file
     * @param input the model input it is for
     * @return the data
     * @throws IOException on I/O errors
     */
    static InputData npy(Path f, String input) throws IOException {
        byte[] all = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 10 || (all[0] & 0xff) != 0x93 || all[1] != 'N' || all[2] != 'U' || all[3] != 'M'
                || all[4] != 'P' || all[5] != 'Y') {
            throw new OnnxInputException(f + " is not a .npy file (bad magic)");
        }
        int major = all[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            start = 12;
        } else {
            throw new OnnxInputException(f + ": unsupported .npy version " + major);
        }
        if (headerLen < 0 || start + headerLen > all.length) {
            throw new OnnxInputException(f + ": .npy header length " + headerLen + " exceeds the file size "
                    + all.length);
        }
        String header = new String(all, start, headerLen, major == 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1);
        Matcher d = NPY_DESCR.matcher(header);
        Matcher o = NPY_ORDER.matcher(header);
        Matcher s = NPY_SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) {
            throw new OnnxInputException(f + ": cannot read the .npy header " + header.trim());
        }
        if (o.group(1).equals("True")) {
            throw new OnnxInputException(f + ": Fortran-order arrays are not supported (save with C order)");
        }
        int type;
        switch (d.group(1)) {
            case "<f4": type = DataTypes.FLOAT; break;
            case "<f2": type = DataTypes.FLOAT16; break;
            case "<f8": type = 11; break; // DOUBLE
            case "<i8": type = DataTypes.INT64; break;
            case "<i4": type = DataTypes.INT32; break;
            case "|u1": type = DataTypes.UINT8; break;
            case "|i1": type = DataTypes.INT8; break;
            case "|b1": type = 9; break; // BOOL
            default:
                throw new OnnxInputException(f + ": unsupported .npy dtype '" + d.group(1)
                        + "' (little-endian f4, f2, f8, i8, i4, u1, i1 or b1)");
        }
        List<Long> dl = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                try {
                    dl.add(Long.parseLong(p.toLowerCase(Locale.ROOT).replace("l", "")));
                } catch (NumberFormatException e) {
                    throw new OnnxInputException(f + ": bad .npy shape (" + s.group(1) + ")");
                }
            }
        }
        long[] dims = new long[dl.size()];
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = dl.get(i);
            n *= dims[i];
        }
        long bytes = n * elementSize(type);
        int dataStart = start + headerLen;
        if (all.length - dataStart != bytes) {
            throw new OnnxInputException(f + ": .npy data holds " + (all.length - dataStart) + " bytes at byte offset "
                    + dataStart + " but shape " + java.util.Arrays.toString(dims) + " of " + d.group(1) + " needs "
                    + bytes);
        }
        ByteBuffer data = ByteBuffer.wrap(all, dataStart, (int) bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new InputData(input, type, dims, data);
    }

    /** Element size in bytes of input types this reader supports, or 0. */
    static int elementSize(int type) {
        switch (type) {
            case DataTypes.FLOAT:
            case DataTypes.INT32:
                return 4;
            case DataTypes.FLOAT16:
            case DataTypes.BFLOAT16:
                return 2;
            case 11: // DOUBLE
            case DataTypes.INT64:
                return 8;
            case DataTypes.UINT8:
            case DataTypes.INT8:
            case 9: // BOOL
                return 1;
            default:
                return 0;
        }
    }
}
