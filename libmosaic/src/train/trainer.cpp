#include "mosaic/train/trainer.h"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "mosaic/data/band_statistics.h"
#include "mosaic/model_bundle.h"
#include "mosaic/train/label_fraction.h"
#include "train/train_loop.h"

namespace mosaic::train {
namespace {

nlohmann::ordered_json ObjectiveJson(const losses::ObjectiveOptions& o) {
  return {
      {"lambda_intra", o.lambda_intra()},
      {"lambda_inter", o.lambda_inter()},
      {"lambda_sup", o.lambda_sup()},
      {"lambda_bce", o.lambda_bce()},
      {"temperature_intra", o.temperature_intra()},
      {"temperature_inter", o.temperature_inter()},
      {"temperature_sup", o.temperature_sup()},
      {"label_similarity", losses::LabelSimilarityName(o.label_similarity())},
      {"supervision_aware_negatives", losses::NegativeModeName(o.supervision_aware_negatives())}};
}

}  // namespace

StatusOr<losses::ObjectiveOptions> ResolveObjective(const std::string& preset,
                                                    const ObjectiveOverrides& overrides) {
  const std::vector<std::string> names = losses::ObjectivePresetNames();
  if (std::find(names.begin(), names.end(), preset) == names.end()) {
    std::string valid;
    for (const std::string& n : names) valid += (valid.empty() ? "" : ", ") + n;
    return Status::InvalidArgument("--preset: unknown objective preset '" + preset +
                                   "'; expected one of " + valid);
  }
  losses::ObjectiveOptions o = losses::ObjectivePreset(preset);
  struct Lambda {
    const char* flag;
    const std::optional<double>& value;
  };
  for (const Lambda& l : {Lambda{"--lambda-intra", overrides.lambda_intra},
                          Lambda{"--lambda-inter", overrides.lambda_inter},
                          Lambda{"--lambda-sup", overrides.lambda_sup},
                          Lambda{"--lambda-bce", overrides.lambda_bce}}) {
    if (l.value && !(*l.value >= 0.0)) {
      return Status::InvalidArgument(std::string(l.flag) + ": expected a weight >= 0");
    }
  }
  for (const Lambda& t : {Lambda{"--tau-intra", overrides.temperature_intra},
                          Lambda{"--tau-inter", overrides.temperature_inter},
                          Lambda{"--tau-sup", overrides.temperature_sup}}) {
    if (t.value && !(*t.value > 0.0)) {
      return Status::InvalidArgument(std::string(t.flag) + ": expected a temperature > 0");
    }
  }
  if (overrides.lambda_intra) o.lambda_intra(*overrides.lambda_intra);
  if (overrides.lambda_inter) o.lambda_inter(*overrides.lambda_inter);
  if (overrides.lambda_sup) o.lambda_sup(*overrides.lambda_sup);
  if (overrides.lambda_bce) o.lambda_bce(*overrides.lambda_bce);
  if (overrides.temperature_intra) o.temperature_intra(*overrides.temperature_intra);
  if (overrides.temperature_inter) o.temperature_inter(*overrides.temperature_inter);
  if (overrides.temperature_sup) o.temperature_sup(*overrides.temperature_sup);
  if (overrides.supervision_aware_negatives) {
    const std::vector<std::string> modes = losses::NegativeModeNames();
    if (std::find(modes.begin(), modes.end(), *overrides.supervision_aware_negatives) ==
        modes.end()) {
      std::string valid;
      for (const std::string& m : modes) valid += (valid.empty() ? "" : ", ") + m;
      return Status::InvalidArgument("--negatives: unknown supervision-aware negatives mode '" +
                                     *overrides.supervision_aware_negatives +
                                     "'; expected one of " + valid);
    }
    o.supervision_aware_negatives(
        losses::ParseNegativeMode(*overrides.supervision_aware_negatives));
  }
  if (o.lambda_intra() + o.lambda_inter() + o.lambda_sup() + o.lambda_bce() <= 0.0) {
    return Status::InvalidArgument("objective: every lambda is 0; at least one must be > 0");
  }
  return o;
}

StatusOr<std::unique_ptr<Trainer>> Trainer::Create(
    std::shared_ptr<const data::PatchDataset> dataset, TrainOptions options,
    data::AugmentOptions augmentation) {
  if (!dataset) return Status::InvalidArgument("train: no dataset");
  const OptimizationOptions& opt = options.optimization;
  MOSAIC_RETURN_IF_ERROR(internal::ValidateOptimization(opt));
  MOSAIC_RETURN_IF_ERROR(augmentation.Validate());
  StatusOr<losses::ObjectiveOptions> objective =
      ResolveObjective(options.preset, options.objective);
  if (!objective.ok()) return objective.status();
  const bool has_s1 = !dataset->s1_bands().empty();
  const bool has_s2 = !dataset->s2_bands().empty();
  if (objective->lambda_inter() > 0.0 && !(has_s1 && has_s2)) {
    return Status::InvalidArgument("--preset " + options.preset +
                                   ": the inter-modal term needs both Sentinel-1 and Sentinel-2 "
                                   "bands, but " +
                                   dataset->description() + " has only one");
  }
  const std::vector<std::string>& encoders = KnownEncoderNames();
  if (std::find(encoders.begin(), encoders.end(), options.encoder) == encoders.end()) {
    return Status::InvalidArgument("--encoder: unknown encoder '" + options.encoder + "'");
  }

  auto trainer = std::unique_ptr<Trainer>(new Trainer());
  trainer->indices_ = data::IndicesOfSplit(*dataset, opt.split);
  if (trainer->indices_.empty()) {
    return Status::InvalidArgument("--split: " + dataset->description() +
                                   " has no patch in split '" + opt.split + "'");
  }
  StatusOr<std::vector<bool>> labelled =
      LabelledMask(*dataset, trainer->indices_, opt.label_fraction, opt.seed);
  if (!labelled.ok()) return labelled.status().WithContext("--label-fraction");
  trainer->labelled_ = std::move(*labelled);

  if ((has_s1 && options.s1_normalization.mean.empty()) ||
      (has_s2 && options.s2_normalization.mean.empty())) {
    StatusOr<data::BandStatistics> stats = data::ComputeBandStatistics(
        *dataset, trainer->indices_, options.normalization_samples, std::max(1, opt.num_workers));
    if (!stats.ok()) return stats.status().WithContext("band statistics");
    if (options.s1_normalization.mean.empty()) options.s1_normalization = stats->s1;
    if (options.s2_normalization.mean.empty()) options.s2_normalization = stats->s2;
  }

  ModelManifest& m = trainer->manifest_;
  m.name = options.model_name;
  m.description = "MoSAiC " + options.preset + " pre-training on " + dataset->description();
  if (has_s1) m.s1 = {options.encoder, dataset->s1_bands(), options.s1_normalization};
  if (has_s2) m.s2 = {options.encoder, dataset->s2_bands(), options.s2_normalization};
  m.projection_dim = options.projection_dim;
  m.projection_hidden_dim = options.projection_hidden_dim;
  m.small_cnn_width = options.small_cnn_width;
  m.class_names = dataset->class_names();
  m.patch_size_px = dataset->patch_size_px();
  MOSAIC_RETURN_IF_ERROR(ValidateManifest(m).WithContext("model"));

  try {
    torch::manual_seed(opt.seed);
    trainer->model_ = BuildModel(m);
  } catch (const c10::Error& e) {
    return Status::InvalidArgument(std::string("model: ") + e.what_without_backtrace());
  }
  trainer->dataset_ = std::move(dataset);
  trainer->options_ = std::move(options);
  trainer->augmentation_ = augmentation;
  trainer->objective_ = *objective;
  return trainer;
}

StatusOr<TrainSummary> Trainer::Run() {
  const OptimizationOptions& opt = options_.optimization;
  internal::LoopSetup setup;
  setup.dataset = dataset_;
  setup.loader.indices = indices_;
  setup.loader.labelled = labelled_;
  setup.loader.drop_last = true;  // a batch of one breaks batch norm and the contrastive terms
  setup.loader.augmentation = augmentation_;
  setup.loader.s1_normalization = manifest_.s1.normalization;
  setup.loader.s2_normalization = manifest_.s2.normalization;
  setup.model = model_;
  setup.objective = objective_;
  setup.groups.push_back({model_->parameters(), 1.0});
  setup.kind = "train";
  StatusOr<TrainSummary> summary = internal::RunLoop(setup, opt);
  if (!summary.ok()) return summary;

  nlohmann::ordered_json j;
  j["kind"] = "pretrain";
  j["preset"] = options_.preset;
  j["objective"] = ObjectiveJson(objective_);
  j["optimizer"] = {{"name", opt.optimizer},
                    {"learning_rate", opt.learning_rate},
                    {"min_learning_rate", opt.min_learning_rate},
                    {"weight_decay", opt.weight_decay},
                    {"momentum", opt.momentum},
                    {"warmup_steps", opt.warmup_steps},
                    {"schedule", "cosine"},
                    {"grad_clip_norm", opt.grad_clip_norm}};
  j["batch_size"] = opt.batch_size;
  j["steps"] = summary->steps;
  j["total_steps"] = summary->total_steps;
  j["finished"] = summary->finished;
  j["epochs"] =
      opt.max_steps > 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(opt.epochs);
  j["augment"] = opt.augment;
  j["label_fraction"] = opt.label_fraction;
  j["labelled_per_batch"] = opt.labelled_per_batch;
  j["num_samples"] = summary->num_samples;
  j["num_labelled"] = summary->num_labelled;
  j["seed"] = opt.seed;
  j["split"] = opt.split;
  j["dataset"] = dataset_->description();
  j["device"] = opt.device;
  j["final_losses"] = summary->final_losses;
  manifest_.training_json = j.dump();
  return summary;
}

}  // namespace mosaic::train
