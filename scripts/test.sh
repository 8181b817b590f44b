#!/usr/bin/env bash
# Builds saerad and runs the whole test suite on a fresh Debian 12 machine (as root, or with sudo).
# Phases, each timed: deps (apt), python test tooling (venv), configure, build, unit tests, slow tests,
# and the file-format tests again under AddressSanitizer/UBSan. Logs and screenshots go to ci-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
artifacts="$root/ci-artifacts"
mkdir -p "$artifacts"
export SAERAD_TEST_PYTHON="$root/.venv-test/bin/python"
export SAERAD_ARTIFACTS="$artifacts"
jobs="$(nproc)"

timings=()
phase() {  # phase NAME COMMAND...: runs it, records its wall time, stops on failure
  local name="$1"; shift
  echo "::: $name"
  local start=$SECONDS status=0
  "$@" || status=$?
  timings+=("$(printf '%-28s %5ds%s' "$name" $((SECONDS - start)) "$([[ $status -ne 0 ]] && echo '  FAILED')")")
  if [[ $status -ne 0 ]]; then
    summary
    exit "$status"
  fi
}
summary() {
  echo "::: phase timings"
  printf '  %s\n' "${timings[@]}"
}
ctest_label() {  # ctest_label LABEL: one label's tests, log kept as an artefact
  ctest --test-dir build -L "^$1\$" -j "$jobs" --output-on-failure --timeout 900 2>&1 | tee "$artifacts/ctest-$1.log"
  return "${PIPESTATUS[0]}"
}

phase "deps (apt)" scripts/install-deps.sh --browser
phase "python test tooling" scripts/setup-test-python.sh
phase "configure" cmake --preset release
phase "build" cmake --build --preset release -j "$jobs"
phase "ctest -L unit" ctest_label unit
phase "ctest -L slow" ctest_label slow
phase "sanitize: configure" cmake --preset sanitize
phase "sanitize: build test_core" cmake --build --preset sanitize --target test_core -j "$jobs"
phase "sanitize: ctest core" ctest --test-dir build-sanitize -R '^(Safetensors|Npy|Csv|DType|Embeddings|SparseActivations)\.' \
  --output-on-failure
summary
