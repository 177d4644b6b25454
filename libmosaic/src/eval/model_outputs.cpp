#include "mosaic/eval/model_outputs.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "mosaic/data/loader.h"
#include "mosaic/device.h"
#include "mosaic/model_bundle.h"

namespace mosaic::eval {
namespace {

const char* ModalityLabel(bool s1) { return s1 ? "Sentinel-1" : "Sentinel-2"; }

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

// The dataset's bands of one modality against the manifest's.
Status CheckBands(const std::vector<std::string>& manifest_bands,
                  const std::vector<std::string>& dataset_bands, bool s1) {
  if (manifest_bands == dataset_bands) return Status::OK();
  for (const std::string& band : manifest_bands) {
    if (std::find(dataset_bands.begin(), dataset_bands.end(), band) == dataset_bands.end()) {
      return Status::InvalidArgument(std::string("dataset has no ") + ModalityLabel(s1) +
                                     " band '" + band + "' that the model needs (model bands " +
                                     Join(manifest_bands) + ", dataset bands " +
                                     Join(dataset_bands) + ")");
    }
  }
  for (const std::string& band : dataset_bands) {
    if (std::find(manifest_bands.begin(), manifest_bands.end(), band) == manifest_bands.end()) {
      return Status::InvalidArgument(std::string("dataset has ") + ModalityLabel(s1) + " band '" +
                                     band + "' that the model does not use (model bands " +
                                     Join(manifest_bands) + ", dataset bands " +
                                     Join(dataset_bands) + "); select the model's bands");
    }
  }
  return Status::InvalidArgument(std::string(ModalityLabel(s1)) +
                                 " band order differs: the model expects " + Join(manifest_bands) +
                                 ", the dataset delivers " + Join(dataset_bands));
}

// The per-sample vectors of `choice` (never kAuto) from `source` (see
// FeatureSource): each stream has unit norm, two streams are concatenated and
// scaled by 1/sqrt(2), so the result has unit norm too.
torch::Tensor SelectEmbedding(const nn::DualStreamOutput& result, EmbeddingChoice choice,
                              FeatureSource source) {
  namespace F = torch::nn::functional;
  auto stream = [&](bool s1) -> torch::Tensor {
    if (source == FeatureSource::kProjection) {
      return s1 ? result.s1_embedding : result.s2_embedding;  // normalised by the model
    }
    const torch::Tensor& features = s1 ? result.s1_features : result.s2_features;
    return F::normalize(features, F::NormalizeFuncOptions().p(2.0).dim(1).eps(1e-12));
  };
  switch (choice) {
    case EmbeddingChoice::kS1:
      return stream(true);
    case EmbeddingChoice::kS2:
      return stream(false);
    default:  // kFused; both halves are unit-norm, so the result is too
      return torch::cat({stream(true), stream(false)}, 1) / std::sqrt(2.0);
  }
}

}  // namespace

StatusOr<EmbeddingChoice> ParseEmbeddingChoice(const std::string& name) {
  if (name == "auto") return EmbeddingChoice::kAuto;
  if (name == "fused") return EmbeddingChoice::kFused;
  if (name == "s1") return EmbeddingChoice::kS1;
  if (name == "s2") return EmbeddingChoice::kS2;
  return Status::InvalidArgument("embedding '" + name + "': expected auto, fused, s1 or s2");
}

const char* EmbeddingChoiceName(EmbeddingChoice choice) {
  switch (choice) {
    case EmbeddingChoice::kAuto:
      return "auto";
    case EmbeddingChoice::kFused:
      return "fused";
    case EmbeddingChoice::kS1:
      return "s1";
    case EmbeddingChoice::kS2:
      return "s2";
  }
  return "auto";
}

StatusOr<FeatureSource> ParseFeatureSource(const std::string& name) {
  if (name == "projection") return FeatureSource::kProjection;
  if (name == "encoder") return FeatureSource::kEncoder;
  return Status::InvalidArgument("features '" + name + "': expected encoder or projection");
}

const char* FeatureSourceName(FeatureSource source) {
  switch (source) {
    case FeatureSource::kProjection:
      return "projection";
    case FeatureSource::kEncoder:
      return "encoder";
  }
  return "projection";
}

const char* HeadChoiceName(HeadChoice choice) {
  switch (choice) {
    case HeadChoice::kAuto:
      return "auto";
    case HeadChoice::kFused:
      return "fused";
    case HeadChoice::kS1:
      return "s1";
    case HeadChoice::kS2:
      return "s2";
  }
  return "auto";
}

StatusOr<RunPlan> PlanModelRun(const ModelManifest& manifest, const data::PatchDataset& dataset,
                               const ModelRunOptions& options) {
  const bool model_s1 = manifest.s1.present(), model_s2 = manifest.s2.present();
  const bool data_s1 = !dataset.s1_bands().empty(), data_s2 = !dataset.s2_bands().empty();
  if (model_s1 && data_s1)
    MOSAIC_RETURN_IF_ERROR(CheckBands(manifest.s1.bands, dataset.s1_bands(), true));
  if (model_s2 && data_s2)
    MOSAIC_RETURN_IF_ERROR(CheckBands(manifest.s2.bands, dataset.s2_bands(), false));
  const bool has_s1 = model_s1 && data_s1, has_s2 = model_s2 && data_s2;
  if (!has_s1 && !has_s2) {
    return Status::InvalidArgument("model '" + manifest.name + "' and dataset " +
                                   dataset.description() + " share no modality");
  }
  auto need = [&](bool s1, const char* what) -> Status {
    if (s1 ? has_s1 : has_s2) return Status::OK();
    return Status::InvalidArgument(
        std::string(what) + " needs " + ModalityLabel(s1) + " input, but the " +
        ((s1 ? model_s1 : model_s2) ? "dataset" : "model") + " has none");
  };

  RunPlan plan;
  plan.head = options.head;
  if (plan.head == HeadChoice::kAuto) {
    plan.head = has_s1 && has_s2 ? HeadChoice::kFused : has_s1 ? HeadChoice::kS1 : HeadChoice::kS2;
  }
  if (plan.head != HeadChoice::kS2)
    MOSAIC_RETURN_IF_ERROR(need(true, (std::string("head ") + HeadChoiceName(plan.head)).c_str()));
  if (plan.head != HeadChoice::kS1)
    MOSAIC_RETURN_IF_ERROR(need(false, (std::string("head ") + HeadChoiceName(plan.head)).c_str()));

  if (options.compute_embeddings) {
    plan.embedding = options.embedding;
    if (plan.embedding == EmbeddingChoice::kAuto) {
      plan.embedding = has_s1 && has_s2 ? EmbeddingChoice::kFused
                       : has_s1         ? EmbeddingChoice::kS1
                                        : EmbeddingChoice::kS2;
    }
    const std::string what = std::string("embedding ") + EmbeddingChoiceName(plan.embedding);
    if (plan.embedding != EmbeddingChoice::kS2) MOSAIC_RETURN_IF_ERROR(need(true, what.c_str()));
    if (plan.embedding != EmbeddingChoice::kS1) MOSAIC_RETURN_IF_ERROR(need(false, what.c_str()));
  }

  const std::vector<std::string>& model_classes = manifest.class_names;
  const std::vector<std::string>& data_classes = dataset.class_names();
  for (const std::string& name : model_classes) {
    auto it = std::find(data_classes.begin(), data_classes.end(), name);
    if (it == data_classes.end()) {
      return Status::InvalidArgument("dataset " + dataset.description() + " has no class '" + name +
                                     "' that model '" + manifest.name + "' predicts");
    }
    plan.class_permutation.push_back(static_cast<int64_t>(it - data_classes.begin()));
  }
  for (const std::string& name : data_classes) {
    if (std::find(model_classes.begin(), model_classes.end(), name) == model_classes.end()) {
      return Status::InvalidArgument("dataset class '" + name + "' is not a class of model '" +
                                     manifest.name + "'");
    }
  }
  if (data_classes.size() != model_classes.size()) {
    return Status::InvalidArgument("dataset " + dataset.description() +
                                   " lists a class more than once");
  }
  return plan;
}

StatusOr<ModelOutputs> RunModelOnDataset(const std::string& bundle_path,
                                         std::shared_ptr<const data::PatchDataset> dataset,
                                         const std::vector<size_t>& indices,
                                         const ModelRunOptions& options) {
  StatusOr<LoadedModel> loaded = LoadModelBundle(bundle_path);
  if (!loaded.ok()) return loaded.status();
  return RunModelOnDataset(*loaded, std::move(dataset), indices, options);
}

StatusOr<ModelOutputs> RunModelOnDataset(const LoadedModel& model,
                                         std::shared_ptr<const data::PatchDataset> dataset,
                                         const std::vector<size_t>& indices,
                                         const ModelRunOptions& options) {
  if (dataset == nullptr) return Status::InvalidArgument("dataset: null");
  if (indices.empty()) return Status::InvalidArgument("no sample to run the model on");
  if (options.batch_size < 1) {
    return Status::InvalidArgument("batch_size: expected >= 1, got " +
                                   std::to_string(options.batch_size));
  }
  for (size_t index : indices) {
    if (index >= dataset->size()) {
      return Status::InvalidArgument("sample index " + std::to_string(index) +
                                     " out of range (dataset has " +
                                     std::to_string(dataset->size()) + " samples)");
    }
  }
  const ModelManifest& manifest = model.manifest;
  StatusOr<RunPlan> plan = PlanModelRun(manifest, *dataset, options);
  if (!plan.ok()) return plan.status();
  StatusOr<torch::Device> device = ParseDevice(options.device);
  if (!device.ok()) return device.status();

  const bool use_s1 = plan->head != HeadChoice::kS2 ||
                      (options.compute_embeddings && plan->embedding != EmbeddingChoice::kS2);
  const bool use_s2 = plan->head != HeadChoice::kS1 ||
                      (options.compute_embeddings && plan->embedding != EmbeddingChoice::kS1);

  data::LoaderOptions loader_options;
  loader_options.batch_size = options.batch_size;
  loader_options.drop_last = false;
  loader_options.shuffle = false;
  loader_options.indices = indices;
  loader_options.two_views = false;
  loader_options.augment = false;
  loader_options.num_workers = options.num_workers;
  // Normalisation from the manifest for every modality the model reads; a
  // dataset modality the model lacks is normalised by default and unused.
  if (manifest.s1.present() && !dataset->s1_bands().empty()) {
    loader_options.s1_normalization = manifest.s1.normalization;
  }
  if (manifest.s2.present() && !dataset->s2_bands().empty()) {
    loader_options.s2_normalization = manifest.s2.normalization;
  }
  StatusOr<std::unique_ptr<data::Loader>> loader =
      data::Loader::Create(dataset, std::move(loader_options));
  if (!loader.ok()) return loader.status();

  ModelOutputs out;
  out.num_classes = static_cast<int64_t>(manifest.class_names.size());
  out.class_names = manifest.class_names;
  out.head = plan->head;
  out.embedding = options.compute_embeddings ? plan->embedding : EmbeddingChoice::kAuto;
  out.features = options.features;
  out.indices = indices;
  out.ids.reserve(indices.size());
  for (size_t index : indices) out.ids.push_back(dataset->record(index).id);

  try {
    nn::DualStreamModel net = model.model;
    net->to(*device);
    net->eval();
    c10::InferenceMode inference_mode;
    const torch::Tensor permutation = torch::tensor(plan->class_permutation, torch::kInt64);
    data::Batch batch;
    for (;;) {
      StatusOr<bool> got = (*loader)->Next(&batch);
      if (!got.ok()) return got.status();
      if (!*got) break;
      torch::Tensor s1 = use_s1 ? batch.s1.to(*device) : torch::Tensor();
      torch::Tensor s2 = use_s2 ? batch.s2.to(*device) : torch::Tensor();
      nn::DualStreamOutput result = net->forward(s1, s2);
      const torch::Tensor& logits = plan->head == HeadChoice::kFused ? result.fused_logits
                                    : plan->head == HeadChoice::kS1  ? result.s1_logits
                                                                     : result.s2_logits;
      torch::Tensor probs = torch::sigmoid(logits).to(torch::kCPU, torch::kFloat32).contiguous();
      out.scores.insert(out.scores.end(), probs.data_ptr<float>(),
                        probs.data_ptr<float>() + probs.numel());
      torch::Tensor targets =
          batch.labels.index_select(1, permutation).to(torch::kUInt8).contiguous();
      out.targets.insert(out.targets.end(), targets.data_ptr<uint8_t>(),
                         targets.data_ptr<uint8_t>() + targets.numel());
      if (options.compute_embeddings) {
        torch::Tensor embedding = SelectEmbedding(result, plan->embedding, options.features)
                                      .to(torch::kCPU, torch::kFloat32)
                                      .contiguous();
        out.embedding_dim = embedding.size(1);
        out.embeddings.insert(out.embeddings.end(), embedding.data_ptr<float>(),
                              embedding.data_ptr<float>() + embedding.numel());
      }
      out.num_samples += batch.size();
    }
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("running model '") + manifest.name +
                            "' failed: " + e.what_without_backtrace());
  }
  if (out.num_samples != static_cast<int64_t>(indices.size())) {
    return Status::Internal("the loader delivered " + std::to_string(out.num_samples) +
                            " samples, expected " + std::to_string(indices.size()));
  }
  return out;
}

}  // namespace mosaic::eval
