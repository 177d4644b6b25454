#!/usr/bin/env bash
# scripts/import-pytorch-weights.py: a PyTorch state_dict (made here from a
# `mosaic init` bundle with every float weight scaled by 1.5) becomes a bundle
# that `mosaic info --verify` accepts and whose tensors are exactly the
# state_dict's; without --trust-this-file the pickle is refused unread; a
# state_dict with a wrong key is written but refused by the loader.
#   import_weights_test.sh MOSAIC SOURCE_DIR WORK_DIR
set -u
mosaic=$1
source_dir=$2
work=$3/import-weights
rm -rf "$work"
mkdir -p "$work"
fail() {
  echo "import_weights_test.sh: FAIL: $*" >&2
  exit 1
}
py=/usr/bin/python3
script=$source_dir/scripts/import-pytorch-weights.py
"$mosaic" init -o "$work/init.mosaic" --s1-encoder small_cnn --s2-encoder small_cnn \
  --small-cnn-width 4 >/dev/null || fail "mosaic init"
PYTHONPATH=$source_dir/bench/python $py - "$work" <<'PY' || fail "making the state_dict"
import sys, torch, mosaic_bundle
work = sys.argv[1]
sd = mosaic_bundle.read_bundle(work + "/init.mosaic").state_dict()
sd = {k: v * 1.5 if v.is_floating_point() else v for k, v in sd.items()}
torch.save(sd, work + "/sd.pt")
bad = dict(sd)
bad["s1_head.extra"] = torch.zeros(3)
torch.save(bad, work + "/bad.pt")
PY
# Refused without the opt-in, and nothing written.
if $py "$script" --manifest-from "$work/init.mosaic" --weights "$work/sd.pt" \
  -o "$work/out.mosaic" 2>"$work/refused.txt"; then
  fail "imported without --trust-this-file"
fi
grep -q "pickle" "$work/refused.txt" || fail "no explanation: $(cat "$work/refused.txt")"
[ ! -e "$work/out.mosaic" ] || fail "a bundle was written without the opt-in"
# Imported with it: verified by the C++ loader, tensors equal to the state_dict.
$py "$script" --manifest-from "$work/init.mosaic" --weights "$work/sd.pt" \
  -o "$work/out.mosaic" --trust-this-file || fail "import"
"$mosaic" info --verify "$work/out.mosaic" | grep -q "all tensors verified" || fail "verify"
PYTHONPATH=$source_dir/bench/python $py - "$work" <<'PY' || fail "tensors differ"
import sys, torch, mosaic_bundle
work = sys.argv[1]
got = mosaic_bundle.read_bundle(work + "/out.mosaic").state_dict()
want = torch.load(work + "/sd.pt")
assert got.keys() == want.keys()
assert all(torch.equal(got[k], want[k]) for k in want)
PY
# A key the architecture does not have: written, then refused by name.
$py "$script" --manifest-from "$work/init.mosaic" --weights "$work/bad.pt" \
  -o "$work/bad.mosaic" --trust-this-file >/dev/null || fail "import bad"
if "$mosaic" info --verify "$work/bad.mosaic" >"$work/bad.txt" 2>&1; then
  fail "the loader accepted an unknown tensor"
fi
grep -q "s1_head.extra" "$work/bad.txt" || fail "the message does not name the tensor: $(cat "$work/bad.txt")"
echo "import_weights_test.sh: OK"
