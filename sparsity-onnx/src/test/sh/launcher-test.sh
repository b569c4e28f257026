#!/usr/bin/env bash
# Tests the `sparsity` launcher script (its class-data archive and AOT cache, exit codes and clean stdout) on a copy
# of it next to a copy of the built jar, in a temporary folder. Needs the jar that
# `./mvnw -B verify` (or package) builds, and the benchmark classes (for a larger model); .ci/run runs
# this after the Maven build.
# usage: bash sparsity-onnx/src/test/sh/launcher-test.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
jar="$root/sparsity-onnx/target/sparsity-cli.jar"
[[ -f "$jar" && -d "$root/benchmarks/target/classes" ]] || {
  echo "launcher-test: build the jar and the benchmarks first (./mvnw -B verify)" >&2
  exit 2
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sparsity-onnx/target"
cp "$root/sparsity" "$work/sparsity"
cp "$jar" "$work/sparsity-onnx/target/"
model="$root/examples/mlp.onnx"
target="$work/sparsity-onnx/target"
failures=0
check() { # check <description> <condition...>
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
valid_json() { python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }
archives() { find "$target" -name 'sparsity-cli-*.jsa' | wc -l; }
# signal_at <signal> <regex> <command...>: starts the command with default signal dispositions (a
# background job of this script would ignore INT), waits until a process whose command line matches
# the regex runs, sends the signal to the command, and prints its exit status
signal_at() {
  python3 - "$@" <<'PY'
import re, signal, subprocess, sys, time
sig, pattern, cmd = getattr(signal, sys.argv[1]), sys.argv[2], sys.argv[3:]
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
end = time.time() + 60
while p.poll() is None and time.time() < end:
    if subprocess.run(["pgrep", "-f", pattern], capture_output=True).returncode == 0:
        break
    time.sleep(0.01)
time.sleep(0.1)
p.send_signal(sig)
print(p.wait())
PY
}

# 1. help and the version record nothing (an archive of their few classes would serve a prune
# poorly); the first report records an archive, a later one maps it; stdout is the tool's output only
"$work/sparsity" --version > /dev/null 2>&1
"$work/sparsity" --help > /dev/null 2>&1
"$work/sparsity" prune --help > /dev/null 2>&1
"$work/sparsity" check "$model" -h > /dev/null 2>&1
"$work/sparsity" report "$model" -V > /dev/null 2>&1
"$work/sparsity" prune --version=yes > /dev/null 2>&1 || true
check "--version, --help, prune --help, check -h, report -V and --version=x record no archive" test "$(archives)" = 0
rc=0
"$work/sparsity" report "$model" --json > "$work/first.json" 2> "$work/first.err" || rc=$?
check "first run exits 0" test "$rc" = 0
check "first run prints valid JSON on stdout" valid_json "$work/first.json"
check "first run leaves one archive" test "$(archives)" = 1
check "no temporary archive left" test -z "$(find "$target" -name '*.tmp')"
rc=0
"$work/sparsity" report "$model" --json > "$work/second.json" 2>/dev/null || rc=$?
check "second run exits 0" test "$rc" = 0
check "second run prints the same JSON" cmp -s "$work/first.json" "$work/second.json"
check "still one archive" test "$(archives)" = 1

# 2. options with which java cannot record an archive: the run works, the answer is remembered
rc=0
SPARSITY_JAVA_OPTS="-Xshare:off" "$work/sparsity" report "$model" --json > "$work/off.json" 2>/dev/null || rc=$?
check "-Xshare:off run exits 0" test "$rc" = 0
check "-Xshare:off run prints the same JSON" cmp -s "$work/first.json" "$work/off.json"
check "-Xshare:off is remembered (.off marker)" test -n "$(find "$target" -name '*.jsa.off')"

# 3. a failing run keeps no archive and keeps its exit code
rm -f "$target"/*.jsa*
rc=0
"$work/sparsity" prune "$work/missing.onnx" -o "$work/out.onnx" > /dev/null 2> "$work/missing.err" || rc=$?
check "missing input exits 3" test "$rc" = 3
check "missing input names the file" grep -q "missing.onnx" "$work/missing.err"
check "a failed run records no archive" test "$(archives)" = 0

# 4. `check` on a dense model exits 1, a normal outcome: its archive is kept
rc=0
"$work/sparsity" check "$model" > /dev/null 2>&1 || rc=$?
check "check of a dense model exits 1" test "$rc" = 1
check "and records an archive" test "$(archives)" = 1

# 5. a signal (TERM, INT as from Ctrl-C, or HUP) to the launcher during a recording run stops java: nothing
# keeps running, nothing is left behind, and the exit status is that of the signal
# a 64 MiB model (four [2048, 2048] MatMul weights) from the benchmark's own generator, run 0 times
java -cp "$root/benchmarks/target/classes" org.sparsity4j.benchmarks.onnx.OnnxPruneBenchmark "$work" single 4 2048 0 \
  > /dev/null
big="$work/single-4x2048.onnx"
for sig in TERM:143 INT:130 HUP:129; do
  rm -f "$target"/*.jsa*
  # once the recording run's java is up (not the -version check before it)
  rc="$(signal_at "SIG${sig%:*}" "[A]rchiveClassesAtExit=.*sparsity-cli.jar prune" \
    "$work/sparsity" prune "$big" -o "$work/big-out.onnx" --quiet)"
  sleep 0.5
  check "SIG${sig%:*} to a recording run: exit status ${sig#*:}" test "$rc" = "${sig#*:}"
  check "SIG${sig%:*}: no java of it keeps running" test -z "$(pgrep -f "$work/sparsity-onnx/target/sparsity-cli.jar" || true)"
  check "SIG${sig%:*}: no temporary file and no archive left" test -z "$(find "$target" -name 'sparsity-cli-*')"
  check "SIG${sig%:*}: no output file left" test ! -e "$work/big-out.onnx"
done

# 6. SPARSITY_CDS=0: no archive
rm -f "$target"/*.jsa*
rc=0
SPARSITY_CDS=0 "$work/sparsity" prune "$model" -o "$work/out.onnx" --quiet || rc=$?
check "SPARSITY_CDS=0 run exits 0 and writes the output" test "$rc" = 0 -a -s "$work/out.onnx"
check "SPARSITY_CDS=0 records no archive" test "$(archives)" = 0

# 7. on JDK 23 and later, stderr stays clean: no sun.misc.Unsafe warnings from protobuf-java, no
# class-data sharing warnings while recording. Uses the first JDK 23+ among SPARSITY_TEST_JDKS (java
# homes, separated by spaces) or /usr/lib/jvm/*; skipped when there is none.
find_jdk() { # find_jdk <least major version>: the first such java home, or nothing
  local home major
  for home in ${SPARSITY_TEST_JDKS:-} /usr/lib/jvm/*; do
    major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null | head -n 1 || true)"
    if [[ "$major" =~ ^[0-9]+$ ]] && (( major >= $1 )) && [[ -x "$home/bin/java" ]]; then
      echo "$home"
      return
    fi
  done
}
newer="$(find_jdk 23)"
if [[ -n "$newer" ]]; then
  echo "     (JDK 23+ checks with $("$newer/bin/java" -version 2>&1 | head -n 1))"
  rm -f "$target"/*.jsa*
  "$newer/bin/java" -jar "$target/sparsity-cli.jar" report "$model" > /dev/null 2> "$work/direct.err" || true
  check "JDK 23+, without the launcher: protobuf-java's Unsafe warning (the check below can see it)" \
    grep -q "sun.misc.Unsafe" "$work/direct.err"
  for run in recording mapped; do
    rc=0
    PATH="$newer/bin:$PATH" "$work/sparsity" report "$model" --json > "$work/new-$run.json" 2> "$work/new-$run.err" \
      || rc=$?
    check "JDK 23+, $run run exits 0" test "$rc" = 0
    check "JDK 23+, $run run prints the same JSON" cmp -s "$work/first.json" "$work/new-$run.json"
    check "JDK 23+, $run run leaves stderr empty" test ! -s "$work/new-$run.err"
  done
  check "JDK 23+ runs record one archive" test "$(archives)" = 1
else
  echo "skip no JDK 23 or later found (set SPARSITY_TEST_JDKS): the stderr checks on it"
fi

# 8. on JDK 25 and later, the first `prune` records an AOT cache that later runs use; stdout and stderr
# stay as without it. Uses the first JDK 25+ among SPARSITY_TEST_JDKS or /usr/lib/jvm/*.
newest="$(find_jdk 25)"
caches() { find "$target" -name 'sparsity-cli-*.aot' | wc -l; }
if [[ -n "$newest" ]]; then
  echo "     (JDK 25+ checks with $("$newest/bin/java" -version 2>&1 | head -n 1))"
  rm -f "$target"/*.jsa* "$target"/*.aot*
  SPARSITY_CDS=0 "$work/sparsity" prune "$model" -o "$work/aot-ref.onnx" --json > "$work/aot-ref.json" 2>/dev/null
  for run in recording cached; do
    rc=0
    PATH="$newest/bin:$PATH" "$work/sparsity" prune "$model" -o "$work/aot-$run.onnx" --json \
      > "$work/aot-$run.json" 2> "$work/aot-$run.err" || rc=$?
    check "JDK 25+, $run prune exits 0" test "$rc" = 0
    check "JDK 25+, $run prune prints valid JSON on stdout" valid_json "$work/aot-$run.json"
    check "JDK 25+, $run prune leaves stderr empty" test ! -s "$work/aot-$run.err"
    check "JDK 25+, $run prune writes the same model" cmp -s "$work/aot-ref.onnx" "$work/aot-$run.onnx"
  done
  check "JDK 25+, the recording prune prints what the output path changes only" \
    cmp -s <(sed 's/aot-recording/X/' "$work/aot-recording.json") <(sed 's/aot-ref/X/' "$work/aot-ref.json")
  check "JDK 25+, the first prune leaves one AOT cache" test "$(caches)" = 1
  check "JDK 25+, no temporary file left" test -z "$(find "$target" -name '*.tmp')"
  rc=0
  PATH="$newest/bin:$PATH" "$work/sparsity" report "$model" --json > "$work/aot-report.json" 2> "$work/aot-report.err" \
    || rc=$?
  check "JDK 25+, report with the cache prints the same JSON" cmp -s "$work/first.json" "$work/aot-report.json"
  check "JDK 25+, report with the cache leaves stderr empty" test "$rc" = 0 -a ! -s "$work/aot-report.err"
  check "JDK 25+, no class-data archive next to the cache" test "$(archives)" = 0
  # a damaged cache: the JVM says so on stderr (so the runs above did use the cache) and the run goes on
  cache="$(find "$target" -name 'sparsity-cli-*.aot')"
  head -c 4096 "$cache" > "$work/damaged" && cat "$work/damaged" > "$cache"
  rc=0
  PATH="$newest/bin:$PATH" "$work/sparsity" report "$model" --json > "$work/aot-damaged.json" 2> "$work/aot-damaged.err" \
    || rc=$?
  check "JDK 25+, a damaged cache: the run exits 0 with the same JSON" \
    test "$rc" = 0 -a "$(cmp -s "$work/first.json" "$work/aot-damaged.json" && echo same)" = same
  check "JDK 25+, a damaged cache is reported on stderr" grep -qi "aot" "$work/aot-damaged.err"
  # options with which it cannot record a cache (-Xshare): remembered; the class-data archive is used instead
  rm -f "$target"/*.aot*
  rc=0
  PATH="$newest/bin:$PATH" SPARSITY_JAVA_OPTS="-XX:+UseSerialGC -Xshare:auto" "$work/sparsity" prune "$model" \
    -o "$work/aot-xshare.onnx" --quiet 2> "$work/aot-xshare.err" || rc=$?
  check "JDK 25+, -Xshare:auto prune exits 0 with the same model" \
    test "$rc" = 0 -a "$(cmp -s "$work/aot-ref.onnx" "$work/aot-xshare.onnx" && echo same)" = same
  check "JDK 25+, -Xshare:auto: no cache, the answer remembered (.off), an archive instead" \
    test "$(caches)" = 0 -a -n "$(find "$target" -name '*.aot.off')" -a "$(archives)" = 1
  # -Xshare:off: JDK 25 exits 0 from the archive check without writing one; the answer is remembered
  for _ in 1 2; do
    PATH="$newest/bin:$PATH" SPARSITY_JAVA_OPTS="-Xshare:off" "$work/sparsity" report "$model" > /dev/null 2>&1
  done
  check "JDK 25+, -Xshare:off: no archive, the answer remembered (.off)" \
    test "$(find "$target" -name '*.jsa.off' -newer "$work/aot-xshare.onnx" | wc -l)" = 1
  # a signal while the cache is being made: exit status of the signal, no cache, no answer (.off),
  # nothing temporary; the output, complete before, stays; the next prune records the cache
  rm -f "$target"/sparsity-cli-*
  rc="$(PATH="$newest/bin:$PATH" signal_at SIGTERM "[A]OTMode=create" "$work/sparsity" prune "$big" -o "$work/big-25.onnx" --quiet)"
  sleep 0.3
  check "JDK 25+, TERM while the cache is made: exit status 143" test "$rc" = 143
  check "JDK 25+, TERM while the cache is made: no file of the launcher left" test -z "$(find "$target" -name 'sparsity-cli-*')"
  check "JDK 25+, TERM while the cache is made: the output is there" test -s "$work/big-25.onnx"
  PATH="$newest/bin:$PATH" "$work/sparsity" prune "$model" -o "$work/aot-again.onnx" --quiet
  check "JDK 25+, the next prune records the cache" test "$(caches)" = 1
  # a jar replaced by another with an older time gets its own cache: a JDK 25 AOT cache is not
  # checked against the jar, so the old one would run the old jar's classes; the old one is deleted
  before="$(find "$target" -name 'sparsity-cli-*.aot')"
  cp "$target/sparsity-cli.jar" "$work/jar-copy.jar"
  touch -d '2001-01-01' "$work/jar-copy.jar"
  cp -p "$work/jar-copy.jar" "$target/sparsity-cli.jar"
  PATH="$newest/bin:$PATH" "$work/sparsity" prune "$model" -o "$work/aot-older-jar.onnx" --quiet
  after="$(find "$target" -name 'sparsity-cli-*.aot')"
  check "JDK 25+, a jar with an older time records its own cache" test -n "$after" -a "$after" != "$before"
  check "JDK 25+, and the cache of the jar before it is deleted" test "$(caches)" = 1 -a ! -e "$before"
else
  echo "skip no JDK 25 or later found (set SPARSITY_TEST_JDKS): the AOT cache checks"
fi

# 9. on JDK 24 and later, a prune that runs ONNX Runtime (calibration) leaves stderr empty: no warning
# about its native library (JEP 472; the jar's manifest has Enable-Native-Access), neither while the
# archive or cache is recorded nor after
ort=("$root"/sparsity-onnx/target/lib/onnxruntime-*.jar)
native="$(find_jdk 24)"
if [[ -n "$native" && -f "${ort[0]}" ]]; then
  mkdir -p "$target/lib"
  cp "${ort[0]}" "$target/lib/"
  # from the class path, where the manifest does not apply
  "$native/bin/java" -cp "$target/sparsity-cli.jar:$target/lib/*" org.sparsity4j.onnx.cli.SparsityCli prune "$model" \
    -o "$work/cal-direct.onnx" --calibration-random 2 --shape x=4,64 --quiet 2> "$work/cal-direct.err" || true
  check "JDK 24+, without the manifest: the native-access warning (the check below can see it)" \
    grep -q "enable-native-access" "$work/cal-direct.err"
  for run in first second; do
    rc=0
    PATH="$native/bin:$PATH" "$work/sparsity" prune "$model" -o "$work/cal-$run.onnx" --calibration-random 2 \
      --shape x=4,64 --quiet 2> "$work/cal-$run.err" || rc=$?
    check "JDK 24+, $run calibrated prune exits 0" test "$rc" = 0
    check "JDK 24+, $run calibrated prune leaves stderr empty" test ! -s "$work/cal-$run.err"
  done
  check "JDK 24+, calibrated prunes give the same bytes" cmp -s "$work/cal-first.onnx" "$work/cal-second.onnx"
  rm -rf "$target/lib"
else
  echo "skip no JDK 24 or later, or no ONNX Runtime jar in sparsity-onnx/target/lib: the calibration checks"
fi

# 10. archives of the jar in use are kept whatever its time: a jar dated in the future keeps the
# archive of other options when the next one is recorded; a rebuilt jar's recording deletes them
rm -f "$target"/sparsity-cli-*
touch -d 'next year' "$target/sparsity-cli.jar"
"$work/sparsity" report "$model" > /dev/null 2>&1
SPARSITY_JAVA_OPTS="-XX:+UseSerialGC -Xss2m" "$work/sparsity" report "$model" > /dev/null 2>&1
check "a jar dated in the future keeps the archive of other options" test "$(archives)" = 2
touch "$target/sparsity-cli.jar"
"$work/sparsity" report "$model" > /dev/null 2>&1
check "a rebuilt jar's recording deletes the archives of the jar before it" test "$(archives)" = 1

# 11. a missing jar is a clear error
rm "$target/sparsity-cli.jar"
rc=0
"$work/sparsity" report "$model" > /dev/null 2> "$work/nojar.err" || rc=$?
check "missing jar exits 127" test "$rc" = 127
check "missing jar says how to build it" grep -q "mvnw" "$work/nojar.err"

if [[ $failures -gt 0 ]]; then
  echo "launcher-test: $failures failed" >&2
  exit 1
fi
echo "launcher-test: all passed"
