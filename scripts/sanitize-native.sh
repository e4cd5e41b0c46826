#!/usr/bin/env bash
# Builds the translation extension with AddressSanitizer and UndefinedBehaviorSanitizer in a scratch
# copy of the tree and runs the differential tests against it (the installed build is untouched).
#   scripts/sanitize-native.sh [pytest args]     e.g. -k native_shapes
set -euo pipefail
PYTHON=${PYTHON:-python3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t otelray-sanitize-XXXXXX)
trap 'rm -rf "$work"' EXIT
git -C "$root" ls-files -co --exclude-standard -- setup.py pyproject.toml src tests bench \
  | tar -C "$root" -cf - -T - | tar -C "$work" -xf -
(cd "$work" && CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1" \
  "$PYTHON" setup.py -q build_ext --inplace 2>&1 | grep -v -i "warn" || true)
so=$(find "$work/src/otelray/translate" -name '_native*.so' | head -n 1)
[ -n "$so" ] || { echo "the sanitized extension did not build (is gcc installed?)" >&2; exit 1; }
preload="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
cd "$work"
export LD_PRELOAD="$preload" ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 PYTHONPATH="$work/src:$work"
"$PYTHON" -c 'import otelray.translate._native as n; print("testing the sanitized build", n.__file__)'
LD_PRELOAD="$preload" ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 PYTHONPATH="$work/src:$work" \
  "$PYTHON" -m pytest -q -p no:cacheprovider -o addopts="" \
  tests/unit/translate/to_xray/test_request.py tests/unit/translate/to_xray/test_request_wire.py \
  tests/unit/translate/to_xray/test_native_shapes.py "$@"
