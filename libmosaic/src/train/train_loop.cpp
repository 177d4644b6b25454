#include "train/train_loop.h"

#include "mosaic/device.h"
#include "mosaic/nn/autocast_guard.h"
#include "train/distributed_context.h"
#include "train/loss_scaler.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

namespace mosaic::train::internal {
namespace {

constexpr const char* kCheckpointName = "checkpoint.pt";

std::string LogFormat(const OptimizationOptions& options) {
  if (!options.log_format.empty()) return options.log_format;
  const std::string ext = std::filesystem::path(options.log_path).extension().string();
  return ext == ".jsonl" || ext == ".json" ? "jsonl" : "csv";
}

// One row per step, CSV (header from the first row's keys) or JSON lines.
class StepLog {
 public:
  Status Open(const std::string& path, const std::string& format, bool append) {
    path_ = path;
    jsonl_ = format == "jsonl";
    const bool had_rows =
        append && std::filesystem::exists(path) && std::filesystem::file_size(path) > 0;
    file_.open(path, append ? std::ios::app : std::ios::trunc);
    if (!file_) return Status::IOError("--log: cannot open '" + path + "' for writing");
    header_written_ = had_rows;
    return Status::OK();
  }
  bool is_open() const { return file_.is_open(); }

  Status Write(const std::vector<std::pair<std::string, double>>& row) {
    if (jsonl_) {
      nlohmann::ordered_json j;
      for (const auto& [key, value] : row) {
        if (key == "step" || key == "epoch") {
          j[key] = static_cast<int64_t>(value);
        } else {
          j[key] = value;
        }
      }
      file_ << j.dump() << '\n';
    } else {
      if (!header_written_) {
        for (size_t i = 0; i < row.size(); ++i) file_ << (i ? "," : "") << row[i].first;
        file_ << '\n';
        header_written_ = true;
      }
      std::ostringstream line;
      line << std::setprecision(9);
      for (size_t i = 0; i < row.size(); ++i) line << (i ? "," : "") << row[i].second;
      file_ << line.str() << '\n';
    }
    file_.flush();
    if (!file_) return Status::IOError("--log: cannot write to '" + path_ + "'");
    return Status::OK();
  }

 private:
  std::string path_;
  bool jsonl_ = false;
  bool header_written_ = false;
  std::ofstream file_;
};

}  // namespace

void SetLearningRate(torch::optim::Optimizer& optimizer, const std::string& kind,
                     const std::vector<ParamGroup>& groups, double lr) {
  auto& param_groups = optimizer.param_groups();
  for (size_t g = 0; g < param_groups.size(); ++g) {
    const double value = lr * groups[g].lr_scale;
    if (kind == "sgd") {
      static_cast<torch::optim::SGDOptions&>(param_groups[g].options()).lr(value);
    } else {
      static_cast<torch::optim::AdamWOptions&>(param_groups[g].options()).lr(value);
    }
  }
}

std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(const std::vector<ParamGroup>& groups,
                                                       const OptimizationOptions& options) {
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  for (const ParamGroup& group : groups) {
    const double lr = options.learning_rate * group.lr_scale;
    if (options.optimizer == "sgd") {
      param_groups.emplace_back(group.params, std::make_unique<torch::optim::SGDOptions>(
                                                  torch::optim::SGDOptions(lr)
                                                      .momentum(options.momentum)
                                                      .weight_decay(options.weight_decay)));
    } else {
      param_groups.emplace_back(
          group.params, std::make_unique<torch::optim::AdamWOptions>(
                            torch::optim::AdamWOptions(lr).weight_decay(options.weight_decay)));
    }
  }
  if (options.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(param_groups,
                                               torch::optim::SGDOptions(options.learning_rate));
  }
  return std::make_unique<torch::optim::AdamW>(param_groups,
                                               torch::optim::AdamWOptions(options.learning_rate));
}

namespace {

// The fingerprint a checkpoint must match to be resumed.
struct RunIdentity {
  std::string kind;
  int64_t total_steps = 0;
  int64_t batches_per_epoch = 0;
  int64_t seed = 0;
};

// `scaler` (fp16 runs only, else nullptr): its scale and growth count are
// stored too, so that a resumed run continues with the same scale.
Status SaveCheckpoint(const std::string& dir, torch::nn::Module& model,
                      torch::optim::Optimizer& optimizer, const RunIdentity& id, int64_t step,
                      const DynamicLossScaler* scaler) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path final_path = std::filesystem::path(dir) / kCheckpointName;
  const std::filesystem::path temp_path =
      std::filesystem::path(dir) / (std::string(".") + kCheckpointName + ".tmp");
  try {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive model_archive, optimizer_archive;
    model.save(model_archive);
    optimizer.save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    archive.write("step", torch::tensor(step, torch::kInt64));
    archive.write("total_steps", torch::tensor(id.total_steps, torch::kInt64));
    archive.write("batches_per_epoch", torch::tensor(id.batches_per_epoch, torch::kInt64));
    archive.write("seed", torch::tensor(id.seed, torch::kInt64));
    archive.write("kind_is_probe", torch::tensor(id.kind == "probe" ? 1 : 0, torch::kInt64));
    if (scaler != nullptr) {
      archive.write("loss_scale", torch::tensor(scaler->scale(), torch::kFloat64));
      archive.write("loss_scale_growth_tracker",
                    torch::tensor(scaler->growth_tracker(), torch::kInt64));
    }
    archive.save_to(temp_path.string());
  } catch (const c10::Error& e) {
    std::filesystem::remove(temp_path, ec);
    return Status::IOError("checkpoint '" + final_path.string() +
                           "': " + e.what_without_backtrace());
  }
  std::filesystem::rename(temp_path, final_path, ec);
  if (ec) {
    return Status::IOError("checkpoint '" + final_path.string() +
                           "': cannot rename: " + ec.message());
  }
  return Status::OK();
}

int64_t ReadInt(torch::serialize::InputArchive& archive, const char* key) {
  torch::Tensor t;
  archive.read(key, t);
  return t.item<int64_t>();
}

// `scaler` (fp16 runs only): restored when the checkpoint holds a loss scale
// (it does not if it was written by a run without fp16; the scaler then keeps
// its initial scale).
StatusOr<int64_t> LoadCheckpoint(const std::string& dir, torch::nn::Module& model,
                                 torch::optim::Optimizer& optimizer, const RunIdentity& id,
                                 const torch::Device& device, DynamicLossScaler* scaler) {
  const std::filesystem::path path = std::filesystem::path(dir) / kCheckpointName;
  if (!std::filesystem::exists(path)) {
    return Status::NotFound("--resume: no checkpoint at '" + path.string() + "'");
  }
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string(), device);
    const RunIdentity stored{ReadInt(archive, "kind_is_probe") ? "probe" : "train",
                             ReadInt(archive, "total_steps"), ReadInt(archive, "batches_per_epoch"),
                             ReadInt(archive, "seed")};
    if (stored.kind != id.kind || stored.total_steps != id.total_steps ||
        stored.batches_per_epoch != id.batches_per_epoch || stored.seed != id.seed) {
      std::ostringstream msg;
      msg << "--resume: checkpoint '" << path.string() << "' belongs to another run ("
          << stored.kind << ", " << stored.total_steps << " steps, " << stored.batches_per_epoch
          << " batches/epoch, seed " << stored.seed << "; this run: " << id.kind << ", "
          << id.total_steps << ", " << id.batches_per_epoch << ", " << id.seed << ")";
      return Status::InvalidArgument(msg.str());
    }
    torch::serialize::InputArchive model_archive, optimizer_archive;
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    model.load(model_archive);
    optimizer.load(optimizer_archive);
    torch::Tensor loss_scale, growth_tracker;
    if (scaler != nullptr && archive.try_read("loss_scale", loss_scale) &&
        archive.try_read("loss_scale_growth_tracker", growth_tracker)) {
      scaler->Restore(loss_scale.item<double>(), growth_tracker.item<int64_t>());
    }
    return ReadInt(archive, "step");
  } catch (const c10::Error& e) {
    return Status::Corruption("checkpoint '" + path.string() + "': " + e.what_without_backtrace());
  }
}

// Outputs of a forward pass under autocast may be bf16/fp16; the objective
// takes fp32. Undefined tensors (absent streams) stay undefined.
torch::Tensor ToFloat(const torch::Tensor& t) { return t.defined() ? t.to(torch::kFloat32) : t; }

uint64_t StepSeed(uint64_t seed, int64_t step) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(step) + 0x7f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return (z ^ (z >> 31)) >> 1;  // torch seeds are taken as uint64 but keep it positive
}

}  // namespace

bool NeedsSecondViews(const losses::ObjectiveOptions& objective) {
  return objective.lambda_intra() > 0.0 ||
         (objective.lambda_sup() > 0.0 && objective.sup_use_second_views());
}

Status ValidateOptimization(const OptimizationOptions& options) {
  if (options.optimizer != "adamw" && options.optimizer != "sgd") {
    return Status::InvalidArgument("--optimizer: expected adamw or sgd, got '" + options.optimizer +
                                   "'");
  }
  if (!(options.learning_rate > 0.0)) {
    return Status::InvalidArgument("--lr: expected a value > 0");
  }
  if (options.min_learning_rate < 0.0 || options.min_learning_rate > options.learning_rate) {
    return Status::InvalidArgument("--min-lr: expected 0 <= min-lr <= lr");
  }
  if (options.weight_decay < 0.0) return Status::InvalidArgument("--weight-decay: expected >= 0");
  if (options.momentum < 0.0) return Status::InvalidArgument("--momentum: expected >= 0");
  if (options.warmup_steps < 0) return Status::InvalidArgument("--warmup-steps: expected >= 0");
  if (options.grad_clip_norm < 0.0) return Status::InvalidArgument("--grad-clip: expected >= 0");
  if (options.max_steps < 0) return Status::InvalidArgument("--steps: expected >= 0");
  if (options.max_steps == 0 && options.epochs < 1) {
    return Status::InvalidArgument("--epochs: expected >= 1");
  }
  if (options.stop_at_step < 0) return Status::InvalidArgument("stop_at_step: expected >= 0");
  if (options.batch_size < 1) return Status::InvalidArgument("--batch-size: expected >= 1");
  if (options.labelled_per_batch < 0 || options.labelled_per_batch >= options.batch_size) {
    return Status::InvalidArgument("--labelled-per-batch: expected 0 <= k < --batch-size (" +
                                   std::to_string(options.batch_size) + "), got " +
                                   std::to_string(options.labelled_per_batch));
  }
  if (options.num_workers < 0) return Status::InvalidArgument("--workers: expected >= 0");
  if (!(options.label_fraction >= 0.0 && options.label_fraction <= 1.0)) {
    return Status::InvalidArgument("--label-fraction: expected a value in [0, 1]");
  }
  if (options.checkpoint_every_steps < 0) {
    return Status::InvalidArgument("--checkpoint-every: expected >= 0");
  }
  if (options.resume && options.checkpoint_dir.empty()) {
    return Status::InvalidArgument("--resume needs --checkpoint-dir");
  }
  if (!options.log_format.empty() && options.log_format != "csv" && options.log_format != "jsonl") {
    return Status::InvalidArgument("--log-format: expected csv or jsonl, got '" +
                                   options.log_format + "'");
  }
  const DistributedOptions& dist = options.distributed;
  if (dist.world_size < 1 || dist.rank < 0 || dist.rank >= dist.world_size) {
    return Status::InvalidArgument("distributed: expected 0 <= rank < world size, got rank " +
                                   std::to_string(dist.rank) + " of " +
                                   std::to_string(dist.world_size));
  }
  if (dist.enabled() && options.batch_size % dist.world_size != 0) {
    return Status::InvalidArgument("--batch-size " + std::to_string(options.batch_size) +
                                   ": the global batch must be divisible by the world size (" +
                                   std::to_string(dist.world_size) + ")");
  }
  StatusOr<torch::Device> device = ParseDevice(options.device);
  if (!device.ok()) return device.status().WithContext("--device");
  StatusOr<nn::Precision> precision = nn::ParsePrecision(options.amp);
  if (!precision.ok()) {
    return Status::InvalidArgument("--amp: expected none, bf16 or fp16, got '" + options.amp + "'");
  }
  if (nn::IsMixed(*precision) && !device->is_cuda()) {
    return Status::InvalidArgument("--amp " + options.amp +
                                   ": mixed precision needs a CUDA device (--device cuda)");
  }
  return Status::OK();
}

StatusOr<TrainSummary> RunLoop(LoopSetup& setup, const OptimizationOptions& options) {
  MOSAIC_RETURN_IF_ERROR(ValidateOptimization(options));
  const torch::Device device = ParseDevice(options.device).value();
  const nn::Precision precision = nn::ParsePrecision(options.amp).value();
  setup.loader.batch_size = options.batch_size;
  setup.loader.labelled_per_batch = options.labelled_per_batch;
  setup.loader.seed = options.seed;
  setup.loader.num_workers = options.num_workers;
  setup.loader.cache_max_bytes = options.cache_max_bytes;
  setup.loader.augment = options.augment;
  setup.loader.shuffle = true;
  const bool two_views = NeedsSecondViews(setup.objective);
  setup.loader.two_views = two_views;
  const bool need_logits = setup.objective.lambda_bce() > 0.0;
  // Data-parallel: every rank builds its part of each global batch.
  std::unique_ptr<DistributedContext> dist;
  if (options.distributed.enabled()) {
    StatusOr<std::unique_ptr<DistributedContext>> created =
        DistributedContext::Create(options.distributed);
    if (!created.ok()) return created.status();
    dist = std::move(*created);
    setup.loader.shard_index = dist->rank();
    setup.loader.shard_count = dist->world_size();
  }
  const bool lead = dist == nullptr || dist->rank() == 0;  // logs, checkpoints, progress

  StatusOr<std::unique_ptr<data::Loader>> loader_or =
      data::Loader::Create(setup.dataset, setup.loader);
  if (!loader_or.ok()) return loader_or.status();
  data::Loader& loader = **loader_or;
  const int64_t batches_per_epoch = loader.num_batches();
  if (batches_per_epoch == 0) {
    return Status::InvalidArgument(
        "--batch-size " + std::to_string(options.batch_size) + ": the training set has only " +
        std::to_string(loader.num_samples()) + " samples, not one full batch");
  }
  const int64_t total_steps =
      options.max_steps > 0 ? options.max_steps : options.epochs * batches_per_epoch;
  const RunIdentity identity{setup.kind, total_steps, batches_per_epoch,
                             static_cast<int64_t>(options.seed)};

  TrainSummary summary;
  summary.total_steps = total_steps;
  summary.num_samples = static_cast<int64_t>(loader.num_samples());
  const std::vector<size_t> all_indices =
      setup.loader.indices ? *setup.loader.indices : std::vector<size_t>();
  if (setup.loader.labelled.empty()) {
    summary.num_labelled = summary.num_samples;
  } else {
    for (size_t i : all_indices) summary.num_labelled += setup.loader.labelled[i] ? 1 : 0;
  }

  try {
    nn::DualStreamModel& model = setup.model;
    model->to(device);
    std::unique_ptr<torch::optim::Optimizer> optimizer = MakeOptimizer(setup.groups, options);
    std::vector<torch::Tensor> clip_params;
    for (const ParamGroup& g : setup.groups) {
      clip_params.insert(clip_params.end(), g.params.begin(), g.params.end());
    }

    // fp16 only: bf16 has fp32's exponent range, so its gradients need no scaling.
    std::unique_ptr<DynamicLossScaler> scaler;
    if (precision == nn::Precision::kFloat16) scaler = std::make_unique<DynamicLossScaler>();

    int64_t step = 0;
    if (options.resume) {
      StatusOr<int64_t> resumed = LoadCheckpoint(options.checkpoint_dir, *model, *optimizer,
                                                 identity, device, scaler.get());
      if (!resumed.ok()) return resumed.status();
      step = *resumed;
    }
    StepLog log;
    if (!options.log_path.empty() && lead) {
      MOSAIC_RETURN_IF_ERROR(log.Open(options.log_path, LogFormat(options), step > 0));
    }
    if (setup.eval_mode) {
      model->eval();
    } else {
      model->train();
    }

    const int64_t first_step = step;
    const auto start = std::chrono::steady_clock::now();
    int64_t samples_done = 0;
    data::Batch batch;
    bool positioned = false;
    while (step < total_steps) {
      if (options.cancel != nullptr && options.cancel->load()) {
        return Status::Cancelled("training cancelled at step " + std::to_string(step) + " of " +
                                 std::to_string(total_steps));
      }
      const int64_t epoch = step / batches_per_epoch;
      const int64_t position = step % batches_per_epoch;
      if (!positioned || position == 0) {
        // Batches are a pure function of (seed, epoch, index): start the epoch
        // and skip what an earlier run already consumed.
        loader.Reset(epoch);
        for (int64_t k = 0; k < position; ++k) {
          StatusOr<bool> got = loader.Next(&batch);
          if (!got.ok()) return got.status();
        }
        positioned = true;
      }
      StatusOr<bool> got = loader.Next(&batch);
      if (!got.ok()) return got.status();
      if (!*got) return Status::Internal("loader ended an epoch early");
      const data::Batch on_device = device.is_cpu() ? batch : batch.To(device);

      const double lr = LearningRateAt(options, step, total_steps);
      SetLearningRate(*optimizer, options.optimizer, setup.groups, lr);
      torch::manual_seed(StepSeed(options.seed, step));

      // The forward passes run under autocast (a no-op for fp32); the
      // objective is computed in fp32 outside it, on outputs cast back to
      // float: its similarity matrices and log-sum-exps over temperature-scaled
      // logits are where half precision loses the most.
      losses::ObjectiveInputs inputs;
      {
        nn::ScopedAutocast autocast(precision);
        const nn::DualStreamOutput out1 = model->forward(on_device.s1, on_device.s2);
        inputs.s1.view1 = ToFloat(out1.s1_embedding);
        inputs.s2.view1 = ToFloat(out1.s2_embedding);
        if (two_views) {
          const nn::DualStreamOutput out2 = model->forward(on_device.s1_view2, on_device.s2_view2);
          inputs.s1.view2 = ToFloat(out2.s1_embedding);
          inputs.s2.view2 = ToFloat(out2.s2_embedding);
        }
        if (need_logits) {
          inputs.s1.logits = ToFloat(out1.s1_logits);
          inputs.s2.logits = ToFloat(out1.s2_logits);
          inputs.fused_logits = ToFloat(out1.fused_logits);
        }
      }
      inputs.labels = on_device.labels;
      inputs.labelled = on_device.labelled;
      if (dist) {
        // Every rank computes the objective over the global batch (and so the
        // same value); gradients flow back to each rank's own part.
        for (torch::Tensor* t :
             {&inputs.s1.view1, &inputs.s2.view1, &inputs.s1.view2, &inputs.s2.view2,
              &inputs.s1.logits, &inputs.s2.logits, &inputs.fused_logits}) {
          if (t->defined()) *t = dist->AllGatherWithGrad(*t);
        }
        if (inputs.labels.defined()) inputs.labels = dist->AllGather(inputs.labels);
        if (inputs.labelled.defined()) {
          inputs.labelled = dist->AllGather(inputs.labelled.to(torch::kUInt8)).to(torch::kBool);
        }
      }
      const losses::ObjectiveResult result = losses::ComputeObjective(inputs, setup.objective);
      optimizer->zero_grad();
      bool finite = true;
      if (scaler) {
        scaler->Scale(result.total).backward();
        if (dist) dist->AllReduceGradients(clip_params);  // the same sums on every rank
        finite = scaler->Unscale(clip_params);            // before clipping: clip true gradients
      } else {
        result.total.backward();
        if (dist) dist->AllReduceGradients(clip_params);
      }
      // A step whose fp16 gradients overflowed is skipped (the schedule still
      // advances, as with PyTorch's GradScaler).
      if (finite) {
        if (options.grad_clip_norm > 0.0) {
          torch::nn::utils::clip_grad_norm_(clip_params, options.grad_clip_norm);
        }
        optimizer->step();
      }
      if (scaler) scaler->Update(finite);
      ++step;
      samples_done += batch.size() * (dist ? dist->world_size() : 1);

      std::map<std::string, double> losses_now;
      losses_now["total"] = result.total.item<double>();
      for (const std::string& term : result.active_terms) {
        losses_now[term] = result.Term(term).item<double>();
      }
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double rate = elapsed > 0.0 ? static_cast<double>(samples_done) / elapsed : 0.0;
      const double steps_per_s = elapsed > 0.0 ? (step - first_step) / elapsed : 0.0;
      summary.final_losses = losses_now;
      summary.samples_per_s = rate;
      if (log.is_open()) {
        std::vector<std::pair<std::string, double>> row = {{"step", static_cast<double>(step)},
                                                           {"epoch", static_cast<double>(epoch)},
                                                           {"lr", lr},
                                                           {"total", losses_now["total"]}};
        for (const std::string& term : result.active_terms)
          row.emplace_back(term, losses_now[term]);
        row.emplace_back("samples_per_s", rate);
        if (scaler) row.emplace_back("loss_scale", scaler->scale());  // after this step's update
        MOSAIC_RETURN_IF_ERROR(log.Write(row));
      }
      if (options.progress && lead) {
        TrainProgress p;
        p.step = step;
        p.total_steps = total_steps;
        p.epoch = epoch;
        p.learning_rate = lr;
        p.losses = losses_now;
        p.samples_per_s = rate;
        p.eta_s = steps_per_s > 0.0 ? (total_steps - step) / steps_per_s : 0.0;
        options.progress(p);
      }
      const bool stop = options.stop_at_step > 0 && step >= options.stop_at_step;
      if (!options.checkpoint_dir.empty() && lead &&
          (stop || step == total_steps ||
           (options.checkpoint_every_steps > 0 && step % options.checkpoint_every_steps == 0))) {
        MOSAIC_RETURN_IF_ERROR(SaveCheckpoint(options.checkpoint_dir, *model, *optimizer, identity,
                                              step, scaler.get()));
      }
      if (stop) break;
    }
    summary.steps = step;
    summary.finished = step == total_steps;
    model->eval();
    model->to(torch::kCPU);
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("training failed: ") + e.what_without_backtrace());
  }
  return summary;
}

}  // namespace mosaic::train::internal
