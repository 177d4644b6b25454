// ProjectionHead: the MLP that maps encoder features into the space where the
// contrastive losses compare samples (SimCLR-style).
//
//   Linear(in_features, hidden_features) -> BatchNorm1d(hidden_features) -> ReLU
//   -> Linear(hidden_features, out_features) -> L2 normalisation along dim 1
//
// Input:  [N, in_features] float32.
// Output: [N, out_features], every row of unit L2 norm (eps 1e-12, so an
//         all-zero row stays zero instead of becoming NaN).
// In training mode BatchNorm1d needs N >= 2; eval mode accepts N = 1.
//
// Parameter and buffer names (state_dict keys):
//   fc1.{weight,bias}                                       [hidden, in], [hidden]
//   bn1.{weight,bias,running_mean,running_var,num_batches_tracked}
//   fc2.{weight,bias}                                       [out, hidden], [out]
//
// Thread-safety: like any torch::nn::Module, forward() may be called from
// several threads in eval mode under torch::NoGradGuard; training is
// single-threaded.
#ifndef MOSAIC_NN_PROJECTION_HEAD_H_
#define MOSAIC_NN_PROJECTION_HEAD_H_

#include <torch/torch.h>

#include <cstdint>
#include <ostream>

#include "mosaic/export.h"

namespace mosaic::nn {

struct MOSAIC_EXPORT ProjectionHeadOptions {
  ProjectionHeadOptions(int64_t in_features, int64_t hidden_features, int64_t out_features)
      : in_features_(in_features), hidden_features_(hidden_features), out_features_(out_features) {}

  // Width of the encoder features fed in, >= 1.
  TORCH_ARG(int64_t, in_features);
  // Width of the hidden layer, >= 1.
  TORCH_ARG(int64_t, hidden_features);
  // Width of the embedding, >= 1.
  TORCH_ARG(int64_t, out_features);
};

class MOSAIC_EXPORT ProjectionHeadImpl : public torch::nn::Module {
 public:
  // Throws c10::Error if any width is < 1.
  explicit ProjectionHeadImpl(const ProjectionHeadOptions& options);

  // (Re)builds every submodule from `options` with fresh weights.
  void reset();

  // features: [N, in_features]. Returns [N, out_features], rows L2-normalised.
  // Throws c10::Error if features is not 2-D with in_features columns.
  torch::Tensor forward(const torch::Tensor& features);

  void pretty_print(std::ostream& stream) const override;

  ProjectionHeadOptions options;

 private:
  torch::nn::Linear fc1_{nullptr};
  torch::nn::BatchNorm1d bn1_{nullptr};
  torch::nn::Linear fc2_{nullptr};
};
TORCH_MODULE(ProjectionHead);

}  // namespace mosaic::nn

#endif  // MOSAIC_NN_PROJECTION_HEAD_H_
