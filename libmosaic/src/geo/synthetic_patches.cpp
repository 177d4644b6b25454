#include "geo/synthetic_patches.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "geo/geotiff_writer.h"
#include "geo/scene_checks.h"
#include "mosaic/geo/class_codes.h"
#include "mosaic/label_sets.h"

namespace mosaic::geo::internal {
namespace {

namespace fs = std::filesystem;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

StatusOr<std::vector<PatchPlan>> PlanPatches(const synth::SyntheticScene& scene,
                                             const BigEarthNetWriteOptions& options) {
  MOSAIC_RETURN_IF_ERROR(ValidateScene(scene));
  StatusOr<std::vector<int>> to19 = SceneClassesTo19(scene);
  if (!to19.ok()) return to19.status();
  if (!(options.label_min_fraction >= 0.0 && options.label_min_fraction <= 1.0)) {
    return Status::InvalidArgument("label_min_fraction: expected 0..1");
  }
  if (!(options.train_fraction >= 0.0 && options.validation_fraction >= 0.0 &&
        options.train_fraction + options.validation_fraction <= 1.0)) {
    return Status::InvalidArgument(
        "train_fraction / validation_fraction: expected non-negative fractions summing to <= 1");
  }
  const int64_t cols = scene.width / kBigEarthNetPatchPx;
  const int64_t rows = scene.height / kBigEarthNetPatchPx;
  if (cols == 0 || rows == 0) {
    return Status::InvalidArgument("scene is " + std::to_string(scene.width) + " x " +
                                   std::to_string(scene.height) +
                                   " px, smaller than one 120 x 120 px patch");
  }
  std::vector<PatchPlan> plans;
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t col = 0; col < cols; ++col) {
      PatchPlan plan;
      plan.col = col;
      plan.row = row;
      plan.x0 = col * kBigEarthNetPatchPx;
      plan.y0 = row * kBigEarthNetPatchPx;
      const std::vector<uint8_t> present = synth::WindowLabels(
          scene, plan.x0, plan.y0, kBigEarthNetPatchPx, options.label_min_fraction);
      for (size_t c = 0; c < present.size(); ++c) {
        if (present[c]) plan.classes19.push_back((*to19)[c]);
      }
      std::sort(plan.classes19.begin(), plan.classes19.end());
      plan.classes19.erase(std::unique(plan.classes19.begin(), plan.classes19.end()),
                           plan.classes19.end());
      if (!scene.cloud_mask.empty()) {
        for (int64_t y = plan.y0; y < plan.y0 + kBigEarthNetPatchPx && !plan.cloud_or_shadow; ++y) {
          const uint8_t* line = scene.cloud_mask.data() + y * scene.width + plan.x0;
          plan.cloud_or_shadow =
              std::any_of(line, line + kBigEarthNetPatchPx, [](uint8_t m) { return m != 0; });
        }
      }
      plans.push_back(std::move(plan));
    }
  }
  // Deterministic splits: rank patches by a hash of (seed, col, row).
  std::vector<std::pair<uint64_t, size_t>> order;
  for (size_t i = 0; i < plans.size(); ++i) {
    const uint64_t key =
        SplitMix64(options.split_seed ^ SplitMix64(static_cast<uint64_t>(plans[i].col) * 1000003u +
                                                   static_cast<uint64_t>(plans[i].row)));
    order.emplace_back(key, i);
  }
  std::sort(order.begin(), order.end());
  const double n = static_cast<double>(plans.size());
  const size_t train = static_cast<size_t>(std::llround(n * options.train_fraction));
  const size_t validation =
      std::min(plans.size() - std::min(train, plans.size()),
               static_cast<size_t>(std::llround(n * options.validation_fraction)));
  for (size_t rank = 0; rank < order.size(); ++rank) {
    plans[order[rank].second].split = rank < train                ? "train"
                                      : rank < train + validation ? "validation"
                                                                  : "test";
  }
  return plans;
}

double PatchUlx(const GeoReference& georef, const PatchPlan& patch) {
  return georef.origin_x_m + 10.0 * static_cast<double>(patch.x0);
}

double PatchUly(const GeoReference& georef, const PatchPlan& patch) {
  return georef.origin_y_m - 10.0 * static_cast<double>(patch.y0);
}

Status WriteS2PatchBands(const synth::SyntheticScene& scene, const PatchPlan& patch,
                         const GeoReference& georef, const std::string& crs_wkt,
                         const std::string& dir, const std::string& stem) {
  for (const synth::S2Band& band : scene.s2) {
    const int64_t factor = band.resolution_m / 10;
    RasterGrid grid;
    grid.width = kBigEarthNetPatchPx / factor;
    grid.height = kBigEarthNetPatchPx / factor;
    grid.origin_x = PatchUlx(georef, patch);
    grid.origin_y = PatchUly(georef, patch);
    grid.pixel_size = band.resolution_m;
    grid.crs_wkt = crs_wkt;
    const std::vector<uint16_t> window = CropWindow(band.data, band.width, patch.x0 / factor,
                                                    patch.y0 / factor, grid.width, grid.height);
    MOSAIC_RETURN_IF_ERROR(
        WriteGeoTiff((fs::path(dir) / (stem + "_" + band.name + ".tif")).string(), grid,
                     PixelType::kUInt16, {{window.data(), ""}}, TiffLayout()));
  }
  return Status::OK();
}

Status WriteS1PatchBands(const synth::SyntheticScene& scene, const PatchPlan& patch,
                         const GeoReference& georef, const std::string& crs_wkt,
                         const std::string& dir, const std::string& stem) {
  RasterGrid grid;
  grid.width = kBigEarthNetPatchPx;
  grid.height = kBigEarthNetPatchPx;
  grid.origin_x = PatchUlx(georef, patch);
  grid.origin_y = PatchUly(georef, patch);
  grid.pixel_size = 10.0;
  grid.crs_wkt = crs_wkt;
  const std::pair<const char*, const std::vector<float>*> bands[] = {{"VV", &scene.s1_vv},
                                                                     {"VH", &scene.s1_vh}};
  for (const auto& [name, data] : bands) {
    const std::vector<float> window =
        CropWindow(*data, scene.width, patch.x0, patch.y0, grid.width, grid.height);
    MOSAIC_RETURN_IF_ERROR(WriteGeoTiff((fs::path(dir) / (stem + "_" + name + ".tif")).string(),
                                        grid, PixelType::kFloat32, {{window.data(), ""}},
                                        TiffLayout()));
  }
  return Status::OK();
}

WrittenPatch DescribePatch(const PatchPlan& patch) {
  WrittenPatch written;
  written.x0_px = patch.x0;
  written.y0_px = patch.y0;
  for (int index : patch.classes19) {
    const std::string& name19 = BigEarthNet19Classes()[static_cast<size_t>(index)];
    written.labels19.push_back(name19);
    written.labels43.push_back(*Representative43Class(name19));
  }
  written.split = patch.split;
  written.contains_cloud_or_shadow = patch.cloud_or_shadow;
  return written;
}

std::pair<std::string, std::string> ProductDateTime(const std::string& product) {
  // Look for 8 digits, 'T', 6 digits.
  for (size_t i = 0; i + 15 <= product.size(); ++i) {
    bool match = product[i + 8] == 'T';
    for (size_t k = 0; k < 15 && match; ++k) {
      if (k != 8) match = std::isdigit(static_cast<unsigned char>(product[i + k])) != 0;
    }
    if (match) {
      const std::string d = product.substr(i, 8);
      const std::string t = product.substr(i + 9, 6);
      return {d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2),
              t.substr(0, 2) + ":" + t.substr(2, 2) + ":" + t.substr(4, 2)};
    }
  }
  return {"", ""};
}

}  // namespace mosaic::geo::internal
