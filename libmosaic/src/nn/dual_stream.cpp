#include "mosaic/nn/dual_stream.h"

#include <algorithm>
#include <vector>

#include "mosaic/nn/encoder.h"
#include "mosaic/nn/projection_head.h"

namespace mosaic::nn {
namespace {

// Checks one modality's input against the stream built for it, naming the
// modality ("s1"/"s2") in every message.
void CheckStreamInput(const char* modality, const torch::Tensor& input, bool has_stream,
                      int64_t in_channels) {
  TORCH_CHECK(has_stream, "DualStreamModel: an ", modality,
              " input was given but the model has no ", modality, " stream (", modality,
              "_encoder is empty)");
  TORCH_CHECK(input.dim() == 4, "DualStreamModel: the ", modality,
              " input must be 4-D [N, C, H, W], got shape ", input.sizes());
  TORCH_CHECK(input.size(1) == in_channels, "DualStreamModel: the ", modality, " input has ",
              input.size(1), " channels but the ", modality, " stream expects ", in_channels, " (",
              modality, "_in_channels)");
}

void CheckEncoderName(const char* modality, const std::string& name) {
  const std::vector<std::string> names = EncoderNames();
  TORCH_CHECK(std::find(names.begin(), names.end(), name) != names.end(),
              "DualStreamModel: ", modality, "_encoder '", name,
              "' is unknown; use resnet18, resnet34, resnet50, small_cnn, or empty for no ",
              modality, " stream");
}

}  // namespace

DualStreamModelImpl::DualStreamModelImpl(const DualStreamModelOptions& model_options)
    : options(model_options) {
  reset();
}

void DualStreamModelImpl::reset() {
  TORCH_CHECK(has_s1() || has_s2(),
              "DualStreamModel: no streams; set s1_encoder and/or s2_encoder to an encoder name");
  TORCH_CHECK(options.num_classes() >= 1, "DualStreamModel: num_classes must be >= 1, got ",
              options.num_classes());
  // Drop the submodules of an earlier reset() so that this one rebuilds cleanly.
  for (const auto& child : named_children()) {
    unregister_module(child.key());
  }
  s1_encoder_ = s2_encoder_ = s1_projection_ = s2_projection_ = torch::nn::AnyModule();
  s1_head_ = s2_head_ = fused_head_ = nullptr;
  s1_feature_dim_ = s2_feature_dim_ = 0;

  // Registration order fixes the order of parameters(): encoders, then
  // projections, then heads.
  if (has_s1()) {
    CheckEncoderName("s1", options.s1_encoder());
    s1_encoder_ = MakeEncoder(options.s1_encoder(), options.s1_in_channels(),
                              options.small_cnn_width(), &s1_feature_dim_);
    register_module("s1_encoder", s1_encoder_.ptr());
  }
  if (has_s2()) {
    CheckEncoderName("s2", options.s2_encoder());
    s2_encoder_ = MakeEncoder(options.s2_encoder(), options.s2_in_channels(),
                              options.small_cnn_width(), &s2_feature_dim_);
    register_module("s2_encoder", s2_encoder_.ptr());
  }
  if (has_s1()) {
    s1_projection_ = torch::nn::AnyModule(ProjectionHead(ProjectionHeadOptions(
        s1_feature_dim_, options.projection_hidden_dim(), options.projection_dim())));
    register_module("s1_projection", s1_projection_.ptr());
  }
  if (has_s2()) {
    s2_projection_ = torch::nn::AnyModule(ProjectionHead(ProjectionHeadOptions(
        s2_feature_dim_, options.projection_hidden_dim(), options.projection_dim())));
    register_module("s2_projection", s2_projection_.ptr());
  }
  if (has_s1()) {
    s1_head_ =
        register_module("s1_head", torch::nn::Linear(s1_feature_dim_, options.num_classes()));
  }
  if (has_s2()) {
    s2_head_ =
        register_module("s2_head", torch::nn::Linear(s2_feature_dim_, options.num_classes()));
  }
  if (has_s1() && has_s2()) {
    fused_head_ = register_module(
        "fused_head", torch::nn::Linear(s1_feature_dim_ + s2_feature_dim_, options.num_classes()));
  }
}

torch::Tensor DualStreamModelImpl::EncodeS1(const torch::Tensor& s1) {
  CheckStreamInput("s1", s1, has_s1(), options.s1_in_channels());
  return s1_encoder_.forward(s1);
}

torch::Tensor DualStreamModelImpl::EncodeS2(const torch::Tensor& s2) {
  CheckStreamInput("s2", s2, has_s2(), options.s2_in_channels());
  return s2_encoder_.forward(s2);
}

DualStreamOutput DualStreamModelImpl::forward(const torch::Tensor& s1, const torch::Tensor& s2) {
  TORCH_CHECK(s1.defined() || s2.defined(),
              "DualStreamModel: no input given; pass an s1 and/or an s2 tensor [N, C, H, W]");
  if (s1.defined()) {
    CheckStreamInput("s1", s1, has_s1(), options.s1_in_channels());
  }
  if (s2.defined()) {
    CheckStreamInput("s2", s2, has_s2(), options.s2_in_channels());
  }
  if (s1.defined() && s2.defined()) {
    TORCH_CHECK(s1.size(0) == s2.size(0), "DualStreamModel: the s1 and s2 inputs have different ",
                "batch sizes (", s1.size(0), " vs ", s2.size(0), ")");
  }

  DualStreamOutput out;
  if (s1.defined()) {
    out.s1_features = EncodeS1(s1);
    out.s1_embedding = s1_projection_.forward(out.s1_features);
    out.s1_logits = s1_head_(out.s1_features);
  }
  if (s2.defined()) {
    out.s2_features = EncodeS2(s2);
    out.s2_embedding = s2_projection_.forward(out.s2_features);
    out.s2_logits = s2_head_(out.s2_features);
  }
  if (s1.defined() && s2.defined()) {
    out.fused_logits = fused_head_(torch::cat({out.s1_features, out.s2_features}, /*dim=*/1));
  }
  return out;
}

void DualStreamModelImpl::pretty_print(std::ostream& stream) const {
  stream << "mosaic::nn::DualStreamModel(s1_encoder=" << options.s1_encoder()
         << ", s2_encoder=" << options.s2_encoder()
         << ", s1_in_channels=" << options.s1_in_channels()
         << ", s2_in_channels=" << options.s2_in_channels()
         << ", num_classes=" << options.num_classes()
         << ", projection_dim=" << options.projection_dim()
         << ", projection_hidden_dim=" << options.projection_hidden_dim() << ")";
}

}  // namespace mosaic::nn
