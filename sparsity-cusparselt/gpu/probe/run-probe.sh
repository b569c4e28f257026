#!/usr/bin/env bash
# Misuse probe of sparsity-cusparselt's public API, for the GPU machine (no Java/Maven needed):
#   bash .gpu-bundle/probe/run-probe.sh <output folder> [case...]      (default: every case)
# (packed there by sparsity-cusparselt/gpu/pack.sh from gpu/probe/MisuseProbe.java and this script)
# 1. builds the JNI glue exactly as ../run.sh does (same g++ command, same CUSPARSELT_HOME / CUDA_HOME
#    lookup), unless native/lib/libjniCusparseLt.so is already there (e.g. after run.sh);
# 2. runs each case of org.sparsity4j.probe.MisuseProbe (probe.jar) in its own JVM, with the
#    bundle's jre/ and run.sh's JVM options, under its own time limit (SIGQUIT -> thread dump,
#    SIGKILL 5 s later); appends its one result line to <out>/probe-results.txt; a JVM that dies,
#    hangs or prints no result adds "CASE <name>: CRASH exit=<code> ..." and its stderr tail there;
#    hs_err files go to <out>/probe-hs_err/, full per-case stdout/stderr to <out>/probe-logs/.
# Knobs: PROBE_CASE_TIMEOUT_S (default 60), PROBE_DEADLINE_S (seconds from start after which no new
# case starts, default 330), PROBE_XMX (default 4g), PROBE_JAVA_OPTS (extra JVM options, e.g.
# -Xcheck:jni), PROBE_CLASSPATH (replaces the class path; only for testing the script off the GPU).
set -uo pipefail
P=$(cd "$(dirname "$0")" && pwd)
B=$(dirname "$P")
OUT=$(mkdir -p "${1:?usage: run-probe.sh <output folder> [case...]}" && cd "$1" && pwd)
shift
START=$(date +%s)
DEADLINE=$(( START + ${PROBE_DEADLINE_S:-330} ))
CASE_T=${PROBE_CASE_TIMEOUT_S:-60}
RES="$OUT/probe-results.txt"
HS="$OUT/probe-hs_err"
LOGS="$OUT/probe-logs"
mkdir -p "$HS" "$LOGS"
: > "$RES"
ulimit -c 0 2>/dev/null || true

# --- the glue, as run.sh builds it
CSL=${CUSPARSELT_HOME:-$(python3 -c 'import nvidia.cusparselt as m; print(list(m.__path__)[0])' 2>/dev/null)}
CUDA=${CUDA_HOME:-/usr/local/cuda}
echo "# probe $(date -u) on $(hostname); cuSPARSELt at ${CSL:-?}; CUDA at $CUDA" | tee -a "$RES"
echo "# gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)" | tee -a "$RES"
mkdir -p "$B/native/lib"
if [ ! -f "$B/native/lib/libjniCusparseLt.so" ]; then
    if [ -f "$CSL/include/cusparseLt.h" ]; then
        echo "== building libjniCusparseLt.so"
        g++ -std=c++11 -O2 -fPIC -shared -w -I"$B/native/include" -I"$B/native/include/linux" -I"$CSL/include" \
            -I"$CUDA/include" "$B/native/jniCusparseLt.cpp" "$B/native/jnijavacpp.cpp" -o "$B/native/lib/libjniCusparseLt.so" \
            -L"$CSL/lib" -l:libcusparseLt.so.0 -L"$CUDA/lib64" -lcudart -Wl,-rpath,"$CSL/lib" -Wl,-rpath,"$CUDA/lib64" \
            || echo "# glue build FAILED: GPU cases will report SETUP-FAILED" | tee -a "$RES"
    else
        echo "# cusparseLt.h not found under ${CSL:-?}/include: glue not built, GPU cases will report SETUP-FAILED" | tee -a "$RES"
    fi
fi
echo "# glue ready after $(( $(date +%s) - START )) s" | tee -a "$RES"

JAVA="$B/jre/bin/java"
CP=${PROBE_CLASSPATH:-$(ls "$B"/lib/*.jar | grep -v junit-platform-console | tr '\n' ':')"$P/probe.jar"}
JOPTS=(-Dsparsity.cusparselt.jniDir="$B/native/lib" -Dsparsity.cusparselt.home="$CSL" -Xmx"${PROBE_XMX:-4g}"
       -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss2m ${PROBE_JAVA_OPTS:-})
MAIN=org.sparsity4j.probe.MisuseProbe

timeout -k 5 60 "$JAVA" "${JOPTS[@]}" -cp "$CP" $MAIN info 2>&1 | sed 's/^/# info: /' | tee -a "$RES"
if [ $# -gt 0 ]; then
    CASES=("$@")
else
    mapfile -t CASES < <("$JAVA" -cp "$CP" $MAIN list)
fi
echo "# ${#CASES[@]} cases, limit ${CASE_T} s each, deadline $(( DEADLINE - START )) s from start" | tee -a "$RES"

for c in "${CASES[@]}"; do
    left=$(( DEADLINE - $(date +%s) ))
    if [ "$left" -le 3 ]; then
        echo "CASE $c: SKIPPED (probe deadline reached)" | tee -a "$RES"
        continue
    fi
    t=$CASE_T
    [ "$t" -gt "$left" ] && t=$left
    wd=$(mktemp -d)
    t0=$(date +%s)
    (cd "$wd" && exec timeout -s QUIT -k 5 "$t" "$JAVA" "${JOPTS[@]}" -XX:ErrorFile="$HS/hs_err_${c}_%p.log" \
        -cp "$CP" $MAIN "$c") > "$LOGS/$c.out" 2> "$LOGS/$c.err"
    rc=$?
    line=$(grep -m1 -F "CASE $c: " "$LOGS/$c.out")
    [ -n "$line" ] && echo "$line" | tee -a "$RES"
    if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
        why=""
        { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && why=" (TIMEOUT: limit ${t} s)"
        [ -n "$line" ] && why="$why (after printing its result line)"
        [ -z "$line" ] && [ "$rc" -eq 0 ] && why=" (exited 0 without a result line)"
        echo "CASE $c: CRASH exit=$rc$why" | tee -a "$RES"
        { echo "    | stderr tail:"; tail -n 25 "$LOGS/$c.err" | sed 's/^/    | /'; } >> "$RES"
        if [ -n "$why" ] && grep -q '^"main"' "$LOGS/$c.out"; then
            { echo "    | main thread at the limit:"; grep -A 14 '^"main"' "$LOGS/$c.out" | sed 's/^/    | /'; } >> "$RES"
        else
            { echo "    | stdout tail:"; tail -n 12 "$LOGS/$c.out" | sed 's/^/    | /'; } >> "$RES"
        fi
        for f in "$HS"/hs_err_"${c}"_*.log; do
            [ -f "$f" ] && { echo "    | $(basename "$f"):"; grep -A 3 -m1 'Problematic frame' "$f" | sed 's/^/    | /';
                grep -A 12 -m1 '^Native frames' "$f" | sed 's/^/    | /'; } >> "$RES"
        done
    fi
    # hs_err files the JVM wrote into its working directory instead of -XX:ErrorFile
    for f in "$wd"/hs_err*.log "$wd"/core*; do
        [ -f "$f" ] && cp "$f" "$HS/${c}_$(basename "$f")"
    done
    rm -rf "$wd"
    echo "    $c: ${rc} in $(( $(date +%s) - t0 )) s" >> "$LOGS/timings.txt"
done

echo "# summary ($(( $(date +%s) - START )) s):" | tee -a "$RES"
grep '^CASE ' "$RES" | awk '{print $3}' | sort | uniq -c | sed 's/^/#   /' | tee -a "$RES"
ls "$HS" 2>/dev/null | sed 's/^/# hs_err: /' | tee -a "$RES"
exit 0
