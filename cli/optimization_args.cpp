#include "optimization_args.h"

namespace mosaic::cli {

void AddOptimizationOptions(CLI::App* cmd, train::OptimizationOptions& opt) {
  auto* epochs = cmd->add_option("--epochs", opt.epochs, "Epochs")->capture_default_str();
  cmd->add_option("--steps", opt.max_steps, "Optimiser steps (overrides --epochs)")
      ->excludes(epochs);
  cmd->add_option("--batch-size", opt.batch_size, "Batch size")->capture_default_str();
  cmd->add_option("--lr", opt.learning_rate, "Peak learning rate")->capture_default_str();
  cmd->add_option("--min-lr", opt.min_learning_rate, "Learning rate at the end of the cosine")
      ->capture_default_str();
  cmd->add_option("--optimizer", opt.optimizer, "adamw or sgd")->capture_default_str();
  cmd->add_option("--weight-decay", opt.weight_decay, "Weight decay")->capture_default_str();
  cmd->add_option("--momentum", opt.momentum, "SGD momentum")->capture_default_str();
  cmd->add_option("--warmup-steps", opt.warmup_steps, "Linear warm-up steps")
      ->capture_default_str();
  cmd->add_option("--grad-clip", opt.grad_clip_norm, "Clip the gradient norm (0 = off)")
      ->capture_default_str();
  cmd->add_option("--label-fraction", opt.label_fraction,
                  "Share of the training labels used (stratified, seeded)")
      ->capture_default_str();
  cmd->add_option("--labelled-per-batch", opt.labelled_per_batch,
                  "Labelled samples in every batch, drawn with replacement across batches "
                  "(pre-training; 0 = plain shuffling)")
      ->capture_default_str();
  cmd->add_option_function<size_t>(
      "--cache-mb", [&opt](size_t mb) { opt.cache_max_bytes = mb << 20; },
      "Keep up to this many MiB of decoded training patches in memory (speed only)");
  cmd->add_option("--workers", opt.num_workers, "Loader worker threads")->capture_default_str();
  cmd->add_option("--device", opt.device, "cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--amp", opt.amp, "Mixed precision: none, bf16 or fp16 (CUDA only)")
      ->capture_default_str();
  cmd->add_option("--checkpoint-dir", opt.checkpoint_dir, "Write checkpoints here");
  cmd->add_option("--checkpoint-every", opt.checkpoint_every_steps,
                  "Checkpoint every N steps (0 = at the end)")
      ->capture_default_str();
  cmd->add_flag("--resume", opt.resume, "Continue from the checkpoint in --checkpoint-dir");
  cmd->add_option("--log", opt.log_path, "Per-step losses to a .csv or .jsonl file");
}

}  // namespace mosaic::cli
