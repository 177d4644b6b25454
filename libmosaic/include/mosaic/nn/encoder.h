// Encoder factory: builds a feature encoder (no classifier) by name, so that
// models and bundles can name their backbone with a plain string.
//
// Every encoder takes [N, in_channels, H, W] float32 (NCHW) and returns pooled
// features [N, feature_dim]. Encoder names and their state_dict keys:
//   "resnet18", "resnet34", "resnet50"  ResNet with num_classes = 0
//                                       (torchvision keys without fc; see resnet.h)
//   "small_cnn"                         SmallCnn (see small_cnn.h)
#ifndef MOSAIC_NN_ENCODER_H_
#define MOSAIC_NN_ENCODER_H_

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/export.h"

namespace mosaic::nn {

// Builds the encoder called `name` for `in_channels` input bands, with fresh
// weights. small_cnn_width is the SmallCnn base width and is ignored for the
// ResNets. If feature_dim is not null, stores the encoder's output width there
// (512 for resnet18/34, 2048 for resnet50, 4 * small_cnn_width for small_cnn).
// The returned AnyModule owns the module; its ptr() may be registered as a
// child of another module. forward<torch::Tensor>(x) runs it.
// Throws c10::Error, listing the valid names, if `name` is unknown, and
// c10::Error if in_channels < 1 or small_cnn_width < 1 (for small_cnn).
MOSAIC_EXPORT torch::nn::AnyModule MakeEncoder(const std::string& name, int64_t in_channels,
                                               int64_t small_cnn_width, int64_t* feature_dim);

// The names MakeEncoder accepts, in a stable order:
// {"resnet18", "resnet34", "resnet50", "small_cnn"}.
MOSAIC_EXPORT std::vector<std::string> EncoderNames();

}  // namespace mosaic::nn

#endif  // MOSAIC_NN_ENCODER_H_
