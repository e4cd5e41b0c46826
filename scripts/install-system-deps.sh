#!/usr/bin/env bash
# Install the Debian packages the integration tests use, only when they are missing.
set -euo pipefail
need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The C extension otelray.translate._native (built by `pip install`) needs a C compiler and the
# interpreter's headers; without them otelray still installs and translates spans in pure Python.
PYTHON="${PYTHON:-python3}"
command -v gcc >/dev/null 2>&1 || need+=(gcc)
if ! "$PYTHON" -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
  if [ "$("$PYTHON" -c 'import sys; print(sys.base_prefix)')" = "/usr" ]; then
    need+=("python$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-dev")
  else
    echo "note: $PYTHON has no Python.h and is not Debian's; the C extension will not be built" >&2
  fi
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "installing Debian packages: ${need[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
