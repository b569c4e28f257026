package org.sparsity4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * DJL and ND4J are optional: the core classes, pruning of plain arrays included, load and run in a
 * class loader that sees only this module's classes and the JDK.
 */
class WithoutFrameworksTest {

    @Test
    void coreLoadsAndPrunesWithNeitherDjlNorNd4jOnTheClassPath() throws Exception {
        URL classes = WeightPruner.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.nn.Block", false, loader));
            assertThrows(ClassNotFoundException.class,
                    () -> Class.forName("org.nd4j.linalg.api.ndarray.INDArray", false, loader));

            Class<?> optionsType = Class.forName("org.sparsity4j.core.training.PruneOptions", true, loader);
            Class<?> shapeType = Class.forName("org.sparsity4j.core.tensor.Shape", true, loader);
            Class<?> pruner = Class.forName("org.sparsity4j.core.training.WeightPruner", true, loader);
            assertTrue(pruner.getClassLoader() == loader);
            Object options = optionsType.getMethod("twoOfFour").invoke(null);
            Object shape = shapeType.getMethod("of", long[].class).invoke(null, (Object) new long[] {2, 8});
            float[] w = {1, -5, 2, 4, 0.5f, 0.25f, -3, 3, 9, 8, 7, 6, 1, 2, 3, 4};
            Method prune = pruner.getMethod("prune", String.class, String.class, float[].class, shapeType, int.class,
                    int.class, optionsType);
            Object outcome = prune.invoke(null, "w", "plain", w, shape, 1, 0, options);
            Object mask = outcome.getClass().getMethod("mask").invoke(outcome);
            assertEquals(8L, mask.getClass().getMethod("keptCount").invoke(mask));
            assertEquals(0f, w[0]);
            assertEquals(-5f, w[1]);

            Class<?> maskSet = Class.forName("org.sparsity4j.core.training.MaskSet", true, loader);
            Object set = maskSet.getMethod("of", java.util.Collection.class).invoke(null, java.util.List.of(mask));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            maskSet.getMethod("writeTo", OutputStream.class).invoke(set, out);
            assertTrue(out.size() > 8);
        }
    }
}
