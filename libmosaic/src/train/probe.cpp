#include "mosaic/train/probe.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "mosaic/train/label_fraction.h"
#include "train/train_loop.h"

namespace mosaic::train {
namespace {

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool IsHead(const std::string& name) {
  return StartsWith(name, "s1_head.") || StartsWith(name, "s2_head.") ||
         StartsWith(name, "fused_head.");
}

bool IsEncoder(const std::string& name) {
  return StartsWith(name, "s1_encoder.") || StartsWith(name, "s2_encoder.");
}

}  // namespace

StatusOr<std::unique_ptr<Prober>> Prober::Create(std::shared_ptr<const data::PatchDataset> dataset,
                                                 ModelManifest manifest, nn::DualStreamModel model,
                                                 ProbeOptions options) {
  if (!dataset) return Status::InvalidArgument("probe: no dataset");
  if (!model) return Status::InvalidArgument("probe: no model");
  MOSAIC_RETURN_IF_ERROR(internal::ValidateOptimization(options.optimization));
  if (!(options.encoder_lr_scale >= 0.0)) {
    return Status::InvalidArgument("--encoder-lr-scale: expected >= 0");
  }
  auto check_bands = [&](const ModalitySpec& spec, const std::vector<std::string>& bands,
                         const char* name) -> Status {
    if (spec.present() && spec.bands != bands) {
      std::string want;
      for (const std::string& b : spec.bands) want += (want.empty() ? "" : ",") + b;
      return Status::InvalidArgument(std::string("probe: the model's ") + name + " bands are " +
                                     want + " but " + dataset->description() +
                                     " delivers others (select them with --" +
                                     (name[1] == '1' ? "s1" : "s2") + "-bands)");
    }
    if (!spec.present() && !bands.empty()) {
      return Status::InvalidArgument(std::string("probe: the model has no ") + name +
                                     " stream; open the dataset without " + name);
    }
    return Status::OK();
  };
  MOSAIC_RETURN_IF_ERROR(check_bands(manifest.s1, dataset->s1_bands(), "S1"));
  MOSAIC_RETURN_IF_ERROR(check_bands(manifest.s2, dataset->s2_bands(), "S2"));
  if (manifest.class_names != dataset->class_names()) {
    return Status::InvalidArgument("probe: the model's classes differ from those of " +
                                   dataset->description());
  }
  const std::vector<size_t> indices = data::IndicesOfSplit(*dataset, options.optimization.split);
  if (indices.empty()) {
    return Status::InvalidArgument("--split: " + dataset->description() +
                                   " has no patch in split '" + options.optimization.split + "'");
  }
  StatusOr<std::vector<bool>> mask = LabelledMask(
      *dataset, indices, options.optimization.label_fraction, options.optimization.seed);
  if (!mask.ok()) return mask.status().WithContext("--label-fraction");
  auto prober = std::unique_ptr<Prober>(new Prober());
  for (size_t i : indices) {
    if ((*mask)[i]) prober->labelled_indices_.push_back(i);
  }
  if (prober->labelled_indices_.empty()) {
    return Status::InvalidArgument("--label-fraction 0: probing needs labelled samples");
  }
  prober->dataset_ = std::move(dataset);
  prober->manifest_ = std::move(manifest);
  prober->model_ = std::move(model);
  prober->options_ = std::move(options);
  return prober;
}

StatusOr<TrainSummary> Prober::Run() {
  const OptimizationOptions& opt = options_.optimization;
  internal::LoopSetup setup;
  setup.dataset = dataset_;
  setup.loader.indices = labelled_indices_;
  setup.loader.drop_last = options_.finetune;  // a batch of one breaks batch norm in train mode
  setup.loader.augmentation = data::AugmentOptions::None();
  setup.loader.augmentation.hflip_probability = 0.5;
  setup.loader.augmentation.vflip_probability = 0.5;
  setup.loader.augmentation.rot90_probability = 0.5;
  setup.loader.s1_normalization = manifest_.s1.normalization;
  setup.loader.s2_normalization = manifest_.s2.normalization;
  setup.model = model_;
  setup.objective = losses::ObjectivePreset("supervised");
  setup.eval_mode = !options_.finetune;
  setup.kind = "probe";
  internal::ParamGroup heads{{}, 1.0};
  internal::ParamGroup encoders{{}, options_.encoder_lr_scale};
  for (auto& item : model_->named_parameters()) {
    torch::Tensor& p = item.value();
    if (IsHead(item.key())) {
      p.set_requires_grad(true);
      heads.params.push_back(p);
    } else if (options_.finetune && IsEncoder(item.key())) {
      p.set_requires_grad(true);
      encoders.params.push_back(p);
    } else {
      p.set_requires_grad(false);
    }
  }
  setup.groups.push_back(heads);
  if (!encoders.params.empty()) setup.groups.push_back(encoders);
  StatusOr<TrainSummary> summary = internal::RunLoop(setup, opt);
  for (auto& p : model_->parameters()) p.set_requires_grad(true);
  if (!summary.ok()) return summary;

  nlohmann::ordered_json j = nlohmann::ordered_json::parse(manifest_.training_json, nullptr, false);
  if (!j.is_object()) j = nlohmann::ordered_json::object();
  j["probe"] = {{"mode", options_.finetune ? "finetune" : "linear"},
                {"loss", "bce(fused, s1, s2)"},
                {"optimizer", opt.optimizer},
                {"learning_rate", opt.learning_rate},
                {"encoder_lr_scale", options_.finetune ? options_.encoder_lr_scale : 0.0},
                {"weight_decay", opt.weight_decay},
                {"warmup_steps", opt.warmup_steps},
                {"batch_size", opt.batch_size},
                {"steps", summary->steps},
                {"total_steps", summary->total_steps},
                {"augment", opt.augment},
                {"label_fraction", opt.label_fraction},
                {"num_labelled", summary->num_samples},
                {"seed", opt.seed},
                {"split", opt.split},
                {"dataset", dataset_->description()},
                {"final_losses", summary->final_losses}};
  manifest_.training_json = j.dump();
  return summary;
}

}  // namespace mosaic::train
