#include "mosaic/train/train_api.h"

#include <filesystem>

#include "mosaic/model_bundle.h"
#include "mosaic/train/probe.h"
#include "mosaic/train/trainer.h"

namespace mosaic::train {
namespace {

Status CheckOutput(const std::string& path, bool overwrite) {
  if (path.empty()) return Status::InvalidArgument("--out: no output bundle path given");
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(path, ec)) {
    return Status::InvalidArgument("--out: '" + path +
                                   "' exists; choose another path or pass --overwrite");
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return Status::InvalidArgument("--out: folder '" + parent.string() + "' does not exist");
  }
  return Status::OK();
}

}  // namespace

Status RunTraining(const TrainRequest& request, TrainSummary* summary) {
  MOSAIC_RETURN_IF_ERROR(CheckOutput(request.output_path, request.overwrite));
  try {
    StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(request.dataset, request.options);
    if (!trainer.ok()) return trainer.status();
    StatusOr<TrainSummary> result = (*trainer)->Run();
    if (!result.ok()) return result.status();
    ModelManifest manifest = (*trainer)->manifest();
    manifest.provenance_json = request.provenance_json.empty() ? "{}" : request.provenance_json;
    // In a data-parallel run every rank holds the same model; rank 0 writes it.
    if (request.options.optimization.distributed.rank == 0) {
      MOSAIC_RETURN_IF_ERROR(SaveModelBundle(request.output_path, manifest, (*trainer)->model()));
    }
    if (summary != nullptr) *summary = *result;
    return Status::OK();
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("train: ") + e.what_without_backtrace());
  }
}

Status RunProbe(const ProbeRequest& request, TrainSummary* summary) {
  MOSAIC_RETURN_IF_ERROR(CheckOutput(request.output_path, request.overwrite));
  try {
    StatusOr<LoadedModel> loaded = LoadModelBundle(request.model_path);
    if (!loaded.ok()) return loaded.status();
    StatusOr<std::unique_ptr<Prober>> prober =
        Prober::Create(request.dataset, loaded->manifest, loaded->model, request.options);
    if (!prober.ok()) return prober.status();
    StatusOr<TrainSummary> result = (*prober)->Run();
    if (!result.ok()) return result.status();
    ModelManifest manifest = (*prober)->manifest();
    if (!request.provenance_json.empty()) manifest.provenance_json = request.provenance_json;
    MOSAIC_RETURN_IF_ERROR(SaveModelBundle(request.output_path, manifest, (*prober)->model()));
    if (summary != nullptr) *summary = *result;
    return Status::OK();
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("probe: ") + e.what_without_backtrace());
  }
}

}  // namespace mosaic::train
