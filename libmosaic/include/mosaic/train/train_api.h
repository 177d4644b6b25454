// The torch-free entry points of training for front ends (the CLI): train or
// probe a model on a dataset and write the result as a model bundle.
//
// Progress is reported through options.optimization.progress and a run is
// cancelled through options.optimization.cancel (e.g. set from a SIGINT
// handler): it stops before the next step and returns Cancelled without
// writing the output bundle (a checkpoint written earlier stays).
//
// Thread-safety: each call is independent; the dataset is shared read-only.
#ifndef MOSAIC_TRAIN_TRAIN_API_H_
#define MOSAIC_TRAIN_TRAIN_API_H_

#include <memory>
#include <string>

#include "mosaic/data/patch_dataset.h"
#include "mosaic/export.h"
#include "mosaic/status.h"
#include "mosaic/train/train_options.h"

namespace mosaic::train {

struct TrainRequest {
  std::shared_ptr<const data::PatchDataset> dataset;  // e.g. from geo::OpenDataset
  TrainOptions options;
  std::string output_path;  // the model bundle to write
  bool overwrite = false;   // false: InvalidArgument if output_path exists
  // The manifest's provenance (a JSON object: command, created_utc, ...).
  std::string provenance_json = "{}";
};

// Pre-trains (Trainer) and writes the bundle atomically. On success *summary
// (if given) describes the run. Errors: InvalidArgument naming the option,
// Cancelled, IOError for the output, Internal for a failure inside LibTorch.
MOSAIC_EXPORT Status RunTraining(const TrainRequest& request, TrainSummary* summary = nullptr);

struct ProbeRequest {
  std::shared_ptr<const data::PatchDataset> dataset;
  std::string model_path;  // the pre-trained bundle
  ProbeOptions options;
  std::string output_path;
  bool overwrite = false;
  // Replaces the input's provenance when not empty.
  std::string provenance_json;
};

// Loads the bundle, probes or fine-tunes it (Prober) and writes the result.
// Errors as RunTraining, plus those of LoadModelBundle.
MOSAIC_EXPORT Status RunProbe(const ProbeRequest& request, TrainSummary* summary = nullptr);

}  // namespace mosaic::train

#endif  // MOSAIC_TRAIN_TRAIN_API_H_
