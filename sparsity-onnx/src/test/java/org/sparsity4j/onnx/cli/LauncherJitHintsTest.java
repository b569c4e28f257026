package org.sparsity4j.onnx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code sparsity} launcher names methods and packages of the core in JIT hints
 * ({@code -XX:CompileCommand}); the JVM ignores a hint whose method does not exist, silently. This test
 * fails instead when a rename leaves a hint pointing at nothing.
 */
class LauncherJitHintsTest {
    private static final Pattern HINT = Pattern.compile(
            "-XX:CompileCommand=(\\w+),(org\\.sparsity4j\\.[\\w.]+?)\\.?(\\*|[A-Z]\\w*)::(\\*|\\w+)");

    @Test
    void everyMethodAndPackageTheLauncherNamesExists() throws IOException, ClassNotFoundException {
        Path launcher = Path.of("..", "sparsity");
        assertTrue(Files.isRegularFile(launcher), "the launcher at " + launcher.toAbsolutePath());
        String script = Files.readString(launcher, StandardCharsets.UTF_8);
        Matcher m = HINT.matcher(script);
        List<String> checked = new ArrayList<>();
        // a command the JVM does not know is printed on stdout (JDK 17, even with quiet; the --json
        // output would break) or stops the JVM (JDK 25): only these, and quiet before any of them
        List<String> known = List.of("dontinline", "CompileThresholdScaling");
        int quiet = script.indexOf("-XX:CompileCommand=quiet");
        assertTrue(quiet >= 0, "the launcher passes -XX:CompileCommand=quiet");
        while (m.find()) {
            assertTrue(known.contains(m.group(1)), "unknown command in " + m.group());
            assertTrue(quiet < m.start(), "quiet comes after " + m.group());
            String pkg = m.group(2);
            String cls = m.group(3);
            String method = m.group(4);
            if (cls.equals("*")) {
                assertNotNull(getClass().getClassLoader().getResource(pkg.replace('.', '/')),
                        "package " + pkg + " named by " + m.group());
            } else {
                Class<?> c = Class.forName(pkg + "." + cls);
                if (!method.equals("*")) {
                    assertTrue(Arrays.stream(c.getDeclaredMethods()).map(Method::getName).anyMatch(method::equals),
                            c.getName() + " has no method " + method + " (named by " + m.group() + ")");
                }
            }
            checked.add(m.group());
        }
        // the hints of today's launcher: a test that checks nothing would pass whatever it names
        assertEquals(3, checked.size(), "hints found: " + checked);
    }

    @Test
    void theOnnxBenchmarkPassesTheSameHintsToTheJvmsItStarts() throws IOException {
        Pattern any = Pattern.compile("-XX:CompileCommand=[^\"'\\s)]+");
        Set<String> launcher = all(any, Files.readString(Path.of("..", "sparsity"), StandardCharsets.UTF_8));
        Set<String> benchmark = all(any, Files.readString(Path.of("..", "benchmarks", "src", "main", "java", "org",
                "sparsity4j", "benchmarks", "onnx", "OnnxPruneBenchmark.java"), StandardCharsets.UTF_8));
        assertEquals(4, launcher.size(), "launcher hints: " + launcher);
        assertEquals(launcher, benchmark);
    }

    private static Set<String> all(Pattern p, String text) {
        Set<String> found = new TreeSet<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }
}
