// Command-line options of the optimisation loop, shared by `mosaic train` and
// `mosaic probe` so both accept the same flags with the same defaults.
#ifndef MOSAIC_CLI_OPTIMIZATION_ARGS_H_
#define MOSAIC_CLI_OPTIMIZATION_ARGS_H_

#include <CLI/CLI.hpp>

#include "mosaic/train/train_options.h"

namespace mosaic::cli {

// Adds --epochs/--steps, --batch-size, the optimiser and schedule flags,
// --label-fraction, --workers, --device, --amp, checkpointing and --log,
// bound to `options` (which must outlive the app). Augmentation, split and
// seed flags differ per command and are added by the caller.
void AddOptimizationOptions(CLI::App* cmd, train::OptimizationOptions& options);

}  // namespace mosaic::cli

#endif  // MOSAIC_CLI_OPTIMIZATION_ARGS_H_
