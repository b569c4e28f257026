package org.sparsity4j.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.sparsity4j.onnx.proto.OnnxSubset.ModelProto;

/**
 * A parsed ONNX model file. The file is memory-mapped and parsed with aliasing, so tensor bytes
 * ({@code raw_data}) are views of the mapping, never copied onto the heap: opening a model costs
 * little more memory than its structure.
 */
final class ModelFile {
    /** Protobuf's hard limit on one message: a model file must stay below it. */
    public static final long MAX_PROTOBUF_BYTES = Integer.MAX_VALUE;

    private final Path path;
    private final ModelProto proto;
    private final long size;

    private ModelFile(Path path, ModelProto proto, long size) {
        this.path = path;
        this.proto = proto;
        this.size = size;
    }

    /**
     * Opens and parses a model file.
     *
     * @param path the .onnx file
     * @return the parsed model
     * @throws OnnxInputException if the file is missing, unreadable (a directory, no permission, a read
     *     error), too large, corrupt or truncated
     * @throws IOException never in practice (declared for callers that read further)
     */
    public static ModelFile open(Path path) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new OnnxInputException("model file " + path + " is a directory");
        }
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            // a FIFO or a device would block or never end
            throw new OnnxInputException("model file " + path + " is not a regular file");
        }
        long size;
        MappedByteBuffer map;
        try (FileChannel ch = FileChannel.open(abs, StandardOpenOption.READ)) {
            size = ch.size();
            if (size > MAX_PROTOBUF_BYTES) {
                throw new OnnxInputException("model file " + path + " is " + size + " bytes; a protobuf message must be"
                        + " under 2 GiB, so larger models must keep their tensors in external data files");
            }
            if (size == 0) {
                throw new OnnxInputException("model file " + path + " is empty");
            }
            map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (NoSuchFileException e) {
            throw new OnnxInputException("model file " + path + " does not exist", e);
        } catch (IOException e) {
            throw new OnnxInputException("model file " + path + " cannot be read: " + e, e);
        }
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(map).newCodedInput();
        in.enableAliasing(true);
        in.setSizeLimit(Integer.MAX_VALUE);
        in.setRecursionLimit(500);
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxInputException("model file " + path + " is not a valid ONNX model (corrupt or truncated"
                    + " protobuf, stopped near byte offset " + in.getTotalBytesRead() + " of " + size + "): "
                    + e.getMessage(), e);
        }
        if (!proto.hasGraph()) {
            throw new OnnxInputException("model file " + path + " has no graph (not an ONNX model, or truncated)");
        }
        if (proto.getIrVersion() >= 3 && proto.getOpsetImportCount() == 0) {
            // serialized after the graph (field 8 after field 7): a file cut between the two still parses
            throw new OnnxInputException("model file " + path + " has no opset_import, which IR version "
                    + proto.getIrVersion() + " requires (an incomplete model, or truncated)");
        }
        return new ModelFile(abs, proto, size);
    }

    /** Returns the absolute path of the model file. */
    public Path path() {
        return path;
    }

    /** Returns the directory external data locations are relative to. */
    public Path baseDir() {
        Path parent = path.getParent();
        return parent == null ? Path.of(".").toAbsolutePath() : parent;
    }

    /** Returns the parsed model (tensor bytes alias the file mapping). */
    public ModelProto proto() {
        return proto;
    }

    /** Returns the file size in bytes. */
    public long size() {
        return size;
    }

    /**
     * Tells whether a path names this model file (after resolving links where the file exists).
     *
     * @param other a path
     * @return true if it is the same file
     * @throws IOException on I/O errors
     */
    public boolean isSameFile(Path other) throws IOException {
        Path abs = other.toAbsolutePath().normalize();
        if (abs.equals(path)) {
            return true;
        }
        return Files.exists(abs) && Files.isSameFile(abs, path);
    }
}
