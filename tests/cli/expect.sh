#!/usr/bin/env bash
# Runs a command and checks its exit status and output.
#   expect.sh STATUS PATTERN -- COMMAND [ARGS...]
# STATUS is "0" (must succeed) or "fail" (must exit non-zero); PATTERN is an
# extended regular expression that the combined stdout+stderr must match.
set -u
want=$1
pattern=$2
shift 3
output=$("$@" 2>&1)
status=$?
echo "$output"
if [ "$want" = "0" ] && [ $status -ne 0 ]; then
  echo "expect.sh: '$*' exited $status, expected success" >&2
  exit 1
fi
if [ "$want" = "fail" ] && [ $status -eq 0 ]; then
  echo "expect.sh: '$*' succeeded, expected failure" >&2
  exit 1
fi
if [ "$want" = "fail" ] && [ $status -gt 100 ]; then
  echo "expect.sh: '$*' exited $status (crash or signal?), expected a clean failure" >&2
  exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$output"; then
  echo "expect.sh: output does not match /$pattern/" >&2
  exit 1
fi
