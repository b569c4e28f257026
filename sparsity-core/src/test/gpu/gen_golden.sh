#!/usr/bin/env bash
# Builds cusparselt_golden.cpp with g++ and runs it on a GPU machine, writing into $1 (default: ./golden-out):
#   golden.tar   golden-<type>.bin.gz, the test resources (copy them to src/test/resources/cusparselt-golden/)
#   probes-16.bin.gz, probes-8.bin.gz   coordinate-encoding probes (same record format) used to work out the layout
#   sizes.tsv.gz                        cusparseLtSpMMACompressedSize2 survey
#   log.txt, cusparseLt.h
# Needs: g++, python3, a CUDA 13 runtime (headers + libcudart), the cuSPARSELt wheel (nvidia-cusparselt-cu13)
# and cusparse.h (CUDA toolkit or the nvidia-cusparse wheel). Paths can be given as CUSPARSELT_DIR, CUDA_DIR,
# CUSPARSE_INCLUDE. GOLDEN_TYPES (e.g. "--type=3 --type=28") limits the run to some element types.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$(mkdir -p "${1:-golden-out}" && cd "${1:-golden-out}" && pwd)"
py_site() { python3 -c "import sys,os; print(' '.join(p for p in sys.path if os.path.isdir(p)))"; }
if [ -z "${CUSPARSELT_DIR:-}" ]; then
  for p in $(py_site); do [ -f "$p/nvidia/cusparselt/include/cusparseLt.h" ] && CUSPARSELT_DIR="$p/nvidia/cusparselt" && break; done
fi
if [ -z "${CUDA_DIR:-}" ]; then
  CUDA_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")")")"
  [ -f "$CUDA_DIR/include/cuda_runtime_api.h" ] || CUDA_DIR=/usr/local/cuda
fi
if [ -z "${CUSPARSE_INCLUDE:-}" ]; then
  for d in "$CUDA_DIR/include" "$CUDA_DIR"/targets/*/include; do [ -f "$d/cusparse.h" ] && CUSPARSE_INCLUDE="$d" && break; done
fi
if [ -z "${CUSPARSE_INCLUDE:-}" ]; then
  for p in $(py_site); do for d in "$p"/nvidia/*/include; do [ -f "$d/cusparse.h" ] && CUSPARSE_INCLUDE="$d" && break 2; done; done
fi
cudart_dir="$CUDA_DIR/lib64"; [ -e "$cudart_dir/libcudart.so" ] || cudart_dir="$(dirname "$(find "$CUDA_DIR" -name 'libcudart.so*' | head -1)")"
echo "cuSPARSELt: $CUSPARSELT_DIR"; echo "CUDA: $CUDA_DIR ($cudart_dir)"; echo "cusparse.h: $CUSPARSE_INCLUDE"
cp "$CUSPARSELT_DIR/include/cusparseLt.h" "$dest/"
work="$(mktemp -d)"
g++ -O2 -std=c++17 -Wall "$here/cusparselt_golden.cpp" -o "$work/golden" \
  -I"$CUSPARSELT_DIR/include" -I"$CUDA_DIR/include" -I"$CUSPARSE_INCLUDE" \
  "$CUSPARSELT_DIR/lib/libcusparseLt.so.0" -L"$cudart_dir" -lcudart \
  -Wl,-rpath,"$CUSPARSELT_DIR/lib" -Wl,-rpath,"$cudart_dir"
python3 "$here/gen_cases.py" --sizes ${GOLDEN_TYPES:-} > "$work/cases.txt"
# A crash inside the library loses one case only: it is recorded (stage 9) and the run resumes after it.
(cd "$work" && python3 "$here/run_cases.py" ./golden cases.txt)
cd "$work"
for f in golden-*.bin probes-*.bin sizes.tsv; do [ -f "$f" ] && gzip -9 -n "$f"; done
ls golden-*.bin.gz >/dev/null 2>&1 && tar -cf "$dest/golden.tar" golden-*.bin.gz
for f in probes-*.bin.gz sizes.tsv.gz; do [ -f "$f" ] && mv "$f" "$dest/"; done
cd "$dest"
rm -rf "$work"
ls -l "$dest"
