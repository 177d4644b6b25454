// BigEarthNet v1.0 reader (layout: docs/datasets.md, "BigEarthNet v1.0").
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "geo/file_util.h"
#include "geo/raster_patch_dataset.h"
#include "geo/split_files.h"
#include "mosaic/geo/datasets.h"
#include "mosaic/label_sets.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;
using internal::BandSource;
using internal::PatchSources;

constexpr int64_t kPatchSizePx = 120;

// What one <patch>_labels_metadata.json says.
struct PatchJson {
  std::vector<uint8_t> labels;   // multi-hot over the 19 classes
  std::string corresponding_s2;  // S1 jsons only
};

std::string JsonPath(const std::string& folder, const std::string& patch) {
  return (fs::path(folder) / patch / (patch + "_labels_metadata.json")).string();
}

StatusOr<PatchJson> ReadPatchJson(const std::string& path, bool want_corresponding_s2) {
  StatusOr<std::string> text = internal::ReadTextFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Status::Corruption(path + ": not valid JSON, expected a BigEarthNet labels object");
  }
  const auto labels = json.find("labels");
  if (labels == json.end() || !labels->is_array()) {
    return Status::Corruption(path + ": no \"labels\" array");
  }
  PatchJson patch;
  patch.labels.assign(BigEarthNet19Classes().size(), 0);
  for (const nlohmann::json& label : *labels) {
    if (!label.is_string()) {
      return Status::Corruption(path + ": \"labels\" holds a non-string entry " + label.dump());
    }
    StatusOr<int> index = MapBigEarthNet43To19(label.get<std::string>());
    if (!index.ok()) return Status::InvalidArgument(path + ": " + index.status().message());
    if (*index >= 0) patch.labels[static_cast<size_t>(*index)] = 1;
  }
  if (want_corresponding_s2) {
    const auto s2 = json.find("corresponding_s2_patch");
    if (s2 == json.end() || !s2->is_string() || s2->get<std::string>().empty()) {
      return Status::Corruption(path + ": no \"corresponding_s2_patch\" naming the S2 patch");
    }
    patch.corresponding_s2 = s2->get<std::string>();
  }
  // The coordinates object is not needed here; real S1 files spell its last
  // key "lly" instead of "lry", so it is deliberately not validated.
  return patch;
}

// Finds the one sub-folder of `root` whose name matches; "" if none.
StatusOr<std::string> DetectFolder(const std::string& root, bool s1) {
  StatusOr<std::vector<std::string>> subdirs = internal::ListSubdirectories(root);
  if (!subdirs.ok()) return subdirs.status();
  std::vector<std::string> matches;
  for (const std::string& name : *subdirs) {
    const bool is_s1 = internal::StartsWith(name, "BigEarthNet-S1");
    const bool is_s2 = internal::StartsWith(name, "BigEarthNet-S2") ||
                       internal::StartsWith(name, "BigEarthNet-v1");
    if (s1 ? is_s1 : is_s2) matches.push_back(name);
  }
  if (matches.empty()) return std::string();
  if (matches.size() > 1) {
    return Status::InvalidArgument(root + ": several " + (s1 ? "S1" : "S2") + " folders (" +
                                   matches[0] + ", " + matches[1] + "); set bigearthnet_" +
                                   (s1 ? "s1" : "s2") + "_dir");
  }
  return (fs::path(root) / matches[0]).string();
}

StatusOr<std::string> ResolveFolder(const std::string& root, const std::string& explicit_dir,
                                    bool s1) {
  if (explicit_dir.empty()) return DetectFolder(root, s1);
  const std::string dir = internal::ResolvePath(root, explicit_dir);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound(dir + ": no such folder (bigearthnet_" + (s1 ? "s1" : "s2") + "_dir)");
  }
  return dir;
}

std::vector<BandSource> S2Sources(const std::string& dir, const std::string& patch,
                                  const std::vector<std::string>& bands) {
  std::vector<BandSource> sources;
  for (const std::string& band : bands) {
    const int resolution = FindBand(band)->native_resolution_m;
    const int64_t size = kPatchSizePx * 10 / resolution;
    sources.push_back(
        {(fs::path(dir) / patch / (patch + "_" + band + ".tif")).string(), 1, size, size});
  }
  return sources;
}

std::vector<BandSource> S1Sources(const std::string& dir, const std::string& patch,
                                  const std::vector<std::string>& bands) {
  std::vector<BandSource> sources;
  for (const std::string& band : bands) {
    sources.push_back({(fs::path(dir) / patch / (patch + "_" + band + ".tif")).string(), 1,
                       kPatchSizePx, kPatchSizePx});
  }
  return sources;
}

}  // namespace

StatusOr<std::unique_ptr<data::PatchDataset>> OpenBigEarthNetV1(const std::string& root,
                                                                const DatasetOptions& options) {
  StatusOr<internal::PixelSettings> settings = internal::ResolvePixelSettings(options);
  if (!settings.ok()) return settings.status();
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Status::NotFound(root + ": no such folder (expected a BigEarthNet v1 root)");
  }
  StatusOr<std::string> s2_dir = ResolveFolder(root, options.bigearthnet_s2_dir, false);
  if (!s2_dir.ok()) return s2_dir.status();
  StatusOr<std::string> s1_dir = ResolveFolder(root, options.bigearthnet_s1_dir, true);
  if (!s1_dir.ok()) return s1_dir.status();
  if (options.read_s2 && s2_dir->empty()) {
    return Status::NotFound(root +
                            ": no Sentinel-2 folder (expected BigEarthNet-v1.0 or "
                            "BigEarthNet-S2*; or set bigearthnet_s2_dir)");
  }
  if ((options.read_s1 || s2_dir->empty()) && s1_dir->empty()) {
    return Status::NotFound(root +
                            ": no Sentinel-1 folder (expected BigEarthNet-S1*; or set "
                            "bigearthnet_s1_dir)");
  }

  // S2 patches and their labels.
  std::map<std::string, PatchJson> s2_patches;
  if (!s2_dir->empty()) {
    StatusOr<std::vector<std::string>> names = internal::ListSubdirectories(*s2_dir);
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      StatusOr<PatchJson> json = ReadPatchJson(JsonPath(*s2_dir, name), false);
      if (!json.ok()) return json.status();
      s2_patches.emplace(name, std::move(*json));
    }
  }
  // S1 patches, keyed by the S2 patch they pair with.
  std::map<std::string, std::pair<std::string, PatchJson>> s1_by_s2;
  if (!s1_dir->empty() && (options.read_s1 || s2_dir->empty())) {
    StatusOr<std::vector<std::string>> names = internal::ListSubdirectories(*s1_dir);
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      const std::string path = JsonPath(*s1_dir, name);
      StatusOr<PatchJson> json = ReadPatchJson(path, true);
      if (!json.ok()) return json.status();
      const std::string s2_name = json->corresponding_s2;
      auto [it, inserted] = s1_by_s2.emplace(s2_name, std::make_pair(name, std::move(*json)));
      if (!inserted) {
        return Status::Corruption(path + ": S2 patch '" + s2_name +
                                  "' is already paired with S1 patch '" + it->second.first + "'");
      }
    }
  }

  const std::vector<std::string> s1_bands = internal::DeliveredS1Bands(options);
  const std::vector<std::string> s2_bands = internal::DeliveredS2Bands(options);
  std::vector<data::PatchRecord> records;
  std::vector<PatchSources> sources;
  if (!s2_dir->empty()) {
    for (auto& [name, json] : s2_patches) {
      PatchSources patch;
      if (options.read_s1) {
        const auto s1 = s1_by_s2.find(name);
        if (s1 == s1_by_s2.end()) {
          return Status::NotFound(*s1_dir + ": no S1 patch names S2 patch '" + name +
                                  "' as its corresponding_s2_patch");
        }
        patch.s1 = S1Sources(*s1_dir, s1->second.first, s1_bands);
      }
      if (options.read_s2) patch.s2 = S2Sources(*s2_dir, name, s2_bands);
      records.push_back({name, "", std::move(json.labels)});
      sources.push_back(std::move(patch));
    }
  } else {
    for (auto& [s2_name, s1] : s1_by_s2) {
      PatchSources patch;
      patch.s1 = S1Sources(*s1_dir, s1.first, s1_bands);
      records.push_back({s2_name, "", std::move(s1.second.labels)});
      sources.push_back(std::move(patch));
    }
  }
  if (records.empty()) {
    return Status::InvalidArgument((s2_dir->empty() ? *s1_dir : *s2_dir) +
                                   ": no patch folders found, expected <patch>/<patch>_*.tif");
  }

  StatusOr<std::map<std::string, std::string>> splits = internal::LoadSplitFiles(options, root);
  if (!splits.ok()) return splits.status();
  for (data::PatchRecord& record : records) {
    const auto it = splits->find(record.id);
    if (it != splits->end()) record.split = it->second;
  }

  return std::unique_ptr<data::PatchDataset>(new internal::RasterPatchDataset(
      "BigEarthNet v1 at " + root, BigEarthNet19Classes(), s1_bands, s2_bands, kPatchSizePx,
      std::move(*settings), std::move(records), std::move(sources)));
}

}  // namespace mosaic::geo
