#!/usr/bin/python3
"""Imports weights trained in PyTorch into a MoSAiC model bundle.

Model bundles are data, never code (docs/bundle-format.md); PyTorch's .pt
files are pickles, which can run code when loaded. Importing one is therefore
an explicit opt-in: this script refuses to run without --trust-this-file, and
even then loads the file with torch.load(weights_only=True), which accepts
only tensors and plain containers. The `mosaic` tools never read .pt files.

The architecture comes from a manifest: an existing bundle (e.g. made by
`mosaic init` with the right encoders, bands and classes) or a manifest JSON
file. The state_dict's keys, shapes and dtypes must be exactly the ones that
architecture has; `mosaic info --verify OUT` checks that after writing (the
loader refuses anything else).

  scripts/import-pytorch-weights.py --manifest-from init.mosaic \\
      --weights model_state_dict.pt -o model.mosaic --trust-this-file

Uses Debian's /usr/bin/python3 with python3-torch.
"""

import argparse
import json
import os
import struct
import sys
import tempfile
import zlib

import numpy as np
import torch

MAGIC = b"MOSAICMB"
VERSION = 1
ALIGNMENT = 64
DTYPES = {torch.float32: ("float32", "<f4"), torch.float64: ("float64", "<f8"),
          torch.int64: ("int64", "<i8")}


def read_manifest(path):
    with open(path, "rb") as f:
        blob = f.read()
    if blob[:8] == MAGIC:
        _, _, header_len = struct.unpack_from("<IIQ", blob, 8)
        return json.loads(blob[24:24 + header_len])["manifest"]
    return json.loads(blob)


def write_bundle(path, manifest, state_dict):
    tensors, chunks, offset = [], [], 0
    for name in sorted(state_dict):
        value = state_dict[name]
        if not isinstance(value, torch.Tensor):
            sys.exit("import-pytorch-weights: %s is not a tensor" % name)
        if value.dtype not in DTYPES:
            sys.exit("import-pytorch-weights: %s has dtype %s; expected float32, float64 or int64"
                     % (name, value.dtype))
        dtype_name, numpy_dtype = DTYPES[value.dtype]
        data = np.ascontiguousarray(value.detach().cpu().numpy().astype(numpy_dtype)).tobytes()
        tensors.append({"name": name, "dtype": dtype_name, "shape": list(value.shape),
                        "offset": offset, "nbytes": len(data), "crc32": zlib.crc32(data)})
        padding = (-len(data)) % ALIGNMENT
        chunks.append(data + b"\0" * padding)
        offset += len(data) + padding
    header = json.dumps({"manifest": manifest, "tensors": tensors, "data_nbytes": offset},
                        indent=1).encode("utf-8")
    prefix = MAGIC + struct.pack("<IIQ", VERSION, zlib.crc32(header), len(header))
    padding = (-(len(prefix) + len(header))) % ALIGNMENT
    # Written next to the destination and renamed, like every bundle writer.
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(prefix + header + b"\0" * padding)
            for chunk in chunks:
                f.write(chunk)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest-from", required=True,
                        help="a bundle or a manifest JSON that declares the architecture")
    parser.add_argument("--weights", required=True, help="a torch.save()d state_dict (.pt)")
    parser.add_argument("-o", "--out", required=True, help="the bundle to write")
    parser.add_argument("--trust-this-file", action="store_true",
                        help="required: .pt files are pickles; only import files you trust")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    if not args.trust_this_file:
        sys.exit("import-pytorch-weights: %s is a pickle, which can run code when loaded; "
                 "pass --trust-this-file only for files from a source you trust" % args.weights)
    if os.path.exists(args.out) and not args.overwrite:
        sys.exit("import-pytorch-weights: %s exists; pass --overwrite to replace it" % args.out)
    manifest = read_manifest(args.manifest_from)
    state_dict = torch.load(args.weights, map_location="cpu", weights_only=True)
    if not isinstance(state_dict, dict):
        sys.exit("import-pytorch-weights: %s holds no state_dict" % args.weights)
    write_bundle(args.out, manifest, state_dict)
    print("wrote %s (%d tensors); check it with: mosaic info --verify %s"
          % (args.out, len(state_dict), args.out))


if __name__ == "__main__":
    main()
