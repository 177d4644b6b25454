#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang + ASan + UBSan) and runs each for
# SECONDS (default 30; CI runs a short smoke). Each run starts from the seed
# corpus in fuzz/corpus/<target>/ plus what earlier runs found in
# build-fuzz/corpus/<target>/; crashes are written to build-fuzz/crashes/ and
# fail the script.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     targets: bundle batch_manifest description
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(bundle batch_manifest description)

cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)"
mkdir -p build-fuzz/crashes
status=0
for target in "${targets[@]}"; do
  work=build-fuzz/corpus/$target
  mkdir -p "$work"
  log=build-fuzz/fuzz_$target.log
  echo "== fuzz_$target for ${seconds}s"
  if ! TMPDIR=build-fuzz ./build-fuzz/fuzz_"$target" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix=build-fuzz/crashes/"$target"- -print_final_stats=1 \
      "$work" "fuzz/corpus/$target" >"$log" 2>&1; then
    echo "fuzz_$target FAILED:"; tail -40 "$log"; status=1
  fi
  grep -E "^Done [0-9]+ runs|stat::number_of_executed_units" "$log" | tail -2
done
exit $status
