#!/usr/bin/env bash
# Runs on the GPU machine, inside the folder pack.sh produced:
#   run.sh <output folder> [all|tests|bench] [benchmark types...]
# 1. builds the JNI glue libjniCusparseLt.so with g++ against cuSPARSELt (CUSPARSELT_HOME, else the
#    Python wheel nvidia/cusparselt) and the CUDA runtime (CUDA_HOME, else /usr/local/cuda);
# 2. runs the module's tests with the JUnit console launcher, GPU tests required
#    (-Dsparsity.requireGpu=true), one JVM per test class (MatmulGpuTest: one per method) under its
#    own time limit, so a crash or a hang costs one entry: on the limit the JVM first gets SIGQUIT
#    (thread dump into the log), then SIGKILL. Per-JVM results go to tests-summary.txt, the full
#    output to gpu-tests.log, JUnit XML reports and any hs_err files to diag/ (packed as diag.tgz);
# 3. builds and runs the C++ reference benchmark and the Java benchmark (searched in Java, and with
#    the configurations the C++ search chose), and merges them into cusparselt.md.
# Knobs (environment): DEADLINE_S (seconds from start after which no new step starts, default 540),
# PLAN_CYCLES (default 100000), TEST_STEPS (space-separated step names, default all),
# JAVA_BENCH_MODES (default "algs cppfixed algs2 cppfixed2 search": Java with the C++ search's
# configurations, C++ again with those configurations and no search, a second round of both, Java's own
# search), JAVA_SEARCH_TYPES (types for the search mode, default
# the benchmark types), BENCH_FIRST=1 (benchmark before tests), PROBE=0 (skip the plan probe).
set -uo pipefail
B=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:?usage: run.sh <output folder> [all|tests|bench] [types...]}" && cd "$1" && pwd)
WHAT=${2:-all}
shift $(( $# >= 2 ? 2 : $# ))
TYPES=("$@")
START=$(date +%s)
DEADLINE=$(( START + ${DEADLINE_S:-540} ))
LOG="$OUT/run.log"
TLOG="$OUT/gpu-tests.log"
SUM="$OUT/tests-summary.txt"
DIAG="$OUT/diag"
mkdir -p "$DIAG"
exec > >(tee -a "$LOG") 2>&1
CSL=${CUSPARSELT_HOME:-$(python3 -c 'import nvidia.cusparselt as m; print(list(m.__path__)[0])' 2>/dev/null)}
CUDA=${CUDA_HOME:-/usr/local/cuda}
echo "== $(date -u) on $(hostname); cuSPARSELt at $CSL; CUDA at $CUDA"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
test -f "$CSL/include/cusparseLt.h" || { echo "cusparseLt.h not found under $CSL/include"; exit 1; }
mkdir -p "$B/native/lib" "$B/bin"
if [ ! -f "$B/native/lib/libjniCusparseLt.so" ]; then
    echo "== building libjniCusparseLt.so"
    g++ -std=c++11 -O2 -fPIC -shared -w -I"$B/native/include" -I"$B/native/include/linux" -I"$CSL/include" \
        -I"$CUDA/include" "$B/native/jniCusparseLt.cpp" "$B/native/jnijavacpp.cpp" -o "$B/native/lib/libjniCusparseLt.so" \
        -L"$CSL/lib" -l:libcusparseLt.so.0 -L"$CUDA/lib64" -lcudart -Wl,-rpath,"$CSL/lib" -Wl,-rpath,"$CUDA/lib64" \
        || { echo "glue build failed"; exit 1; }
fi
JAVA="$B/jre/bin/java"
CP=$(ls "$B"/lib/*.jar | grep -v junit-platform-console | tr '\n' ':')
JOPTS=(-Dsparsity.cusparselt.jniDir="$B/native/lib" -Dsparsity.cusparselt.home="$CSL" -Xmx8g)
"$JAVA" -version 2>&1 | head -1
RC=0

left() { echo $(( DEADLINE - $(date +%s) )); }

# limited <seconds> <command...>: runs under min(seconds, time left); SIGQUIT first (thread dump), SIGKILL 8 s later
# (LIMIT_SIGNAL=TERM for commands whose stdout is data, such as the Java benchmark's CSV)
limited() {
    local t=$1; shift
    local l; l=$(left)
    if [ "$l" -le 5 ]; then echo "skipped (deadline): $*" | head -c 200; echo; return 125; fi
    [ "$t" -gt "$l" ] && t=$l
    timeout -s "${LIMIT_SIGNAL:-QUIT}" -k 8 "$t" "$@"
}

# jtest <name> <seconds> <JUnit selectors...>: one JVM, one line in tests-summary.txt
jtest() {
    local name=$1 t=$2; shift 2
    local t0; t0=$(date +%s)
    echo "=== $name: $(date -u +%T) limit ${t}s" >> "$TLOG"
    limited "$t" "$JAVA" "${JOPTS[@]}" -XX:ErrorFile="$DIAG/hs_err_${name}_%p.log" -Dsparsity.requireGpu=true \
        -Dsparsity.cusparselt.planCycles="${PLAN_CYCLES:-100000}" -jar "$B/lib/junit-platform-console-standalone.jar" \
        execute --class-path "$CP$B/test-classes" "$@" --details=tree --details-theme=ascii --disable-banner --disable-ansi-colors \
        --reports-dir="$DIAG/junit-$name" > "$DIAG/$name.log" 2>&1
    local rc=$?
    cat "$DIAG/$name.log" >> "$TLOG"
    local ok fail ab sk
    ok=$(grep -Eo '[0-9]+ tests successful' "$DIAG/$name.log" | grep -Eo '^[0-9]+' || echo '?')
    fail=$(grep -Eo '[0-9]+ tests failed' "$DIAG/$name.log" | grep -Eo '^[0-9]+' || echo '?')
    ab=$(grep -Eo '[0-9]+ tests aborted' "$DIAG/$name.log" | grep -Eo '^[0-9]+' || echo '?')
    sk=$(grep -Eo '[0-9]+ tests skipped' "$DIAG/$name.log" | grep -Eo '^[0-9]+' || echo '?')
    local how=exit
    [ $rc -eq 124 ] || [ $rc -eq 137 ] && how=TIMEOUT
    [ $rc -eq 125 ] && how=SKIPPED
    printf '%-58s rc=%-3s %-7s successful=%s failed=%s aborted=%s skipped=%s %ss\n' "$name" "$rc" "$how" "$ok" "$fail" \
        "$ab" "$sk" "$(( $(date +%s) - t0 ))" | tee -a "$SUM"
    [ $rc -ne 0 ] && RC=1
    return 0
}

M=org.sparsity4j.cusparselt.MatmulGpuTest
DT=org.sparsity4j.cusparselt.DataType,org.sparsity4j.cusparselt.DataType
run_probe() {
    # which type/layout combinations cuSPARSELt plans, refuses, or never returns from (PlanInit)
    echo "== plan probe $(date -u +%T)"
    g++ -std=c++17 -O1 -I"$CSL/include" -I"$CUDA/include" "$B/bench/probe_plans.cpp" -o "$B/bin/probe_plans" \
        -L"$CSL/lib" -l:libcusparseLt.so.0 -L"$CUDA/lib64" -lcudart -lpthread -Wl,-rpath,"$CSL/lib" \
        -Wl,-rpath,"$CUDA/lib64" || { echo "probe build failed"; return; }
    limited "${PROBE_TIMEOUT:-40}" "$B/bin/probe_plans" > "$DIAG/probe-plans.csv" 2> "$DIAG/probe-plans.err"
    echo "probe exit $?; results (count result):"
    tail -n +2 "$DIAG/probe-plans.csv" | awk -F, '{print $1"->"$2" "$10}' | sed 's/:.*//' | sort | uniq -c
    echo "probe: not OK, by combination (HANG and refusals):"
    grep -v ',OK$' "$DIAG/probe-plans.csv" | head -400
}

run_tests() {
    echo "== GPU tests $(date -u +%T) (one JVM per entry; details in gpu-tests.log)"
    local steps=${TEST_STEPS:-"searched saved matmul-other fp32 gelu bias combos dense fallback rest planfree prune lifecycle"}
    for s in $steps; do
        case $s in
            searched) jtest MatmulGpuTest.searched 60 --select-method="$M#searchedPlanMatchesReferenceOnAFreshlyCompressedOperand" ;;
            saved) jtest MatmulGpuTest.savedAlgorithm 60 --select-method="$M#planFromASavedAlgorithmReproducesTheSearchedPlan" ;;
            matmul-other) jtest MatmulGpuTest.small-methods 60 --select-method="$M#reluEpilogueClampsNegativeResults" \
                --select-method="$M#cachedPlanIsReusedAndReplacedOnceClosed" \
                --select-method="$M#compressedBytesRoundTripThroughHostUpload" --select-method="$M#workOnACallerStream" ;;
            fp32) jtest MatmulGpuTest.fp32 25 --select-method="$M#fp32OneToTwoInTheCanonicalLayout" ;;
            gelu) jtest MatmulGpuTest.gelu 40 --select-method="$M#geluEpilogueMatchesTheTanhApproximationWhereOffered($DT)" ;;
            combos) jtest MatmulGpuTest.everyCombinationAndLayout 120 --select-method="$M#matchesFloat64ReferenceForEveryLayout($DT)" ;;
            dense) jtest MatmulGpuTest.denseCublas 60 --select-method="$M#denseCublasPathMatchesReferenceForEveryLayout($DT)" ;;
            fallback) jtest MatmulGpuTest.denseFallback 90 --select-method="$M#denseFallbackDecidesOnMeasuredTimesAndStaysCorrect" \
                --select-method="$M#searchedDenseFallbackTimesTheSearchedKernelAndStaysCorrect" ;;
            bias) jtest MatmulGpuTest.bias 90 --select-method="$M#biasEpilogueAddsOneValuePerRowForEveryCombination($DT)" \
                --select-method="$M#biasVectorCanChangeBetweenProductsOfOnePlan" ;;
            planfree) jtest PlanFreeGpuTest 90 --select-class=org.sparsity4j.cusparselt.PlanFreeGpuTest ;;
            matmul) jtest MatmulGpuTest 240 --select-class="$M" ;;
            prune) jtest PruneGpuTest 90 --select-class=org.sparsity4j.cusparselt.PruneGpuTest ;;
            lifecycle) jtest LifecycleGpuTest 150 --select-class=org.sparsity4j.cusparselt.LifecycleGpuTest ;;
            rest) jtest CompressorGpuTest+AvailabilityTest+MatmulSpecTest 40 --select-class=org.sparsity4j.cusparselt.CompressorGpuTest \
                --select-class=org.sparsity4j.cusparselt.AvailabilityTest --select-class=org.sparsity4j.cusparselt.MatmulSpecTest ;;
            all-in-one) jtest all-classes 300 --select-package=org.sparsity4j.cusparselt ;;
        esac
    done
    echo "== test summary"; cat "$SUM"
}

run_bench() {
    echo "== building the C++ reference benchmark $(date -u +%T)"
    nvcc -O2 -std=c++17 -I"$CSL/include" "$B/bench/bench_cusparselt.cpp" -o "$B/bin/bench_cusparselt" \
        -L"$CSL/lib" -l:libcusparseLt.so.0 -lcublasLt -Xlinker -rpath="$CSL/lib" || { echo "bench build failed"; RC=1; return; }
    echo "== C++ benchmark $(date -u +%T)"
    limited "${CPP_BENCH_TIMEOUT:-120}" "$B/bin/bench_cusparselt" "${TYPES[@]}" > "$OUT/bench-cpp.csv" 2> "$DIAG/bench-cpp.err"
    echo "C++ exit $?"; cat "$OUT/bench-cpp.csv"; head -c 1000 "$DIAG/bench-cpp.err"
    local mdmode=""
    # modes run in the order given; a trailing digit repeats a mode (algs2: a second Java round)
    for mode in ${JAVA_BENCH_MODES:-algs cppfixed algs2 cppfixed2 search}; do
        local kind=${mode%%[0-9]*} round=${mode##*[a-z]}
        local suffix=-${round:-1}
        if [ "$kind" = cppfixed ]; then
            echo "== C++ benchmark, configurations of the search run, no search $(date -u +%T)"
            limited "${CPP_BENCH_TIMEOUT:-120}" "$B/bin/bench_cusparselt" --algs="$OUT/bench-cpp.csv" "${TYPES[@]}" \
                > "$OUT/bench-cpp-fixed$suffix.csv" 2> "$DIAG/bench-cpp-fixed$suffix.err"
            echo "C++ fixed exit $?"; cat "$OUT/bench-cpp-fixed$suffix.csv"; head -c 1000 "$DIAG/bench-cpp-fixed$suffix.err"
            continue
        fi
        local arg="" csv="$OUT/bench-java.csv" types=("${TYPES[@]}")
        [ "$kind" = search ] && [ -n "${JAVA_SEARCH_TYPES:-}" ] && read -r -a types <<< "$JAVA_SEARCH_TYPES"
        [ "$kind" = algs ] && { arg="--algs=$OUT/bench-cpp.csv"; csv="$OUT/bench-java-cppalgs$suffix.csv"; }
        [ "$kind" = nosearch ] && { arg="--nosearch"; csv="$DIAG/bench-java-nosearch.csv"; }
        echo "== Java benchmark, mode $mode $(date -u +%T)"
        LIMIT_SIGNAL=TERM limited "${JAVA_BENCH_TIMEOUT:-120}" "$JAVA" "${JOPTS[@]}" -XX:ErrorFile="$DIAG/hs_err_bench_${mode}_%p.log" \
            -cp "$CP" org.sparsity4j.benchmarks.gpu.CusparseLtGpuBenchmark $arg "${types[@]}" > "$csv" 2> "$DIAG/bench-java-$mode.err"
        echo "Java benchmark mode $mode exit $?"; head -c 1500 "$DIAG/bench-java-$mode.err"; cat "$csv"
    done
    python3 "$B/bench/compare_fixed.py" "$OUT"/bench-cpp-fixed*.csv -- "$OUT"/bench-java-cppalgs*.csv > "$OUT/java-vs-cpp.md"
    cat "$OUT/java-vs-cpp.md"
    python3 "$B/bench/merge_results.py" "$OUT/bench-cpp.csv" "$OUT/bench-java.csv" \
        "$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)" "searched in Java" \
        "$OUT/bench-java-cppalgs-1.csv" > "$OUT/cusparselt.md"
    cat "$OUT/cusparselt.md"
}

[ "${PROBE:-1}" = 1 ] && run_probe
if [ "${BENCH_FIRST:-0}" = 1 ]; then
    { [ "$WHAT" = all ] || [ "$WHAT" = bench ]; } && run_bench
    { [ "$WHAT" = all ] || [ "$WHAT" = tests ]; } && run_tests
else
    { [ "$WHAT" = all ] || [ "$WHAT" = tests ]; } && run_tests
    { [ "$WHAT" = all ] || [ "$WHAT" = bench ]; } && run_bench
fi
(cd "$OUT" && tar czf diag.tgz diag && rm -rf diag)
echo "== done $(date -u +%T), $(( $(date +%s) - START )) s, exit $RC"
exit $RC
