// The MoSAiC dual-stream model: one encoder per modality (no weight sharing),
// a projection head per modality for the contrastive terms, and multi-label
// classification heads over the fused and the single-modality features.
//
// Tensor layout is NCHW float32. s1 holds the Sentinel-1 bands and s2 the
// Sentinel-2 bands, both already normalised and on the same 10 m grid.
//
// Parameter names (state_dict keys) are part of the bundle format and must stay
// stable:
//   s1_encoder.*  s2_encoder.*      torchvision-style ResNet or SmallCnn keys
//   s1_projection.* s2_projection.* ProjectionHead keys
//   s1_head.* s2_head.*             Linear(feature_dim, num_classes)
//   fused_head.*                    Linear(s1_dim + s2_dim, num_classes), only
//                                   when both modalities are present
// Thread-safety: like any torch::nn::Module, forward() may be called from
// several threads in eval mode under torch::NoGradGuard; training is single-threaded.
#ifndef MOSAIC_NN_DUAL_STREAM_H_
#define MOSAIC_NN_DUAL_STREAM_H_

#include <torch/torch.h>

#include <string>

namespace mosaic::nn {

struct DualStreamModelOptions {
  // Encoder architecture per modality: "resnet18", "resnet34", "resnet50" or
  // "small_cnn". An empty string means the model has no stream for that
  // modality (at least one stream is required).
  TORCH_ARG(std::string, s1_encoder) = "resnet18";
  TORCH_ARG(std::string, s2_encoder) = "resnet18";
  TORCH_ARG(int64_t, s1_in_channels) = 2;
  TORCH_ARG(int64_t, s2_in_channels) = 12;
  TORCH_ARG(int64_t, num_classes) = 19;
  // Projection head: Linear(feature_dim, hidden) -> BN -> ReLU -> Linear(hidden, dim).
  TORCH_ARG(int64_t, projection_dim) = 128;
  TORCH_ARG(int64_t, projection_hidden_dim) = 512;
  // Base width of the "small_cnn" encoder (ignored for ResNets).
  TORCH_ARG(int64_t, small_cnn_width) = 32;
};

// Everything one forward pass produces. Tensors of an absent or unused
// modality are undefined (check with .defined()).
struct DualStreamOutput {
  torch::Tensor s1_features;   // [N, s1_feature_dim] pooled encoder output
  torch::Tensor s2_features;   // [N, s2_feature_dim]
  torch::Tensor s1_embedding;  // [N, projection_dim], L2-normalised
  torch::Tensor s2_embedding;  // [N, projection_dim], L2-normalised
  torch::Tensor s1_logits;     // [N, num_classes] from s1_head
  torch::Tensor s2_logits;     // [N, num_classes] from s2_head
  torch::Tensor fused_logits;  // [N, num_classes] from fused_head (both inputs given)
};

class DualStreamModelImpl : public torch::nn::Module {
 public:
  explicit DualStreamModelImpl(const DualStreamModelOptions& options);

  void reset();

  // Runs every stream whose input is defined. Either input may be an undefined
  // tensor (modality missing); at least one must be defined, and a defined
  // input's modality must exist in the model. Inputs: [N, C, H, W] with C equal
  // to the configured in_channels; both inputs have the same N.
  DualStreamOutput forward(const torch::Tensor& s1, const torch::Tensor& s2);

  // Pooled features of one stream: [N, feature_dim].
  torch::Tensor EncodeS1(const torch::Tensor& s1);
  torch::Tensor EncodeS2(const torch::Tensor& s2);

  bool has_s1() const { return !options.s1_encoder().empty(); }
  bool has_s2() const { return !options.s2_encoder().empty(); }
  int64_t s1_feature_dim() const { return s1_feature_dim_; }
  int64_t s2_feature_dim() const { return s2_feature_dim_; }

  void pretty_print(std::ostream& stream) const override;

  DualStreamModelOptions options;

 private:
  int64_t s1_feature_dim_ = 0;
  int64_t s2_feature_dim_ = 0;
  torch::nn::AnyModule s1_encoder_, s2_encoder_;
  torch::nn::AnyModule s1_projection_, s2_projection_;
  torch::nn::Linear s1_head_{nullptr}, s2_head_{nullptr}, fused_head_{nullptr};
};
TORCH_MODULE(DualStreamModel);

}  // namespace mosaic::nn

#endif  // MOSAIC_NN_DUAL_STREAM_H_
