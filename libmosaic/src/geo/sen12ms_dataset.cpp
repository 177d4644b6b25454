// SEN12MS reader (layout: docs/datasets.md, "SEN12MS").
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "geo/file_util.h"
#include "geo/raster_patch_dataset.h"
#include "geo/split_files.h"
#include "mosaic/geo/class_codes.h"
#include "mosaic/geo/datasets.h"
#include "mosaic/label_sets.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;
using internal::BandSource;
using internal::PatchSources;

constexpr int64_t kPatchSizePx = 256;

// 1-based band of each of our S2 band names in SEN12MS's 13-band files
// (B1 B2 B3 B4 B5 B6 B7 B8 B8A B9 B10 B11 B12); B10 is never delivered.
int Sen12msS2Band(const std::string& name) {
  static const std::map<std::string, int> kBands = {
      {"B01", 1}, {"B02", 2}, {"B03", 3}, {"B04", 4},  {"B05", 5},  {"B06", 6},
      {"B07", 7}, {"B08", 8}, {"B8A", 9}, {"B09", 10}, {"B11", 12}, {"B12", 13},
  };
  return kBands.at(name);
}

int Sen12msS1Band(const std::string& name) { return name == "VV" ? 1 : 2; }

// One patch found in an lc_<scene> folder.
struct Sen12msPatch {
  std::string season_dir;  // ROIs1158_spring
  std::string scene;       // "1"
  long patch = 0;          // 30
  std::string lc_path;
};

// Parses "<season_dir>_lc_<scene>_p<n>.tif"; false if the name does not match.
bool ParseLcName(const std::string& file, const std::string& season_dir, const std::string& scene,
                 long* patch) {
  const std::string prefix = season_dir + "_lc_" + scene + "_p";
  if (!internal::StartsWith(file, prefix) || !internal::EndsWith(file, ".tif")) return false;
  const std::string number = file.substr(prefix.size(), file.size() - prefix.size() - 4);
  if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) return false;
  *patch = std::strtol(number.c_str(), nullptr, 10);
  return true;
}

std::string ModalityPath(const std::string& root, const Sen12msPatch& p, const char* modality) {
  return (fs::path(root) / p.season_dir / (std::string(modality) + "_" + p.scene) /
          (p.season_dir + "_" + modality + "_" + p.scene + "_p" + std::to_string(p.patch) + ".tif"))
      .string();
}

// Simplified-IGBP labels: a class counts when it covers at least
// `min_fraction` of the patch's valid (IGBP 1..17) pixels.
StatusOr<std::vector<uint8_t>> LandCoverLabels(const std::string& path, double min_fraction) {
  std::vector<float> igbp(static_cast<size_t>(kPatchSizePx * kPatchSizePx));
  BandReadOptions read;
  read.out_width = kPatchSizePx;
  read.out_height = kPatchSizePx;
  read.resampling = Resampling::kNearest;
  read.expected_width = kPatchSizePx;
  read.expected_height = kPatchSizePx;
  StatusOr<int64_t> replaced = ReadRasterBands(path, {1}, {0.0f}, read, igbp.data());
  if (!replaced.ok()) return replaced.status();
  std::vector<int64_t> counts(Sen12msIgbp10Classes().size(), 0);
  int64_t valid = 0;
  for (float code : igbp) {
    const int index = Sen12msIgbp10IndexOfIgbpCode(static_cast<int>(code));
    if (index < 0) continue;
    ++counts[static_cast<size_t>(index)];
    ++valid;
  }
  std::vector<uint8_t> labels(counts.size(), 0);
  if (valid == 0) return labels;
  for (size_t i = 0; i < counts.size(); ++i) {
    labels[i] =
        counts[i] > 0 && static_cast<double>(counts[i]) >= min_fraction * static_cast<double>(valid)
            ? 1
            : 0;
  }
  return labels;
}

}  // namespace

StatusOr<std::unique_ptr<data::PatchDataset>> OpenSen12ms(const std::string& root,
                                                          const DatasetOptions& options) {
  StatusOr<internal::PixelSettings> settings = internal::ResolvePixelSettings(options);
  if (!settings.ok()) return settings.status();
  if (!(options.sen12ms_min_label_fraction >= 0.0 && options.sen12ms_min_label_fraction <= 1.0)) {
    return Status::InvalidArgument("sen12ms_min_label_fraction: expected 0..1");
  }
  StatusOr<std::vector<std::string>> season_dirs = internal::ListSubdirectories(root);
  if (!season_dirs.ok()) {
    return Status::NotFound(root + ": no such folder (expected a SEN12MS root)");
  }
  std::vector<Sen12msPatch> patches;
  for (const std::string& season_dir : *season_dirs) {
    if (!internal::StartsWith(season_dir, "ROIs")) continue;
    StatusOr<std::vector<std::string>> scene_dirs =
        internal::ListSubdirectories((fs::path(root) / season_dir).string());
    if (!scene_dirs.ok()) return scene_dirs.status();
    for (const std::string& scene_dir : *scene_dirs) {
      if (!internal::StartsWith(scene_dir, "lc_")) continue;
      const std::string scene = scene_dir.substr(3);
      const std::string dir = (fs::path(root) / season_dir / scene_dir).string();
      StatusOr<std::vector<std::string>> files = internal::ListFiles(dir);
      if (!files.ok()) return files.status();
      for (const std::string& file : *files) {
        Sen12msPatch patch;
        if (!ParseLcName(file, season_dir, scene, &patch.patch)) continue;
        patch.season_dir = season_dir;
        patch.scene = scene;
        patch.lc_path = (fs::path(dir) / file).string();
        patches.push_back(std::move(patch));
      }
    }
  }
  if (patches.empty()) {
    return Status::InvalidArgument(root +
                                   ": no SEN12MS patches found, expected "
                                   "ROIs<year>_<season>/lc_<scene>/<...>_lc_<scene>_p<n>.tif");
  }
  auto key = [](const Sen12msPatch& p) {
    return std::make_tuple(p.season_dir, std::strtol(p.scene.c_str(), nullptr, 10), p.scene,
                           p.patch);
  };
  std::sort(patches.begin(), patches.end(),
            [&](const Sen12msPatch& a, const Sen12msPatch& b) { return key(a) < key(b); });

  StatusOr<std::map<std::string, std::string>> splits = internal::LoadSplitFiles(options, root);
  if (!splits.ok()) return splits.status();
  const std::vector<std::string> s1_bands = internal::DeliveredS1Bands(options);
  const std::vector<std::string> s2_bands = internal::DeliveredS2Bands(options);
  std::vector<data::PatchRecord> records;
  std::vector<PatchSources> sources;
  for (const Sen12msPatch& p : patches) {
    data::PatchRecord record;
    record.id = p.season_dir + "_" + p.scene + "_p" + std::to_string(p.patch);
    StatusOr<std::vector<uint8_t>> labels =
        LandCoverLabels(p.lc_path, options.sen12ms_min_label_fraction);
    if (!labels.ok()) return labels.status();
    record.labels = std::move(*labels);
    const auto split = splits->find(record.id);
    if (split != splits->end()) record.split = split->second;
    PatchSources patch;
    const std::string s1_path = ModalityPath(root, p, "s1");
    const std::string s2_path = ModalityPath(root, p, "s2");
    for (const std::string& band : s1_bands) {
      patch.s1.push_back({s1_path, Sen12msS1Band(band), kPatchSizePx, kPatchSizePx});
    }
    for (const std::string& band : s2_bands) {
      patch.s2.push_back({s2_path, Sen12msS2Band(band), kPatchSizePx, kPatchSizePx});
    }
    records.push_back(std::move(record));
    sources.push_back(std::move(patch));
  }
  return std::unique_ptr<data::PatchDataset>(new internal::RasterPatchDataset(
      "SEN12MS at " + root, Sen12msIgbp10Classes(), s1_bands, s2_bands, kPatchSizePx,
      std::move(*settings), std::move(records), std::move(sources)));
}

}  // namespace mosaic::geo
