// OpenDataset: "<kind>:<path>" specs and layout detection, for the CLI.
#include <filesystem>
#include <string>
#include <vector>

#include "geo/file_util.h"
#include "mosaic/geo/datasets.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;

constexpr DatasetKind kKinds[] = {DatasetKind::kBigEarthNetV1, DatasetKind::kBigEarthNetV2,
                                  DatasetKind::kSen12ms, DatasetKind::kCsv};

std::string JoinedKindNames() {
  std::string joined;
  for (const std::string& name : DatasetKindNames()) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

}  // namespace

const char* DatasetKindName(DatasetKind kind) {
  switch (kind) {
    case DatasetKind::kBigEarthNetV1:
      return "bigearthnet-v1";
    case DatasetKind::kBigEarthNetV2:
      return "bigearthnet-v2";
    case DatasetKind::kSen12ms:
      return "sen12ms";
    case DatasetKind::kCsv:
      return "csv";
  }
  return "csv";
}

std::vector<std::string> DatasetKindNames() {
  std::vector<std::string> names;
  for (DatasetKind kind : kKinds) names.push_back(DatasetKindName(kind));
  return names;
}

StatusOr<DatasetKind> DetectDatasetKind(const std::string& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    if (internal::EndsWith(path, ".csv") || internal::EndsWith(path, ".CSV")) {
      return DatasetKind::kCsv;
    }
    return Status::InvalidArgument(path +
                                   ": a file that is not a .csv; expected a dataset folder "
                                   "or a CSV file (or prefix the path with one of " +
                                   JoinedKindNames() + " and ':')");
  }
  StatusOr<std::vector<std::string>> subdirs = internal::ListSubdirectories(path);
  if (!subdirs.ok()) return Status::NotFound(path + ": no such file or folder");
  const bool has_metadata = fs::is_regular_file(fs::path(path) / "metadata.parquet", ec) ||
                            fs::is_regular_file(fs::path(path) / "metadata.csv", ec);
  bool v2_folders = false;
  bool v1_folders = false;
  bool sen12ms_folders = false;
  for (const std::string& name : *subdirs) {
    if (name == "BigEarthNet-S2" || name == "BigEarthNet-S1" || name == "Reference_Maps") {
      v2_folders = true;
    }
    if (internal::StartsWith(name, "BigEarthNet-S1") ||
        internal::StartsWith(name, "BigEarthNet-S2") ||
        internal::StartsWith(name, "BigEarthNet-v1")) {
      v1_folders = true;
    }
    if (internal::StartsWith(name, "ROIs")) sen12ms_folders = true;
  }
  if (has_metadata && v2_folders) return DatasetKind::kBigEarthNetV2;
  if (v1_folders) return DatasetKind::kBigEarthNetV1;
  if (sen12ms_folders) return DatasetKind::kSen12ms;
  return Status::InvalidArgument(
      path +
      ": not a recognised dataset layout (expected BigEarthNet v1 folders BigEarthNet-S1*/-S2*/"
      "-v1*, BigEarthNet v2.0 folders with metadata.parquet or metadata.csv, SEN12MS ROIs* "
      "folders, or a .csv file); prefix the path with one of " +
      JoinedKindNames() + " and ':' to choose");
}

StatusOr<std::unique_ptr<data::PatchDataset>> OpenDataset(const std::string& spec,
                                                          const DatasetOptions& options) {
  std::string path = spec;
  StatusOr<DatasetKind> kind = Status::InvalidArgument("unset");
  const size_t colon = spec.find(':');
  if (colon != std::string::npos) {
    const std::string prefix = spec.substr(0, colon);
    for (DatasetKind candidate : kKinds) {
      if (prefix == DatasetKindName(candidate)) {
        kind = candidate;
        path = spec.substr(colon + 1);
      }
    }
  }
  if (path.empty()) {
    return Status::InvalidArgument("dataset '" + spec + "': no path after the kind");
  }
  if (!kind.ok()) kind = DetectDatasetKind(path);
  if (!kind.ok()) return kind.status();
  switch (*kind) {
    case DatasetKind::kBigEarthNetV1:
      return OpenBigEarthNetV1(path, options);
    case DatasetKind::kBigEarthNetV2:
      return OpenBigEarthNetV2(path, options);
    case DatasetKind::kSen12ms:
      return OpenSen12ms(path, options);
    case DatasetKind::kCsv:
      return OpenCsvDataset(path, options);
  }
  return Status::Internal("unhandled dataset kind");
}

}  // namespace mosaic::geo
