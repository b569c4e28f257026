package org.sparsity4j.cusparselt;

import static org.junit.jupiter.api.Assumptions.abort;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** sparsity-core's CPU compressor against {@code cusparseLtSpMMACompress}, byte for byte. */
@Tag("gpu")
class CompressorGpuTest {

    @Test
    void coreCompressorEqualsCusparseLtCompressByteForByte() {
        Gpu.require();
        // The compressed-format writer of sparsity-core (the compressed-format issue) is not on main
        // yet, so there is nothing to compare with. MatmulGpuTest.compressedBytesRoundTripThroughHostUpload
        // covers the upload path (bytes compressed elsewhere, uploaded, multiplied).
        abort("sparsity-core has no compressed-format writer on this branch yet; comparison not possible");
    }
}
