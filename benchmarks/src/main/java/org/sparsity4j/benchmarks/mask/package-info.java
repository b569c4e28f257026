/** JMH benchmarks of the core mask kernels, each against a plain copy measured in the same run. */
package org.sparsity4j.benchmarks.mask;
