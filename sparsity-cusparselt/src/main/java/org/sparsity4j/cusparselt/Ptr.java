package org.sparsity4j.cusparselt;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.cuda.cudart.CUstream_st;

/** A JavaCPP pointer over a raw address that this class never frees (device memory, streams). */
final class Ptr extends Pointer {

    Ptr(long address) {
        this.address = address;
    }

    /**
     * Points this (reusable) object at another address, so a hot path passes addresses without
     * allocating.
     *
     * @param newAddress the address
     * @return this
     */
    Ptr at(long newAddress) {
        this.address = newAddress;
        return this;
    }

    /** Stream argument for JavaCPP calls; null for the legacy default stream (address 0). */
    static CUstream_st stream(long handle) {
        return handle == 0 ? null : new CUstream_st(new Ptr(handle));
    }

    static long addressOf(Pointer p) {
        return p == null ? 0 : p.address();
    }
}
