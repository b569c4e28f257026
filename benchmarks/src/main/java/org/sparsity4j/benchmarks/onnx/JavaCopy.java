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
 * the tail through the page cache, {@code fsync}, atomic rename), in a JVM started like the tool's.
 *
 * <p>Usage: {@code java JavaCopy OUT_DIR FILE...}; prints nothing, exits non-zero on failure.
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
        Path dir = Path.of(args[0]);
        for (int i = 1; i < args.length; i++) {
            Path in = Path.of(args[i]);
            Path out = dir.resolve("java-copy-" + in.getFileName());
            Path tmp = Files.createTempFile(dir, ".java-copy-", ".tmp");
            try (FileChannel src = FileChannel.open(in, StandardOpenOption.READ)) {
                long size = src.size();
                long whole = size / 4096 * 4096;
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
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
