#include "mosaic/nn/projection_head.h"

#include "mosaic/nn/sync_batch_norm.h"

namespace mosaic::nn {

ProjectionHeadImpl::ProjectionHeadImpl(const ProjectionHeadOptions& projection_options)
    : options(projection_options) {
  reset();
}

void ProjectionHeadImpl::reset() {
  TORCH_CHECK(
      options.in_features() >= 1 && options.hidden_features() >= 1 && options.out_features() >= 1,
      "ProjectionHead: widths must be >= 1, got in_features=", options.in_features(),
      ", hidden_features=", options.hidden_features(), ", out_features=", options.out_features());
  // Drop the submodules of an earlier reset() so that this one rebuilds cleanly.
  for (const auto& child : named_children()) {
    unregister_module(child.key());
  }
  fc1_ =
      register_module("fc1", torch::nn::Linear(options.in_features(), options.hidden_features()));
  bn1_ = register_module("bn1", torch::nn::BatchNorm1d(options.hidden_features()));
  fc2_ =
      register_module("fc2", torch::nn::Linear(options.hidden_features(), options.out_features()));
}

torch::Tensor ProjectionHeadImpl::forward(const torch::Tensor& features) {
  TORCH_CHECK(features.dim() == 2 && features.size(1) == options.in_features(),
              "ProjectionHead: expected features of shape [N, ", options.in_features(),
              "], got shape ", features.sizes());
  torch::Tensor hidden = torch::relu(BatchNormForward(*bn1_, fc1_(features)));
  return torch::nn::functional::normalize(
      fc2_(hidden), torch::nn::functional::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
}

void ProjectionHeadImpl::pretty_print(std::ostream& stream) const {
  stream << "mosaic::nn::ProjectionHead(in_features=" << options.in_features()
         << ", hidden_features=" << options.hidden_features()
         << ", out_features=" << options.out_features() << ")";
}

}  // namespace mosaic::nn
