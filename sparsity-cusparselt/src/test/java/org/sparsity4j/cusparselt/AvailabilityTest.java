package org.sparsity4j.cusparselt;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.sparsity4j.core.tensor.ElementType;

/** Availability reporting and type mapping; runs everywhere. */
class AvailabilityTest {

    @Test
    void isAvailableNeverThrowsAndExplainsItself() {
        boolean available = assertDoesNotThrow(CusparseLt::isAvailable);
        String reason = assertDoesNotThrow(CusparseLt::unavailableReason);
        if (available) {
            assertNull(reason);
        } else {
            assertNotNull(reason);
            assertFalse(reason.isBlank());
            assertEquals(0, CusparseLt.deviceCount());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> SparseContext.create(0));
            assertEquals("cuSPARSELt is not available: " + reason, e.getMessage());
        }
        // a second call gives the same answer (loaded once)
        assertEquals(available, CusparseLt.isAvailable());
    }

    @Test
    void dataTypesMapToCoreAndCudaCodes() {
        for (ElementType t : ElementType.values()) {
            DataType d = DataType.of(t);
            assertEquals(t, d.elementType());
            assertEquals(t.byteSize(), d.byteSize());
        }
        assertThrows(IllegalArgumentException.class, DataType.INT32::elementType);
        assertEquals(2, DataType.FP16.cudaCode());
        assertEquals(14, DataType.BF16.cudaCode());
        assertEquals(28, DataType.FP8_E4M3.cudaCode());
        assertEquals(10, DataType.INT32.cudaCode());
    }
}
