#!/usr/bin/python3
"""Writes a torchvision ResNet reference for the C++ ResNet tests.

Builds torchvision.models.resnet{18,34,50}, adapted the way libmosaic adapts it
(conv1 rebuilt for --in-channels; with --num-classes 0 the fc layer is removed
and the model returns pooled features), gives every BatchNorm non-trivial
statistics so the buffers matter, and writes into --out:

  keys.txt    one line per state_dict entry, in state_dict order:
              "<name> <dtype> [<d0>,<d1>,...]" (dtype float32 or int64;
              a 0-d tensor's shape is "[]")
  weights.bin every float32 entry of the state_dict, in that order,
              concatenated as raw little-endian float32
  input.bin   the input, [batch, in_channels, size, size] little-endian float32
  output.bin  the eval-mode output, [batch, num_classes or feature_dim] float32

Run with /usr/bin/python3 (Debian's python3-torch and python3-torchvision).
"""
import argparse
import os

import numpy as np
import torch
import torchvision


def build_model(arch, in_channels, num_classes):
    constructors = {
        "resnet18": torchvision.models.resnet18,
        "resnet34": torchvision.models.resnet34,
        "resnet50": torchvision.models.resnet50,
    }
    # num_classes must be >= 1 for torchvision; 0 means "drop fc" below.
    model = constructors[arch](num_classes=max(num_classes, 1))
    model.conv1 = torch.nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
    torch.nn.init.kaiming_normal_(model.conv1.weight, mode="fan_out", nonlinearity="relu")
    if num_classes == 0:
        model.fc = torch.nn.Identity()  # no parameters, so no state_dict keys
    return model


def randomise_batchnorm(model):
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.1)
                module.running_mean.normal_(0.0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.num_batches_tracked.fill_(7)


def write_float32(path, tensor):
    array = tensor.detach().contiguous().to(torch.float32).numpy()
    with open(path, "wb") as f:
        f.write(array.astype("<f4").tobytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", required=True, choices=["resnet18", "resnet34", "resnet50"])
    parser.add_argument("--in-channels", type=int, required=True)
    parser.add_argument("--num-classes", type=int, required=True)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--size", type=int, default=64, help="input height and width, pixels")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--out", required=True, help="existing output directory")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    model = build_model(args.arch, args.in_channels, args.num_classes)
    randomise_batchnorm(model)
    model.eval()

    state = model.state_dict()
    dtype_names = {torch.float32: "float32", torch.int64: "int64"}
    with open(os.path.join(args.out, "keys.txt"), "w") as keys, \
            open(os.path.join(args.out, "weights.bin"), "wb") as weights:
        for name, tensor in state.items():
            shape = "[" + ",".join(str(d) for d in tensor.shape) + "]"
            keys.write(f"{name} {dtype_names[tensor.dtype]} {shape}\n")
            if tensor.dtype == torch.float32:
                weights.write(tensor.contiguous().numpy().astype("<f4").tobytes())

    image = torch.randn(args.batch, args.in_channels, args.size, args.size)
    with torch.no_grad():
        output = model(image)
    write_float32(os.path.join(args.out, "input.bin"), image)
    write_float32(os.path.join(args.out, "output.bin"), output)


if __name__ == "__main__":
    main()
