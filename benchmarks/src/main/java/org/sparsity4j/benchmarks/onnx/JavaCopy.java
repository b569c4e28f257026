package org.sparsity4j.benchmarks.onnx;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A reference for {@link OnnxPruneBenchmark}: the least a JVM tool must do to produce a pruned model,
 * without parsing or masking. Each file is copied to a temporary sibling in the output folder with the
 * tool's write discipline (the input mapped, whole blocks written past the page cache from the mapping,
 * the tail through the page cache, {@code fsync}, atomic rename); the benchmark starts it with the
 * launcher's JVM options (not with the launcher's class-data archive).
 *
 * <p>Usage, from the repository root: {@code java -cp benchmarks/target/classes
 * org.sparsity4j.benchmarks.onnx.JavaCopy OUT_DIR FILE...}; prints nothing, exits non-zero on failure
 * and then leaves no temporary file.
 */
public final class JavaCopy {
    private static final int CHUNK = 8 << 20;

    private JavaCopy() {
    }

    /**
     * Copies every file into the output folder as {@code java-copy-NAME}.
     *
     * @param args the output folder, then the files
     * @throws IOException on failure
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: JavaCopy OUT_DIR FILE...");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        // whole blocks as the tool writes them: of the output's block size, at least 4096 bytes
        long block = Math.max(4096, Files.getFileStore(dir).getBlockSize());
        for (int i = 1; i < args.length; i++) {
            Path in = Path.of(args[i]);
            Path out = dir.resolve("java-copy-" + in.getFileName());
            Path tmp = Files.createTempFile(dir, ".java-copy-", ".tmp");
            try {
                copy(in, tmp, block);
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void copy(Path in, Path tmp, long block) throws IOException {
        try (FileChannel src = FileChannel.open(in, StandardOpenOption.READ)) {
            long size = src.size();
            long whole = size / block * block;
            try (FileChannel direct = FileChannel.open(tmp, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
                for (long pos = 0; pos < whole; pos += CHUNK) {
                    long n = Math.min(CHUNK, whole - pos);
                    MappedByteBuffer m = src.map(FileChannel.MapMode.READ_ONLY, pos, n);
                    while (m.hasRemaining()) {
                        direct.write(m, pos + m.position());
                    }
                }
            }
            try (FileChannel plain = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                if (whole < size) {
                    MappedByteBuffer m = src.map(FileChannel.MapMode.READ_ONLY, whole, size - whole);
                    while (m.hasRemaining()) {
                        plain.write(m, whole + m.position());
                    }
                }
                plain.force(true);
            }
        }
    }
}
