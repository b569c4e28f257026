#!/usr/bin/env bash
# Regenerates the JavaCPP bindings in src/gen/java from cusparseLt.h.
#   usage: sparsity-cusparselt/gpu/generate.sh <folder holding cusparseLt.h>
# The header is not in the repository (NVIDIA's license does not allow redistributing it); take it
# from the cuSPARSELt 0.8 installation or the Python wheel nvidia-cusparselt-cu13==0.8.0
# (site-packages/nvidia/cusparselt/include). CUDA 13 headers under /usr/local/cuda/include, when
# present, are read for type information only.
set -euo pipefail
HDR=$(cd "${1:?usage: generate.sh <folder holding cusparseLt.h>}" && pwd)
test -f "$HDR/cusparseLt.h" || { echo "no cusparseLt.h in $HDR" >&2; exit 1; }
MOD=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(dirname "$MOD")
cd "$ROOT"
CPFILE=$(mktemp)
./mvnw -B -q -pl sparsity-cusparselt dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$CPFILE"
CP=$(cat "$CPFILE"); rm -f "$CPFILE"
WORK=$(mktemp -d)
javac --release 17 -d "$WORK" -cp "$CP" "$MOD"/src/main/java/org/sparsity4j/cusparselt/presets/*.java
rm -rf "$MOD/src/gen/java"
java -cp "$CP:$WORK" org.bytedeco.javacpp.tools.Builder -Dplatform.includepath="$HDR" -d "$MOD/src/gen/java" \
    org.sparsity4j.cusparselt.presets.CusparseLtPreset
rm -rf "$WORK"
echo "regenerated $MOD/src/gen/java"
