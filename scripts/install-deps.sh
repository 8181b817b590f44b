#!/usr/bin/env bash
# Installs saerad's build and test dependencies from Debian 12's apt repositories.
# Idempotent: packages already present are skipped; apt-get update runs at most once per call.
# Usage: scripts/install-deps.sh [--browser]   (--browser adds chromium + fonts for the web tests)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
  build-essential cmake ninja-build pkg-config git
  libopenblas-dev          # sgemm for the SAE encoder and the ViT forward pass
  nlohmann-json3-dev       # JSON: safetensors headers, configs, metrics, API
  libcli11-dev             # command-line parsing
  libcpp-httplib-dev libssl-dev  # HTTP server (serve) and LLM clients (HTTPS for hosted APIs)
  libsqlite3-dev           # feature store
  libpng-dev libjpeg62-turbo-dev zlib1g-dev  # image decoding/encoding
  libdcmtk-dev             # DICOM decoding
  libgtest-dev libgmock-dev  # tests
  libbenchmark-dev         # benchmarks
  libfmt-dev               # string formatting (g++ 12 has no std::format)
  python3 python3-venv     # test tooling only
)
if [[ "${1:-}" == "--browser" ]]; then
  packages+=(chromium fonts-dejavu-core)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all ${#packages[@]} packages present"
fi
