package org.sparsity4j.core.mask;

/** How a mask was chosen. */
public enum MaskKind {
    /** 1-D: the N largest of every group of M along one axis. */
    STRIP,
    /** 2-D transposable: every 4×4 tile keeps exactly 2 per row and 2 per column (2:4 both ways). */
    TILE
}
