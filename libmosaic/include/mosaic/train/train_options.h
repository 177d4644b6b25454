// Options and results of MoSAiC pre-training (`mosaic train`) and of linear
// probing / fine-tuning (`mosaic probe`). Plain structs, torch-free, so front
// ends (the CLI) fill them directly; trainer.h and probe.h consume them.
#ifndef MOSAIC_TRAIN_TRAIN_OPTIONS_H_
#define MOSAIC_TRAIN_TRAIN_OPTIONS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mosaic/bands.h"
#include "mosaic/export.h"
#include "mosaic/train/distributed.h"

namespace mosaic::train {

// One progress report, delivered after every optimiser step.
struct TrainProgress {
  int64_t step = 0;         // optimiser steps done so far (1-based after the first)
  int64_t total_steps = 0;  // steps of the whole run
  int64_t epoch = 0;        // 0-based epoch of the step
  double learning_rate = 0.0;
  // "total" and every active term of the objective (unweighted), this step.
  std::map<std::string, double> losses;
  double samples_per_s = 0.0;  // over the steps of this run (a resumed run restarts the count)
  double eta_s = 0.0;          // remaining steps / current step rate
};

// Called on the training thread after each step; it must return quickly.
using ProgressCallback = std::function<void(const TrainProgress&)>;

// The optimisation loop, shared by pre-training and probing.
struct OptimizationOptions {
  // --- Optimiser: "adamw" (decoupled weight decay) or "sgd" (with momentum).
  std::string optimizer = "adamw";
  double learning_rate = 1e-3;  // peak lr, reached at the end of warm-up
  double weight_decay = 1e-4;
  double momentum = 0.9;  // sgd only
  // --- Schedule: linear warm-up from 0 over warmup_steps, then cosine decay
  // from learning_rate to min_learning_rate at the last step (LearningRateAt).
  int64_t warmup_steps = 0;
  double min_learning_rate = 0.0;
  // Clip the global L2 norm of the gradients to this value; 0 = off.
  double grad_clip_norm = 0.0;

  // --- Length: max_steps > 0 overrides epochs (the run then spans
  // ceil(max_steps / batches per epoch) epochs, the last one partly).
  int64_t epochs = 1;
  int64_t max_steps = 0;
  // Stop after this global step as if cancelled but successfully (writing the
  // checkpoint), without changing the schedule; 0 = run to the end. For
  // split runs and tests; the schedule still spans the whole run.
  int64_t stop_at_step = 0;

  // --- Data
  int64_t batch_size = 32;
  // Worker threads of the loader (0 = build batches on the training thread).
  // Changes speed only, never the result.
  int num_workers = 2;
  // Keep decoded training samples in memory up to this many bytes of pixels
  // (LoaderOptions::cache_max_bytes), so later epochs skip reading them.
  // Changes speed only, never the result. 0 = no cache.
  size_t cache_max_bytes = 0;
  std::string split = "train";  // records of this split are trained on ("" = all)
  // Share of the split whose labels are used (SelectLabelledSubset with `seed`).
  double label_fraction = 1.0;
  // Label-aware batch composition (mosaic/data/batch_composition.h): every
  // (global) batch carries this many labelled samples, drawn afresh for each
  // batch, beside batch_size - k unlabelled ones; an epoch is then one pass
  // over the unlabelled samples. 0 <= k < batch_size; 0 = plain shuffling.
  // No effect when every (or no) training sample is labelled, or in probing
  // (which visits only labelled samples).
  int64_t labelled_per_batch = 0;
  // false: views are only normalised (no augmentation).
  bool augment = true;
  // Seeds the model initialisation, the loader order and augmentations, the
  // label subset and the per-step torch RNG.
  uint64_t seed = 0;

  // --- Device: "cpu", "cuda" or "cuda:N". Mixed precision (amp): "none"
  // (fp32; "fp32" is accepted too), "bf16" or "fp16", CUDA only
  // (InvalidArgument on CPU). The forward passes run under CUDA autocast
  // (nn/autocast_guard.h), the objective in fp32; parameters, gradients and
  // optimiser state stay fp32. fp16 adds dynamic loss scaling (initial scale
  // 2^16, x2 after 2000 finite steps, x0.5 and the step skipped when a
  // gradient is inf/NaN; gradients are unscaled before clipping), whose
  // state is kept in checkpoints and whose scale is logged ("loss_scale").
  // bf16 is the better choice on GPUs that have it (Ampere and later).
  std::string device = "cpu";
  std::string amp = "none";
  // --- Data-parallel training across processes (mosaic/train/distributed.h;
  // world_size 1 = one process). batch_size is then the global batch and must
  // be divisible by world_size.
  DistributedOptions distributed;

  // --- Checkpoints: "<checkpoint_dir>/checkpoint.pt" (model, optimiser,
  // step, seed; written atomically) every checkpoint_every_steps steps (0 =
  // only at the end of the run or when stopped). resume: continue from that
  // file (NotFound if it is missing) with identical results on CPU.
  std::string checkpoint_dir;
  int64_t checkpoint_every_steps = 0;
  bool resume = false;

  // --- Log: one row per step with step, epoch, lr, total, every active term
  // and samples/s. Format "csv" or "jsonl"; empty: from the extension
  // (.jsonl/.json => jsonl, else csv). Appended to when resuming.
  std::string log_path;
  std::string log_format;

  // --- Monitoring
  ProgressCallback progress;
  // When set and it becomes true, the run stops before the next step and
  // returns Cancelled (the last complete checkpoint stays).
  const std::atomic<bool>* cancel = nullptr;
};

// Optional overrides of the preset's ObjectiveOptions (losses/objective.h).
struct ObjectiveOverrides {
  std::optional<double> lambda_intra, lambda_inter, lambda_sup, lambda_bce;
  std::optional<double> temperature_intra, temperature_inter, temperature_sup;
  // Supervision-aware negatives in L_intra/L_inter: "off", "remove" or
  // "downweight" (losses/supervision_aware_negatives.h).
  std::optional<std::string> supervision_aware_negatives;
};

// Pre-training (`mosaic train`).
struct TrainOptions {
  OptimizationOptions optimization;
  // Objective preset: "mosaic", "simclr", "clip", "supcon" or "supervised".
  std::string preset = "mosaic";
  ObjectiveOverrides objective;

  // --- Model: both streams use `encoder` ("small_cnn", "resnet18", ...); a
  // modality without bands in the dataset gets no stream.
  std::string encoder = "resnet18";
  int64_t small_cnn_width = 32;
  int64_t projection_dim = 128;
  int64_t projection_hidden_dim = 512;
  std::string model_name = "mosaic";  // the manifest's name

  // --- Normalisation stored in the manifest and used by the loader. Empty:
  // ComputeBandStatistics over (up to normalization_samples of) the split.
  BandNormalization s1_normalization;
  BandNormalization s2_normalization;
  size_t normalization_samples = 2000;
};

// Linear probing / fine-tuning (`mosaic probe`).
struct ProbeOptions {
  // Defaults differ from pre-training: no augmentation, more epochs.
  OptimizationOptions optimization = [] {
    OptimizationOptions o;
    o.augment = false;
    o.epochs = 10;
    o.weight_decay = 0.0;
    return o;
  }();
  // false: encoders and projections are frozen (eval mode, no gradient);
  // only s1_head, s2_head and fused_head train. true: the encoders train too.
  bool finetune = false;
  // Fine-tuning: the encoders' lr is optimization.learning_rate times this.
  double encoder_lr_scale = 0.1;
  // true: the heads are drawn afresh (seeded by optimization.seed) before
  // training, so every pre-trained model, whatever its preset, enters the
  // probe with the same random heads; false: training continues from the
  // bundle's heads (e.g. those a "supervised" pre-training already fitted).
  bool reinitialize_heads = true;
  // Hyper-parameter selection: every (learning rate, weight decay) pair of
  // these grids is trained from the same start and scored by the macro mAP of
  // the fused head (else the single one) on `validation_split`; the best is
  // kept (ties: the first in grid order, learning rate outer). An empty grid
  // means optimization.learning_rate (weight_decay). With a single pair and a
  // validation split that exists, the score is still reported.
  std::vector<double> learning_rate_grid;
  std::vector<double> weight_decay_grid;
  std::string validation_split = "validation";
};

// One point of the probe's hyper-parameter grid and its validation score.
struct ProbeTrial {
  double learning_rate = 0.0;
  double weight_decay = 0.0;
  double validation_map_macro = 0.0;  // NaN when not scored
};

// What a finished (or stopped) run reports.
struct TrainSummary {
  int64_t steps = 0;        // global steps done (including those before a resume)
  int64_t total_steps = 0;  // steps of the whole run
  bool finished = false;    // steps == total_steps
  // Losses of the last step ("total" and each active term).
  std::map<std::string, double> final_losses;
  double samples_per_s = 0.0;
  // Training samples used per epoch and how many of them were labelled.
  int64_t num_samples = 0;
  int64_t num_labelled = 0;
  // Probing only: every grid point tried, and the index of the one kept.
  std::vector<ProbeTrial> trials;
  int selected_trial = 0;
};

// The learning rate at 0-based `step` of a run of `total_steps`:
//   step < warmup_steps: learning_rate * (step + 1) / warmup_steps
//   otherwise:           min + (lr - min) * (1 + cos(pi * t)) / 2,
//                        t = (step - warmup) / max(1, total - warmup - 1)
// so the first step after warm-up uses the peak and the last one min.
MOSAIC_EXPORT double LearningRateAt(const OptimizationOptions& options, int64_t step,
                                    int64_t total_steps);

}  // namespace mosaic::train

#endif  // MOSAIC_TRAIN_TRAIN_OPTIONS_H_
