#!/usr/bin/env bash
# Tests the `sparsity` launcher script (its class-data archive, exit codes and clean stdout) on a copy
# of it next to a copy of the built jar, in a temporary folder. Needs the jar that
# `./mvnw -B verify` (or package) builds; .ci/run runs this after the Maven build.
# usage: bash sparsity-onnx/src/test/sh/launcher-test.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
jar="$root/sparsity-onnx/target/sparsity-cli.jar"
[[ -f "$jar" ]] || { echo "launcher-test: build the jar first (./mvnw -B verify)" >&2; exit 2; }
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

# 1. the first run records an archive, a later one maps it; stdout is the tool's output only
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

# 4. SPARSITY_CDS=0: no archive
rc=0
SPARSITY_CDS=0 "$work/sparsity" prune "$model" -o "$work/out.onnx" --quiet || rc=$?
check "SPARSITY_CDS=0 run exits 0 and writes the output" test "$rc" = 0 -a -s "$work/out.onnx"
check "SPARSITY_CDS=0 records no archive" test "$(archives)" = 0

# 5. a missing jar is a clear error
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
