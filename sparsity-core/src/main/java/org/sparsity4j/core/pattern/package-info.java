/**
 * N:M sparsity patterns: the hardware-accelerated 2:4 and 1:2, and general N:M.
 */
package org.sparsity4j.core.pattern;
