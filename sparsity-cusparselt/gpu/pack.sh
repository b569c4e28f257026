#!/usr/bin/env bash
# Packs everything a GPU run needs into one folder that can be copied to a machine with a GPU,
# CUDA 13 and cuSPARSELt 0.8 but no Java or Maven:
#   jre/        a jlinked Java 17 runtime (only the modules the run needs, compressed)
#   lib/        our jars, JavaCPP, bytedeco's CUDA presets (with only the cudart and cuBLAS JNI
#               libraries of the platform jar), the JUnit console launcher
#   test-classes/ the module's tests;  bench/ the GPU benchmark driver and the C++ reference
#   native/     the generated JNI source jniCusparseLt.cpp and the JDK's jni.h headers
#   run.sh      builds the glue with g++ there, runs the GPU tests and the benchmark
#   probe/      the misuse probe of the public API (probe/run-probe.sh <out> there)
# usage: sparsity-cusparselt/gpu/pack.sh [destination]   (default: <repo>/.gpu-bundle, ignored by git)
set -euo pipefail
GPU=$(cd "$(dirname "$0")" && pwd)
MOD=$(dirname "$GPU")
ROOT=$(dirname "$MOD")
DEST=${1:-$ROOT/.gpu-bundle}
JDK=${JDK17_HOME:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}}
"$JDK/bin/java" -version 2>&1 | head -1 | grep -q '"17' || { echo "need a JDK 17 with jmods (set JDK17_HOME)" >&2; exit 1; }
JUNIT_CONSOLE=org.junit.platform:junit-platform-console-standalone:1.11.3
cd "$ROOT"
./mvnw -B -o -q -pl sparsity-cusparselt -am install -DskipTests
./mvnw -B -o -q -pl sparsity-cusparselt test-compile
rm -rf "$DEST"
mkdir -p "$DEST"/{lib,native/include/linux,bench,test-classes}
STAGE=$(mktemp -d)
./mvnw -B -q -pl sparsity-cusparselt dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$STAGE/deps"
./mvnw -B -q dependency:copy -Dartifact=$JUNIT_CONSOLE -DoutputDirectory="$STAGE/junit"
for j in "$STAGE"/deps/*.jar; do
    case "$(basename "$j")" in
        cuda-*-linux-x86_64.jar)
            # keep only the JNI libraries this module uses (cudart, cuBLAS); the rest is ~30 MB
            mkdir -p "$STAGE/cudamin"
            (cd "$STAGE/cudamin" && unzip -q "$j" 'org/bytedeco/cuda/linux-x86_64/libjnicudart.so' \
                'org/bytedeco/cuda/linux-x86_64/libjnicublas.so' && jar cf "$DEST/lib/$(basename "$j" .jar)-cudart-cublas.jar" org)
            ;;
        *) cp "$j" "$DEST/lib/" ;;
    esac
done
cp "$MOD"/target/sparsity-cusparselt-*.jar "$DEST/lib/"
cp -r "$MOD"/target/test-classes/. "$DEST/test-classes/"
cp "$STAGE"/junit/*.jar "$DEST/lib/junit-platform-console-standalone.jar"
# the benchmark driver lives in benchmarks/src/gpu/java and is compiled here against the jars
CP=$(ls "$DEST"/lib/*.jar | grep -v junit-platform-console | tr '\n' ':')
"$JDK/bin/javac" --release 17 -d "$STAGE/benchcls" -cp "$CP" "$ROOT"/benchmarks/src/gpu/java/org/sparsity4j/benchmarks/gpu/*.java
(cd "$STAGE/benchcls" && "$JDK/bin/jar" cf "$DEST/lib/sparsity-benchmarks-gpu.jar" .)
cp "$GPU/bench_cusparselt.cpp" "$GPU/probe_plans.cpp" "$GPU/merge_results.py" "$GPU/compare_fixed.py" "$DEST/bench/"
cp "$GPU/run.sh" "$DEST/run.sh"
# the misuse probe of the public API (gpu/probe; run there with probe/run-probe.sh <out>)
mkdir -p "$STAGE/probecls" "$DEST/probe"
"$JDK/bin/javac" --release 17 -d "$STAGE/probecls" -cp "$CP" "$GPU"/probe/MisuseProbe.java
(cd "$STAGE/probecls" && "$JDK/bin/jar" cf "$DEST/probe/probe.jar" .)
cp "$GPU/probe/run-probe.sh" "$DEST/probe/run-probe.sh"
# JNI source for the cuSPARSELt glue (compiled on the GPU machine by run.sh)
"$JDK/bin/java" -cp "$CP" org.bytedeco.javacpp.tools.Builder -nocompile -cp "$MOD/target/classes" \
    -d "$STAGE/cpp" 'org.sparsity4j.cusparselt.gen.**' > "$STAGE/builder.log"
cp "$STAGE/cpp/jniCusparseLt.cpp" "$STAGE/cpp/jnijavacpp.cpp" "$DEST/native/"
cp "$JDK/include/jni.h" "$DEST/native/include/"
cp "$JDK/include/linux/jni_md.h" "$DEST/native/include/linux/"
# the smallest runtime that runs JavaCPP, the API, the benchmark and the JUnit console launcher
MODS=$("$JDK/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 -q \
    --class-path "$CP" "$DEST"/lib/*.jar "$DEST/test-classes" 2>/dev/null | tail -1)
MODS="$MODS,java.logging,java.xml,jdk.unsupported,java.management,jdk.zipfs"
"$JDK/bin/jlink" --add-modules "$MODS" --compress=2 --strip-debug --no-header-files --no-man-pages \
    --output "$DEST/jre"
rm -rf "$STAGE"
echo "modules: $MODS"
du -sh "$DEST" "$DEST"/*
