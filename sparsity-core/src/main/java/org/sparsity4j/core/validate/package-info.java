/**
 * Validation of tensors against N:M patterns (strip along one axis, transposable 2:4 along two),
 * reporting violating groups with their coordinates.
 */
package org.sparsity4j.core.validate;
