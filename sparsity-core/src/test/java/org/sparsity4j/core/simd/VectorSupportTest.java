package org.sparsity4j.core.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SIMD choice: in this JVM (started with the module, as the build does) and in child JVMs
 * without the module and with {@code -Dsparsity.simd=false}.
 */
class VectorSupportTest {

    @Test
    void thisJvmUsesSimdExactlyWhenTheHardwareHas256BitVectors() {
        assumeFalse("false".equalsIgnoreCase(System.getProperty("sparsity.simd")), "SIMD turned off");
        int bits = VectorWidth.preferredBits();
        assertEquals(bits >= 256, VectorSupport.enabled(), VectorSupport.describe());
        assertTrue(VectorSupport.describe().startsWith(bits >= 256 ? "SIMD kernels on" : "SIMD kernels off: "
                + "preferred vector size is " + bits), VectorSupport.describe());
    }

    @Test
    void withoutTheModuleOrWithThePropertyOffTheScalarKernelsRun() throws IOException, InterruptedException {
        assertEquals("false SIMD kernels off: module jdk.incubator.vector not present (start the JVM with "
                + "--add-modules jdk.incubator.vector)", child(List.of()));
        assertEquals("false SIMD kernels off: -Dsparsity.simd=false",
                child(List.of("--add-modules", "jdk.incubator.vector", "-Dsparsity.simd=FALSE")));
    }

    private static String child(List<String> jvmArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(VectorSupportTest.class.getName());
        Process process = new ProcessBuilder(command).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("child JVM " + jvmArgs + " failed: " + err);
        }
        return out.trim();
    }

    /**
     * Run in the child JVMs: prints the choice and its description.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        System.out.println(VectorSupport.enabled() + " " + VectorSupport.describe());
    }
}
