#include "mosaic/train/probe.h"

#include <cmath>
#include <utility>

#include <nlohmann/json.hpp>

#include "mosaic/device.h"
#include "mosaic/train/label_fraction.h"
#include "train/probe_heads.h"
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

// The grid in selection order (learning rate outer, weight decay inner).
std::vector<ProbeTrial> GridOf(const ProbeOptions& options) {
  const std::vector<double> lrs = options.learning_rate_grid.empty()
                                      ? std::vector<double>{options.optimization.learning_rate}
                                      : options.learning_rate_grid;
  const std::vector<double> wds = options.weight_decay_grid.empty()
                                      ? std::vector<double>{options.optimization.weight_decay}
                                      : options.weight_decay_grid;
  std::vector<ProbeTrial> grid;
  for (double lr : lrs) {
    for (double wd : wds) grid.push_back(ProbeTrial{lr, wd, std::nan("")});
  }
  return grid;
}

// Deep copies of every parameter and buffer, in the module's order.
std::vector<torch::Tensor> SnapshotState(nn::DualStreamModel& model) {
  std::vector<torch::Tensor> state;
  for (const torch::Tensor& p : model->parameters()) state.push_back(p.detach().clone());
  for (const torch::Tensor& b : model->buffers()) state.push_back(b.detach().clone());
  return state;
}

void RestoreState(nn::DualStreamModel& model, const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (torch::Tensor& p : model->parameters()) p.copy_(state[i++]);
  for (torch::Tensor& b : model->buffers()) b.copy_(state[i++]);
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
  for (const auto& [flag, values] :
       {std::pair{"--lr-grid", &options.learning_rate_grid},
        std::pair{"--weight-decay-grid", &options.weight_decay_grid}}) {
    for (double v : *values) {
      if (!std::isfinite(v) || v < 0.0 || (flag[2] == 'l' && v == 0.0)) {
        return Status::InvalidArgument(std::string(flag) + ": expected " +
                                       (flag[2] == 'l' ? "learning rates > 0" : "values >= 0") +
                                       ", got " + std::to_string(v));
      }
    }
  }
  if (options.finetune && prober->labelled_indices_.size() < 2) {
    return Status::InvalidArgument(
        "--finetune: batch norm in train mode needs at least 2 labelled samples, got " +
        std::to_string(prober->labelled_indices_.size()) + " (raise --label-fraction)");
  }
  if (!options.validation_split.empty()) {
    prober->validation_indices_ = data::IndicesOfSplit(*dataset, options.validation_split);
  }
  if (GridOf(options).size() > 1 && prober->validation_indices_.empty()) {
    return Status::InvalidArgument(
        "--val-split: choosing from the learning-rate / weight-decay "
        "grid needs a validation split, but " +
        dataset->description() + " has no patch in split '" + options.validation_split + "'");
  }
  prober->dataset_ = std::move(dataset);
  prober->manifest_ = std::move(manifest);
  prober->model_ = std::move(model);
  prober->options_ = std::move(options);
  return prober;
}

int64_t Prober::EffectiveBatchSize() const {
  // Fine-tuning drops the last partial batch (batch norm in train mode), so a
  // labelled subset smaller than one batch (1 % of a small split) trains on
  // all of it at once instead of not at all.
  const auto labelled = static_cast<int64_t>(labelled_indices_.size());
  const int64_t batch = options_.optimization.batch_size;
  return options_.finetune && labelled < batch ? labelled : batch;
}

StatusOr<TrainSummary> Prober::TrainThroughModel(const OptimizationOptions& requested) {
  OptimizationOptions opt = requested;
  opt.batch_size = EffectiveBatchSize();
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
  return summary;
}

StatusOr<TrainSummary> Prober::Run() {
  const OptimizationOptions& opt = options_.optimization;
  const torch::Device device = ParseDevice(opt.device).value();
  // The linear probe without augmentation sees fixed encoder outputs: compute
  // them once and train the heads on them (same batches, loss and updates as
  // through the model; tested). Checkpoints, logs and data parallelism need
  // the full loop.
  const bool on_features = !options_.finetune && !opt.augment && opt.checkpoint_dir.empty() &&
                           !opt.resume && opt.log_path.empty() && !opt.distributed.enabled();
  const std::vector<ProbeTrial> grid = GridOf(options_);
  const bool select = grid.size() > 1;
  internal::ProbeHeads heads = internal::HeadsOf(model_);

  try {
    internal::PooledFeatures train_features, validation_features;
    if (on_features) {
      StatusOr<internal::PooledFeatures> f = internal::ExtractPooledFeatures(
          model_, dataset_, labelled_indices_, manifest_, opt, device);
      if (!f.ok()) return f.status();
      train_features = std::move(*f);
    }
    auto score = [&]() -> StatusOr<double> {
      if (validation_indices_.empty()) return std::nan("");
      if (!on_features || validation_features.size() == 0) {
        StatusOr<internal::PooledFeatures> f = internal::ExtractPooledFeatures(
            model_, dataset_, validation_indices_, manifest_, opt, device);
        if (!f.ok()) return f.status();
        if (!on_features) return internal::HeadsMacroMap(heads, *f);
        validation_features = std::move(*f);
      }
      return internal::HeadsMacroMap(heads, validation_features);
    };

    // Every grid point starts from the same model (fine-tuning changes the
    // encoders, so they are put back) and the same heads.
    const std::vector<torch::Tensor> start =
        select ? SnapshotState(model_) : std::vector<torch::Tensor>();
    std::vector<torch::Tensor> best_state;
    TrainSummary best_summary;
    std::vector<ProbeTrial> trials;
    int best = -1;
    for (size_t t = 0; t < grid.size(); ++t) {
      if (t > 0) RestoreState(model_, start);
      if (options_.reinitialize_heads) heads.Reinitialize(opt.seed);
      OptimizationOptions point = opt;
      point.learning_rate = grid[t].learning_rate;
      point.weight_decay = grid[t].weight_decay;
      StatusOr<TrainSummary> summary =
          on_features ? internal::TrainHeadsOnFeatures(heads, train_features, point)
                      : TrainThroughModel(point);
      if (!summary.ok()) return summary.status();
      StatusOr<double> map = score();
      if (!map.ok()) return map.status().WithContext("scoring the probe on --val-split");
      ProbeTrial trial = grid[t];
      trial.validation_map_macro = *map;
      trials.push_back(trial);
      const bool better =
          best < 0 || (!std::isnan(*map) && (std::isnan(trials[best].validation_map_macro) ||
                                             *map > trials[best].validation_map_macro));
      if (better) {
        best = static_cast<int>(t);
        best_summary = *summary;
        if (select) best_state = SnapshotState(model_);
      }
    }
    if (select) RestoreState(model_, best_state);
    model_->eval();
    model_->to(torch::kCPU);
    best_summary.trials = trials;
    best_summary.selected_trial = best;
    RecordProbe(best_summary);
    return best_summary;
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("probe failed: ") + e.what_without_backtrace());
  }
}

void Prober::RecordProbe(const TrainSummary& summary) {
  const OptimizationOptions& opt = options_.optimization;
  const ProbeTrial& chosen = summary.trials[static_cast<size_t>(summary.selected_trial)];
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(manifest_.training_json, nullptr, false);
  if (!j.is_object()) j = nlohmann::ordered_json::object();
  nlohmann::ordered_json trials = nlohmann::ordered_json::array();
  for (const ProbeTrial& t : summary.trials) {
    trials.push_back(
        {{"learning_rate", t.learning_rate},
         {"weight_decay", t.weight_decay},
         {"validation_map_macro", std::isnan(t.validation_map_macro)
                                      ? nlohmann::ordered_json(nullptr)
                                      : nlohmann::ordered_json(t.validation_map_macro)}});
  }
  j["probe"] = {{"mode", options_.finetune ? "finetune" : "linear"},
                {"loss", "bce(fused, s1, s2)"},
                {"heads", options_.reinitialize_heads ? "reinitialized" : "kept"},
                {"optimizer", opt.optimizer},
                {"learning_rate", chosen.learning_rate},
                {"encoder_lr_scale", options_.finetune ? options_.encoder_lr_scale : 0.0},
                {"weight_decay", chosen.weight_decay},
                {"warmup_steps", opt.warmup_steps},
                {"batch_size", EffectiveBatchSize()},
                {"steps", summary.steps},
                {"total_steps", summary.total_steps},
                {"augment", opt.augment},
                {"label_fraction", opt.label_fraction},
                {"num_labelled", static_cast<int64_t>(labelled_indices_.size())},
                {"seed", opt.seed},
                {"split", opt.split},
                {"validation_split", validation_indices_.empty() ? "" : options_.validation_split},
                {"trials", trials},
                {"dataset", dataset_->description()},
                {"final_losses", summary.final_losses}};
  manifest_.training_json = j.dump();
}

}  // namespace mosaic::train
