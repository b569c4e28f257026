package org.sparsity4j.core.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.sparsity4j.core.tensor.ElementType;

/**
 * Checks the size formula and the accepted shapes against every {@code cusparseLtSpMMACompressedSize2}
 * answer recorded on the GPU (sizes.tsv.gz: all six types, both orders, every rows and cols that are
 * multiples of 4 up to 64 and of 8 up to 512, and large shapes up to 8192 × 28672).
 */
class SizeFormulaTest {

    @Test
    void sizeMatchesEveryRecordedShape() throws IOException {
        List<String> failures = new ArrayList<>();
        int accepted = 0;
        int refused = 0;
        try (InputStream raw = getClass().getResourceAsStream("/cusparselt-golden/sizes.tsv.gz");
                BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                        StandardCharsets.US_ASCII))) {
            String header = in.readLine();
            assertTrue(header.startsWith("type\torder\trows\tcols\tld"), header);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split("\t");
                ElementType type = GoldenRecords.typeOf(Integer.parseInt(f[0]));
                Order order = f[1].equals("R") ? Order.ROW_MAJOR : Order.COLUMN_MAJOR;
                int rows = Integer.parseInt(f[2]);
                int cols = Integer.parseInt(f[3]);
                long ld = Long.parseLong(f[4]);
                boolean ok = f[5].equals("0");
                long size = Long.parseLong(f[7]);
                boolean naturalLd = ld == (order == Order.ROW_MAJOR ? cols : rows);
                CompressedFormat format;
                try {
                    // the size does not depend on op; this op is proven for every type in both orders
                    Op op = order == Order.ROW_MAJOR ? Op.NON_TRANSPOSE : Op.TRANSPOSE;
                    format = CompressedFormat.forSm90(type, rows, cols, order, op);
                } catch (IllegalArgumentException e) {
                    format = null;
                }
                if (naturalLd && ok != (format != null)) {
                    failures.add(line + ": cuSPARSELt " + (ok ? "accepts" : "refuses") + ", we "
                            + (format != null ? "accept" : "refuse"));
                } else if (ok && format != null && format.compressedSize() != size) {
                    // with a larger leading dimension the size stays that of the natural one
                    failures.add(line + ": size " + size + ", formula " + format.compressedSize());
                }
                if (ok) {
                    accepted++;
                } else {
                    refused++;
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " mismatches, first: "
                + failures.subList(0, Math.min(5, failures.size())));
        assertTrue(accepted > 10_000, "accepted " + accepted);
        assertTrue(refused > 10_000, "refused " + refused);
    }

    @Test
    void knownSizes() {
        CompressedFormat f = CompressedFormat.forSm90(ElementType.FP16, 32, 64, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
        assertEquals(2048, f.valuesBytes());
        assertEquals(512, f.metadataBytes());
        assertEquals(2560, f.compressedSize());
        assertEquals(2048, f.metadataOffset());
        CompressedFormat big = CompressedFormat.forSm90(ElementType.INT8, 8192, 8192, Order.ROW_MAJOR, Op.NON_TRANSPOSE);
        assertEquals(8192 * 8192 / 2, big.valuesBytes());
        assertEquals(8192 * 8192 / 8, big.metadataBytes());
        assertEquals(big.compressedSize(), big.writtenBytes());
    }

    @Test
    void refusesAMatrixWhoseDenseBytesDoNotFitOneArray() {
        // compressed 1.5 GiB would fit, but the dense 2.5 GiB that compress and decompress use would not
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompressedFormat.forSm90(ElementType.FP16, 32768, 40960, Order.ROW_MAJOR, Op.NON_TRANSPOSE));
        assertTrue(e.getMessage().contains("32768x40960") && e.getMessage().contains("dense"), e.getMessage());
    }
}
