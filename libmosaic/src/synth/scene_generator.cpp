#include "mosaic/synth/scene_generator.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "mosaic/label_sets.h"
#include "synth/class_ids.h"
#include "synth/clouds.h"
#include "synth/land_cover.h"
#include "synth/s1_backscatter.h"
#include "synth/s2_spectra.h"

namespace mosaic::synth {
namespace {

std::string Num(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

Status CheckSize(const char* option, int64_t value) {
  if (value <= 0 || value % 6 != 0 || value > kMaxScenePx) {
    return Status::InvalidArgument(
        std::string(option) + ": expected a positive multiple of 6 up to " +
        std::to_string(kMaxScenePx) + " pixels, got " + std::to_string(value));
  }
  return Status::OK();
}

Status CheckAngle(const char* option, double value) {
  if (!(value > 0.0 && value < 90.0)) {
    return Status::InvalidArgument(std::string(option) +
                                   ": expected an incidence angle in (0, 90) degrees, got " +
                                   Num(value));
  }
  return Status::OK();
}

int CanonicalIndex(const std::string& name) {
  const std::vector<std::string>& all = BigEarthNet19Classes();
  const auto it = std::find(all.begin(), all.end(), name);
  return it == all.end() ? -1 : static_cast<int>(it - all.begin());
}

}  // namespace

Status ValidateSynthOptions(const SynthOptions& options) {
  MOSAIC_RETURN_IF_ERROR(CheckSize("width_px", options.width_px));
  MOSAIC_RETURN_IF_ERROR(CheckSize("height_px", options.height_px));
  for (size_t i = 0; i < options.class_names.size(); ++i) {
    const std::string& name = options.class_names[i];
    if (CanonicalIndex(name) < 0) {
      return Status::InvalidArgument("class_names: unknown class '" + name +
                                     "' (expected BigEarthNet-19 class names)");
    }
    for (size_t j = 0; j < i; ++j) {
      if (options.class_names[j] == name) {
        return Status::InvalidArgument("class_names: '" + name + "' is listed twice");
      }
    }
  }
  if (!(options.cloud_fraction >= 0.0 && options.cloud_fraction <= 1.0)) {
    return Status::InvalidArgument("cloud_fraction: expected a share in [0, 1], got " +
                                   Num(options.cloud_fraction));
  }
  if (!(options.s1_enl > 0.0 && options.s1_enl <= 1000.0)) {
    return Status::InvalidArgument(
        "s1_enl: expected an equivalent number of looks in (0, 1000], got " + Num(options.s1_enl));
  }
  MOSAIC_RETURN_IF_ERROR(CheckAngle("incidence_near_deg", options.incidence_near_deg));
  MOSAIC_RETURN_IF_ERROR(CheckAngle("incidence_far_deg", options.incidence_far_deg));
  return Status::OK();
}

StatusOr<SyntheticScene> GenerateScene(const SynthOptions& options) {
  MOSAIC_RETURN_IF_ERROR(ValidateSynthOptions(options));

  SyntheticScene scene;
  scene.width = options.width_px;
  scene.height = options.height_px;
  scene.class_names = options.class_names.empty() ? BigEarthNet19Classes() : options.class_names;
  ClassMask available{};
  std::array<uint8_t, kNumClasses> to_output{};
  for (size_t k = 0; k < scene.class_names.size(); ++k) {
    const int c = CanonicalIndex(scene.class_names[k]);
    available[static_cast<size_t>(c)] = true;
    to_output[static_cast<size_t>(c)] = static_cast<uint8_t>(k);
  }

  const LandCover land_cover = GenerateLandCover(scene.width, scene.height, options.seed, available,
                                                 options.always_draw_structures);
  scene.land_cover.resize(land_cover.class_id.size());
  for (size_t i = 0; i < land_cover.class_id.size(); ++i) {
    scene.land_cover[i] = to_output[land_cover.class_id[i]];
  }

  CloudLayer clouds =
      GenerateClouds(scene.width, scene.height, options.seed, options.cloud_fraction);
  scene.s2 = RenderS2(land_cover, clouds, options.seed);
  scene.cloud_mask = std::move(clouds.mask);
  RenderS1(land_cover, options, &scene.s1_vv, &scene.s1_vh);
  return scene;
}

std::vector<uint8_t> WindowLabels(const SyntheticScene& scene, int64_t x0, int64_t y0,
                                  int64_t size_px, double min_fraction) {
  std::vector<uint8_t> labels(scene.class_names.size(), 0);
  // Clip to the scene so a caller's mistake cannot read out of bounds.
  const int64_t xa = std::clamp<int64_t>(x0, 0, scene.width);
  const int64_t ya = std::clamp<int64_t>(y0, 0, scene.height);
  const int64_t xb = std::clamp<int64_t>(x0 + size_px, 0, scene.width);
  const int64_t yb = std::clamp<int64_t>(y0 + size_px, 0, scene.height);
  if (xb <= xa || yb <= ya) return labels;
  std::vector<int64_t> counts(scene.class_names.size(), 0);
  for (int64_t y = ya; y < yb; ++y) {
    const uint8_t* row = &scene.land_cover[static_cast<size_t>(y * scene.width)];
    for (int64_t x = xa; x < xb; ++x) {
      if (row[x] < counts.size()) ++counts[row[x]];
    }
  }
  const double needed = min_fraction * static_cast<double>((xb - xa) * (yb - ya));
  for (size_t c = 0; c < counts.size(); ++c) {
    labels[c] = counts[c] > 0 && static_cast<double>(counts[c]) >= needed ? 1 : 0;
  }
  return labels;
}

}  // namespace mosaic::synth
