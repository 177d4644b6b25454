#!/usr/bin/python3
"""Reads MoSAiC model bundles (docs/bundle-format.md) with the standard library
and numpy, and rebuilds the dual-stream model in PyTorch with exactly the
bundle's weights.

This is the "what a user would write" side of the benchmarks in bench/: it
depends on nothing from libmosaic. The architecture mirrors
libmosaic/src/nn/*.cpp:

  small_cnn   4 x [Conv2d 3x3 stride 2 pad 1, no bias -> BatchNorm2d -> ReLU],
              widths w, 2w, 4w, 4w, then a mean over H and W   (keys conv{k}, bn{k})
  resnet18/34/50
              torchvision.models.resnet with conv1 = Conv2d(in_channels, 64, 7, 2, 3)
              and no fc (keys are torchvision's without fc.*)
  projection  Linear -> BatchNorm1d -> ReLU -> Linear -> L2 normalise (eps 1e-12)
  heads       s1_head, s2_head: Linear(feature_dim, classes);
              fused_head: Linear(s1_dim + s2_dim, classes) on cat(s1 features, s2 features)

Usage as a script:
  mosaic_bundle.py info BUNDLE         manifest summary and tensor table (CRCs verified)
  mosaic_bundle.py check BUNDLE        load into the PyTorch model (strict) and run a forward pass
"""

import json
import struct
import sys
import zlib

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

MAGIC = b"MOSAICMB"
CONTAINER_VERSION = 1
PREFIX_BYTES = 24
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_DATA_BYTES = 8 * 1024 * 1024 * 1024
ALIGNMENT = 64
DTYPES = {"float32": np.dtype("<f4"), "float64": np.dtype("<f8"), "int64": np.dtype("<i8")}


class BundleError(Exception):
    """A bundle that cannot be read: names the file and the field at fault."""


class Bundle:
    """A verified bundle: `manifest` (dict) and `tensors` (name -> numpy array)."""

    def __init__(self, path, manifest, tensors):
        self.path = path
        self.manifest = manifest
        self.tensors = tensors

    def state_dict(self):
        """The tensors as a PyTorch state_dict (copies; float32/float64/int64 kept)."""
        return {name: torch.from_numpy(np.array(a, copy=True)) for name, a in self.tensors.items()}


def read_bundle(path, verify_crc=True):
    """Reads and validates a bundle; raises BundleError naming the file and the problem."""
    with open(path, "rb") as f:
        blob = f.read()

    def fail(message):
        raise BundleError("%s: %s" % (path, message))

    if len(blob) < PREFIX_BYTES:
        fail("truncated (%d bytes, shorter than the 24-byte prefix)" % len(blob))
    if blob[:8] != MAGIC:
        if blob[:2] == b"PK":
            fail("a ZIP file (e.g. a PyTorch .pt), not a MoSAiC model bundle")
        fail("not a MoSAiC model bundle (magic bytes 'MOSAICMB' missing)")
    version, header_crc, header_len = struct.unpack_from("<IIQ", blob, 8)
    if version != CONTAINER_VERSION:
        fail("unsupported container version %d (this reader knows 1)" % version)
    if header_len > MAX_HEADER_BYTES:
        fail("header length %d exceeds the 16 MiB limit" % header_len)
    if PREFIX_BYTES + header_len > len(blob):
        fail("truncated inside the header")
    header_bytes = blob[PREFIX_BYTES:PREFIX_BYTES + header_len]
    if verify_crc and (zlib.crc32(header_bytes) & 0xFFFFFFFF) != header_crc:
        fail("header CRC-32 mismatch")
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        fail("header is not valid JSON: %s" % e)
    for key in ("manifest", "tensors", "data_nbytes"):
        if key not in header:
            fail("header lacks '%s'" % key)
    data_start = (PREFIX_BYTES + header_len + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT
    data_nbytes = int(header["data_nbytes"])
    if data_nbytes > MAX_DATA_BYTES:
        fail("data_nbytes %d exceeds 8 GiB" % data_nbytes)
    end = data_start + data_nbytes
    if len(blob) < end:
        fail("truncated: %d bytes, expected %d" % (len(blob), end))
    if len(blob) > end:
        fail("corrupt: %d bytes after the declared end" % (len(blob) - end))
    if any(b != 0 for b in blob[PREFIX_BYTES + header_len:data_start]):
        fail("non-zero header padding")

    tensors = {}
    ranges = []
    for t in header["tensors"]:
        name = t.get("name")
        where = "tensor '%s'" % name
        if not isinstance(name, str) or name in tensors:
            fail("%s: missing or repeated name" % where)
        dtype = DTYPES.get(t.get("dtype"))
        if dtype is None:
            fail("%s: unknown dtype %r" % (where, t.get("dtype")))
        shape = [int(s) for s in t["shape"]]
        if any(s < 0 for s in shape):
            fail("%s: negative dimension in %s" % (where, shape))
        offset, nbytes = int(t["offset"]), int(t["nbytes"])
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if nbytes != count * dtype.itemsize:
            fail("%s: nbytes %d does not match shape %s x %d" % (where, nbytes, shape, dtype.itemsize))
        if offset % ALIGNMENT != 0:
            fail("%s: offset %d is not a multiple of 64" % (where, offset))
        if offset < 0 or offset + nbytes > data_nbytes:
            fail("%s: bytes %d..%d lie outside the data" % (where, offset, offset + nbytes))
        raw = blob[data_start + offset:data_start + offset + nbytes]
        if verify_crc and (zlib.crc32(raw) & 0xFFFFFFFF) != int(t["crc32"]):
            fail("%s: CRC-32 mismatch" % where)
        ranges.append((offset, offset + nbytes, name))
        tensors[name] = np.frombuffer(raw, dtype=dtype).reshape(shape)
    ranges.sort()
    for (a0, a1, an), (b0, b1, bn) in zip(ranges, ranges[1:]):
        if b0 < a1:
            fail("tensors '%s' and '%s' overlap" % (an, bn))
    return Bundle(path, header["manifest"], tensors)


# ---------------------------------------------------------------------------
# The model (libmosaic/src/nn/*.cpp)


class SmallCnn(nn.Module):
    """libmosaic/src/nn/small_cnn.cpp: keys conv{1..4}.weight, bn{1..4}.*"""

    def __init__(self, in_channels, width):
        super().__init__()
        widths = [width, 2 * width, 4 * width, 4 * width]
        c = in_channels
        for k, w in enumerate(widths, start=1):
            setattr(self, "conv%d" % k, nn.Conv2d(c, w, 3, stride=2, padding=1, bias=False))
            setattr(self, "bn%d" % k, nn.BatchNorm2d(w))
            c = w
        self.feature_dim = 4 * width

    def forward(self, x):
        for k in range(1, 5):
            x = F.relu(getattr(self, "bn%d" % k)(getattr(self, "conv%d" % k)(x)))
        return x.mean((2, 3))


def make_resnet(depth, in_channels):
    """torchvision's ResNet (v1.5) with an in_channels stem and no fc: keys match exactly."""
    import torchvision.models.resnet as tvr

    block, layers = {18: (tvr.BasicBlock, [2, 2, 2, 2]), 34: (tvr.BasicBlock, [3, 4, 6, 3]),
                     50: (tvr.Bottleneck, [3, 4, 6, 3])}[depth]
    model = tvr.ResNet(block, layers)
    model.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
    model.fc = nn.Identity()  # registers no parameters, so no fc.* keys
    model.feature_dim = 2048 if depth == 50 else 512
    return model


def make_encoder(name, in_channels, small_cnn_width):
    if name == "small_cnn":
        return SmallCnn(in_channels, small_cnn_width)
    depths = {"resnet18": 18, "resnet34": 34, "resnet50": 50}
    if name not in depths:
        raise ValueError("unknown encoder '%s'; valid: resnet18, resnet34, resnet50, small_cnn" % name)
    return make_resnet(depths[name], in_channels)


class ProjectionHead(nn.Module):
    """libmosaic/src/nn/projection_head.cpp: keys fc1.*, bn1.*, fc2.*"""

    def __init__(self, in_features, hidden, out):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.fc2 = nn.Linear(hidden, out)

    def forward(self, x):
        return F.normalize(self.fc2(F.relu(self.bn1(self.fc1(x)))), p=2.0, dim=1, eps=1e-12)


class DualStreamModel(nn.Module):
    """libmosaic/src/nn/dual_stream.cpp. forward(s1, s2) returns a dict with the
    keys of DualStreamOutput (s1_features, s2_features, s1_embedding,
    s2_embedding, s1_logits, s2_logits, fused_logits); entries of a modality
    that was not given are absent."""

    def __init__(self, s1_encoder, s2_encoder, s1_in_channels, s2_in_channels, num_classes,
                 projection_dim=128, projection_hidden_dim=512, small_cnn_width=32):
        super().__init__()
        self.has_s1, self.has_s2 = bool(s1_encoder), bool(s2_encoder)
        if not (self.has_s1 or self.has_s2):
            raise ValueError("DualStreamModel: no streams")
        # Registration order as in C++ (encoders, projections, heads), so that
        # parameters() come out in the same order.
        if self.has_s1:
            self.s1_encoder = make_encoder(s1_encoder, s1_in_channels, small_cnn_width)
        if self.has_s2:
            self.s2_encoder = make_encoder(s2_encoder, s2_in_channels, small_cnn_width)
        if self.has_s1:
            self.s1_projection = ProjectionHead(self.s1_encoder.feature_dim, projection_hidden_dim,
                                                projection_dim)
        if self.has_s2:
            self.s2_projection = ProjectionHead(self.s2_encoder.feature_dim, projection_hidden_dim,
                                                projection_dim)
        if self.has_s1:
            self.s1_head = nn.Linear(self.s1_encoder.feature_dim, num_classes)
        if self.has_s2:
            self.s2_head = nn.Linear(self.s2_encoder.feature_dim, num_classes)
        if self.has_s1 and self.has_s2:
            self.fused_head = nn.Linear(self.s1_encoder.feature_dim + self.s2_encoder.feature_dim,
                                        num_classes)

    def forward(self, s1=None, s2=None):
        out = {}
        if s1 is not None:
            f = self.s1_encoder(s1)
            out.update(s1_features=f, s1_embedding=self.s1_projection(f), s1_logits=self.s1_head(f))
        if s2 is not None:
            f = self.s2_encoder(s2)
            out.update(s2_features=f, s2_embedding=self.s2_projection(f), s2_logits=self.s2_head(f))
        if s1 is not None and s2 is not None:
            out["fused_logits"] = self.fused_head(torch.cat([out["s1_features"], out["s2_features"]], 1))
        return out


def model_from_manifest(manifest):
    """A freshly initialised DualStreamModel with the architecture the manifest declares."""
    arch = manifest.get("architecture", {})
    s1, s2 = manifest.get("s1"), manifest.get("s2")
    return DualStreamModel(
        s1_encoder=s1["encoder"] if s1 else "", s2_encoder=s2["encoder"] if s2 else "",
        s1_in_channels=len(s1["bands"]) if s1 else 2, s2_in_channels=len(s2["bands"]) if s2 else 12,
        num_classes=len(manifest["classes"]),
        projection_dim=int(arch.get("projection_dim", 128)),
        projection_hidden_dim=int(arch.get("projection_hidden_dim", 512)),
        small_cnn_width=int(arch.get("small_cnn_width", 32)))


def load_model(path, verify_crc=True):
    """(model in eval mode with the bundle's weights, bundle). The tensors must be
    exactly the model's state_dict: same names, shapes and dtypes."""
    bundle = read_bundle(path, verify_crc)
    model = model_from_manifest(bundle.manifest)
    expected = model.state_dict()
    given = bundle.state_dict()
    missing = sorted(set(expected) - set(given))
    unknown = sorted(set(given) - set(expected))
    if missing or unknown:
        raise BundleError("%s: tensors do not match the architecture: missing %s, unknown %s"
                          % (path, missing[:5], unknown[:5]))
    for name, t in expected.items():
        if tuple(t.shape) != tuple(given[name].shape) or t.dtype != given[name].dtype:
            raise BundleError("%s: tensor '%s' is %s %s, the architecture needs %s %s" % (
                path, name, given[name].dtype, tuple(given[name].shape), t.dtype, tuple(t.shape)))
    model.load_state_dict(given, strict=True)
    model.eval()
    return model, bundle


class Classifier:
    """PatchClassifier::Classify in PyTorch: raw physical values in, sigmoid
    probabilities of the chosen head out. Normalisation as in
    libmosaic/src/model/patch_classifier.cpp: mean/std from the manifest
    (float64) rounded to float32, (x - mean) / std in float32."""

    def __init__(self, bundle_path, num_threads=0):
        if num_threads > 0:
            torch.set_num_threads(num_threads)
        self.model, self.bundle = load_model(bundle_path)
        m = self.bundle.manifest
        self.manifest = m
        self.classes = list(m["classes"])
        self.patch = int(m["patch"]["size_px"])
        self.stats = {}
        for mod in ("s1", "s2"):
            if m.get(mod):
                norm = m[mod]["normalization"]
                mean = torch.tensor(norm["mean"], dtype=torch.float64).float().view(1, -1, 1, 1)
                std = torch.tensor(norm["std"], dtype=torch.float64).float().view(1, -1, 1, 1)
                self.stats[mod] = (mean, std)

    def normalise(self, modality, x):
        mean, std = self.stats[modality]
        return (x - mean) / std

    def logits(self, s1=None, s2=None, head="auto"):
        """Raw tensors [N, C, H, W] (physical units) -> logits of the head."""
        use_s1 = s1 is not None and head != "s2"
        use_s2 = s2 is not None and head != "s1"
        if head == "fused" and not (use_s1 and use_s2):
            raise ValueError("the fused head needs S1 and S2")
        out = self.model(self.normalise("s1", s1) if use_s1 else None,
                         self.normalise("s2", s2) if use_s2 else None)
        if "fused_logits" in out:
            return out["fused_logits"]
        return out["s1_logits"] if use_s1 else out["s2_logits"]

    def classify(self, s1=None, s2=None, head="auto"):
        """numpy or torch float32 arrays [N, C, H, W] -> numpy [N, classes] probabilities."""
        with torch.inference_mode():
            t1 = torch.as_tensor(s1, dtype=torch.float32) if s1 is not None else None
            t2 = torch.as_tensor(s2, dtype=torch.float32) if s2 is not None else None
            return torch.sigmoid(self.logits(t1, t2, head)).numpy()


def _main(argv):
    if len(argv) != 3 or argv[1] not in ("info", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "info":
        b = read_bundle(argv[2])
        m = b.manifest
        print("name %s, %d classes, patch %s px" % (m["name"], len(m["classes"]), m["patch"]["size_px"]))
        for mod in ("s1", "s2"):
            if m.get(mod):
                print("%s: %s, bands %s" % (mod, m[mod]["encoder"], " ".join(m[mod]["bands"])))
        total = sum(a.nbytes for a in b.tensors.values())
        print("%d tensors, %d bytes, all CRC-32 verified" % (len(b.tensors), total))
        return 0
    clf = Classifier(argv[2])
    rng = np.random.default_rng(0)
    n, p = 2, clf.patch
    s1 = s2 = None
    if "s1" in clf.stats:
        mean, std = clf.stats["s1"]
        s1 = (mean + std * torch.from_numpy(rng.standard_normal((n, mean.shape[1], p, p)).astype("f4")))
    if "s2" in clf.stats:
        mean, std = clf.stats["s2"]
        s2 = (mean + std * torch.from_numpy(rng.standard_normal((n, mean.shape[1], p, p)).astype("f4")))
    probs = clf.classify(s1, s2)
    print("loaded %s strictly; forward on %d random patches: probabilities %s" % (
        argv[2], n, np.array2string(probs[:, :5], precision=4)))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
