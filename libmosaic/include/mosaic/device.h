// Parsing the device names that every command and API accepts.
// Uses torch types: part of the researcher-facing C++ API.
#ifndef MOSAIC_DEVICE_H_
#define MOSAIC_DEVICE_H_

#include <torch/torch.h>

#include <string>

#include "mosaic/status.h"

namespace mosaic {

// "cpu", "cuda" (device 0) or "cuda:N". InvalidArgument for anything else or
// an index beyond the visible GPUs; Unsupported when CUDA is requested but
// this LibTorch build has no CUDA or no GPU is visible.
StatusOr<torch::Device> ParseDevice(const std::string& name);

}  // namespace mosaic

#endif  // MOSAIC_DEVICE_H_
