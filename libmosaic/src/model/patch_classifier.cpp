#include "mosaic/patch_classifier.h"

#include <cmath>

#include <torch/torch.h>

#include "mosaic/device.h"
#include "mosaic/model_bundle.h"
#include "mosaic/nn/autocast_guard.h"

namespace mosaic {

struct PatchClassifier::Impl {
  ModelManifest manifest;
  nn::DualStreamModel model{nullptr};
  torch::Device device{torch::kCPU};
  // bf16/fp16: the forward pass runs under CUDA autocast (CUDA devices only).
  nn::Precision precision = nn::Precision::kFloat32;
  // Normalisation as [1, C, 1, 1] tensors on the device.
  torch::Tensor s1_mean, s1_std, s2_mean, s2_std;
};

namespace {

torch::Tensor StatTensor(const std::vector<double>& values, const torch::Device& device) {
  return torch::tensor(values, torch::kFloat64)
      .to(torch::kFloat32)
      .view({1, static_cast<int64_t>(values.size()), 1, 1})
      .to(device);
}

// Wraps a caller buffer (no copy), checks values, moves to the device and normalises.
StatusOr<torch::Tensor> PrepareInput(const float* data, const PatchBatch& batch,
                                     const ModalitySpec& spec, const torch::Tensor& mean,
                                     const torch::Tensor& std, const torch::Device& device,
                                     const char* modality) {
  const int64_t channels = static_cast<int64_t>(spec.bands.size());
  torch::Tensor raw =
      torch::from_blob(const_cast<float*>(data), {batch.count, channels, batch.height, batch.width},
                       torch::kFloat32);
  // Checked on the device: on a GPU that is far cheaper than a pass over the
  // whole batch on the CPU.
  torch::Tensor moved = raw.to(device);
  if (!batch.values_checked && !torch::isfinite(moved).all().item<bool>()) {
    return Status::InvalidArgument(std::string("the ") + modality +
                                   " input holds NaN or infinite values; mask nodata first");
  }
  if (batch.normalized) return moved;
  return (moved - mean) / std;
}

}  // namespace

PatchClassifier::PatchClassifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PatchClassifier::~PatchClassifier() = default;

StatusOr<std::unique_ptr<PatchClassifier>> PatchClassifier::Open(const std::string& bundle_path,
                                                                 const ClassifierOptions& options) {
  StatusOr<torch::Device> device = ParseDevice(options.device);
  if (!device.ok()) return device.status();
  StatusOr<nn::Precision> precision = nn::ParsePrecision(options.precision);
  if (!precision.ok()) {
    return Status::InvalidArgument("precision: expected fp32, bf16 or fp16, got '" +
                                   options.precision + "'");
  }
  if (nn::IsMixed(*precision) && !device->is_cuda()) {
    return Status::InvalidArgument("precision " + options.precision +
                                   ": mixed precision needs a CUDA device, got device '" +
                                   options.device + "'");
  }
  if (options.num_threads < 0) {
    return Status::InvalidArgument("num_threads: expected >= 0, got " +
                                   std::to_string(options.num_threads));
  }
  StatusOr<LoadedModel> loaded = LoadModelBundle(bundle_path);
  if (!loaded.ok()) return loaded.status();
  try {
    if (options.num_threads > 0) torch::set_num_threads(options.num_threads);
    auto impl = std::make_unique<Impl>();
    impl->manifest = std::move(loaded->manifest);
    impl->model = loaded->model;
    impl->device = *device;
    impl->precision = *precision;
    impl->model->to(impl->device);
    impl->model->eval();
    const ModelManifest& m = impl->manifest;
    if (m.s1.present()) {
      impl->s1_mean = StatTensor(m.s1.normalization.mean, impl->device);
      impl->s1_std = StatTensor(m.s1.normalization.std, impl->device);
    }
    if (m.s2.present()) {
      impl->s2_mean = StatTensor(m.s2.normalization.mean, impl->device);
      impl->s2_std = StatTensor(m.s2.normalization.std, impl->device);
    }
    return std::unique_ptr<PatchClassifier>(new PatchClassifier(std::move(impl)));
  } catch (const c10::Error& e) {
    return Status::Internal("preparing model '" + bundle_path + "' on " + options.device + ": " +
                            e.what_without_backtrace());
  }
}

const ModelManifest& PatchClassifier::manifest() const { return impl_->manifest; }

std::string PatchClassifier::device() const { return impl_->device.str(); }

Status PatchClassifier::Classify(const PatchBatch& batch, HeadChoice head,
                                 std::vector<float>* probabilities) const {
  return Infer(batch, head, probabilities, nullptr);
}

Status PatchClassifier::Infer(const PatchBatch& batch, HeadChoice head,
                              std::vector<float>* probabilities,
                              std::vector<float>* embeddings) const {
  const ModelManifest& m = impl_->manifest;
  if (batch.count <= 0 || batch.height < 8 || batch.width < 8 || batch.height > 8192 ||
      batch.width > 8192) {
    return Status::InvalidArgument(
        "patch batch: expected count >= 1 and 8..8192 pixel sides, got " +
        std::to_string(batch.count) + " patches of " + std::to_string(batch.height) + " x " +
        std::to_string(batch.width));
  }
  const bool use_s1 = batch.s1 != nullptr && head != HeadChoice::kS2;
  const bool use_s2 = batch.s2 != nullptr && head != HeadChoice::kS1;
  if (use_s1 && !m.s1.present()) {
    return Status::InvalidArgument("model '" + m.name + "' has no Sentinel-1 stream");
  }
  if (use_s2 && !m.s2.present()) {
    return Status::InvalidArgument("model '" + m.name + "' has no Sentinel-2 stream");
  }
  if ((head == HeadChoice::kFused && !(use_s1 && use_s2)) || (head == HeadChoice::kS1 && !use_s1) ||
      (head == HeadChoice::kS2 && !use_s2) || (!use_s1 && !use_s2)) {
    return Status::InvalidArgument(
        "patch batch: the chosen head needs input that was not given (fused needs both S1 and S2)");
  }
  try {
    c10::InferenceMode inference_mode;
    torch::Tensor s1, s2;
    if (use_s1) {
      StatusOr<torch::Tensor> t = PrepareInput(batch.s1, batch, m.s1, impl_->s1_mean, impl_->s1_std,
                                               impl_->device, "Sentinel-1");
      if (!t.ok()) return t.status();
      s1 = *t;
    }
    if (use_s2) {
      StatusOr<torch::Tensor> t = PrepareInput(batch.s2, batch, m.s2, impl_->s2_mean, impl_->s2_std,
                                               impl_->device, "Sentinel-2");
      if (!t.ok()) return t.status();
      s2 = *t;
    }
    nn::DualStreamOutput out;
    {
      nn::ScopedAutocast autocast(impl_->precision);
      out = impl_->model->forward(s1, s2);
    }
    // Under bf16/fp16 the outputs are half precision; everything below (the
    // sigmoid, the embedding fusion, the copies out) works in float32.
    for (torch::Tensor* t : {&out.s1_embedding, &out.s2_embedding, &out.s1_logits, &out.s2_logits,
                             &out.fused_logits}) {
      if (t->defined()) *t = t->to(torch::kFloat32);
    }
    torch::Tensor logits = out.fused_logits.defined() ? out.fused_logits
                           : use_s1                   ? out.s1_logits
                                                      : out.s2_logits;
    torch::Tensor probs = torch::sigmoid(logits).to(torch::kCPU).contiguous();
    probabilities->assign(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
    if (embeddings != nullptr) {
      torch::Tensor embedding =
          use_s1 && use_s2 ? torch::cat({out.s1_embedding, out.s2_embedding}, 1) / std::sqrt(2.0)
          : use_s1         ? out.s1_embedding
                           : out.s2_embedding;
      embedding = embedding.to(torch::kFloat32).to(torch::kCPU).contiguous();
      embeddings->assign(embedding.data_ptr<float>(),
                         embedding.data_ptr<float>() + embedding.numel());
    }
    return Status::OK();
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("inference failed: ") + e.what_without_backtrace());
  }
}

}  // namespace mosaic
