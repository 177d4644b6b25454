#include "mosaic/nn/encoder.h"

#include "mosaic/nn/resnet.h"
#include "mosaic/nn/small_cnn.h"

namespace mosaic::nn {
namespace {

// "resnet18, resnet34, ..." for error messages.
std::string JoinedEncoderNames() {
  std::string joined;
  for (const std::string& name : EncoderNames()) {
    joined += (joined.empty() ? "" : ", ") + name;
  }
  return joined;
}

}  // namespace

std::vector<std::string> EncoderNames() {
  return {"resnet18", "resnet34", "resnet50", "small_cnn"};
}

torch::nn::AnyModule MakeEncoder(const std::string& name, int64_t in_channels,
                                 int64_t small_cnn_width, int64_t* feature_dim) {
  int64_t depth = 0;
  if (name == "resnet18") {
    depth = 18;
  } else if (name == "resnet34") {
    depth = 34;
  } else if (name == "resnet50") {
    depth = 50;
  } else if (name == "small_cnn") {
    SmallCnn encoder(SmallCnnOptions(in_channels).width(small_cnn_width));
    if (feature_dim != nullptr) {
      *feature_dim = encoder->feature_dim();
    }
    return torch::nn::AnyModule(encoder);
  } else {
    TORCH_CHECK(false, "unknown encoder '", name, "'; valid names are: ", JoinedEncoderNames());
  }
  ResNet encoder(ResNetOptions(depth).in_channels(in_channels).num_classes(0));
  if (feature_dim != nullptr) {
    *feature_dim = encoder->feature_dim();
  }
  return torch::nn::AnyModule(encoder);
}

}  // namespace mosaic::nn
