#!/usr/bin/env bash
# Runs on the GPU machine, inside the folder pack.sh produced:
#   run.sh <output folder> [all|tests|bench] [benchmark types...]
# 1. builds the JNI glue libjniCusparseLt.so with g++ against cuSPARSELt (CUSPARSELT_HOME, else the
#    Python wheel nvidia/cusparselt) and the CUDA runtime (CUDA_HOME, else /usr/local/cuda);
# 2. runs the module's tests with the JUnit console launcher, GPU tests required
#    (-Dsparsity.requireGpu=true): log in gpu-tests.log, XML report in junit/;
# 3. builds and runs the C++ reference benchmark and the Java benchmark, and merges both into
#    cusparselt.md (bench-cpp.csv, bench-java.csv hold the raw numbers).
set -uo pipefail
B=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:?usage: run.sh <output folder> [all|tests|bench] [types...]}" && cd "$1" && pwd)
WHAT=${2:-all}
shift $(( $# >= 2 ? 2 : $# ))
TYPES=("$@")
LOG="$OUT/run.log"
exec > >(tee -a "$LOG") 2>&1
CSL=${CUSPARSELT_HOME:-$(python3 -c 'import nvidia.cusparselt as m; print(list(m.__path__)[0])' 2>/dev/null)}
CUDA=${CUDA_HOME:-/usr/local/cuda}
echo "== $(date -u) on $(hostname); cuSPARSELt at $CSL; CUDA at $CUDA"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
test -f "$CSL/include/cusparseLt.h" || { echo "cusparseLt.h not found under $CSL/include"; exit 1; }
mkdir -p "$B/native/lib" "$B/bin"
if [ ! -f "$B/native/lib/libjniCusparseLt.so" ]; then
    echo "== building libjniCusparseLt.so"
    time g++ -std=c++11 -O2 -fPIC -shared -w -I"$B/native/include" -I"$B/native/include/linux" -I"$CSL/include" \
        -I"$CUDA/include" "$B/native/jniCusparseLt.cpp" "$B/native/jnijavacpp.cpp" -o "$B/native/lib/libjniCusparseLt.so" \
        -L"$CSL/lib" -l:libcusparseLt.so.0 -L"$CUDA/lib64" -lcudart -Wl,-rpath,"$CSL/lib" -Wl,-rpath,"$CUDA/lib64" \
        || { echo "glue build failed"; exit 1; }
fi
JAVA="$B/jre/bin/java"
CP=$(ls "$B"/lib/*.jar | grep -v junit-platform-console | tr '\n' ':')
JOPTS=(-Dsparsity.cusparselt.jniDir="$B/native/lib" -Dsparsity.cusparselt.home="$CSL" -Xmx8g)
"$JAVA" -version
RC=0
if [ "$WHAT" = all ] || [ "$WHAT" = bench ]; then
    echo "== building the C++ reference benchmark"
    nvcc -O2 -std=c++17 -I"$CSL/include" "$B/bench/bench_cusparselt.cpp" -o "$B/bin/bench_cusparselt" \
        -L"$CSL/lib" -l:libcusparseLt.so.0 -lcublasLt -Xlinker -rpath="$CSL/lib" || { echo "bench build failed"; exit 1; }
    echo "== C++ benchmark"
    timeout "${CPP_BENCH_TIMEOUT:-130}" "$B/bin/bench_cusparselt" "${TYPES[@]}" > "$OUT/bench-cpp.csv"
    echo "C++ exit $?"; cat "$OUT/bench-cpp.csv"
    echo "== Java benchmark"
    # own stream + searched plan is the normal mode; the other modes run only if it fails, to show which part fails
    JMODE=none
    for mode in "" "--stream=default" "--stream=default --nosearch"; do
        timeout "${JAVA_BENCH_TIMEOUT:-50}" "$JAVA" "${JOPTS[@]}" -cp "$CP" org.sparsity4j.benchmarks.gpu.CusparseLtGpuBenchmark \
            $mode "${TYPES[@]}" > "$OUT/bench-java.csv" 2> "$OUT/bench-java.err"
        JRC=$?
        echo "Java benchmark mode '${mode:-own stream, searched}' exit $JRC"; head -c 1500 "$OUT/bench-java.err"
        if [ $JRC -eq 0 ]; then JMODE="${mode:-own stream, searched}"; break; fi
    done
    cat "$OUT/bench-java.csv"
    python3 "$B/bench/merge_results.py" "$OUT/bench-cpp.csv" "$OUT/bench-java.csv" \
        "$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)" "$JMODE" > "$OUT/cusparselt.md"
    cat "$OUT/cusparselt.md"
fi
if [ "$WHAT" = all ] || [ "$WHAT" = tests ]; then
    echo "== GPU tests"
    timeout "${TEST_TIMEOUT:-330}" "$JAVA" "${JOPTS[@]}" -Dsparsity.requireGpu=true \
        -Dsparsity.cusparselt.planCycles="${PLAN_CYCLES:-100000}" -jar "$B/lib/junit-platform-console-standalone.jar" \
        execute --class-path "$CP$B/test-classes" --select-package org.sparsity4j.cusparselt \
        --config=junit.jupiter.execution.timeout.default="${PER_TEST_TIMEOUT:-120s}" \
        --config=junit.jupiter.execution.timeout.thread.mode.default=SEPARATE_THREAD \
        --details=testfeed --details-theme=ascii --disable-banner > "$OUT/gpu-tests.log" 2>&1
    RC=$?
    tail -40 "$OUT/gpu-tests.log"
    echo "== tests exit code $RC"
fi
exit $RC
