/**
 * The JavaCPP preset that describes {@code cusparseLt.h}; used to generate the internal bindings in
 * {@code org.sparsity4j.cusparselt.gen}. Not an API for users.
 */
package org.sparsity4j.cusparselt.presets;
