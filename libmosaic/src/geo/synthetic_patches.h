// Cutting a synthetic scene into BigEarthNet patches: the patch plan (grid,
// labels, splits) and the per-band patch files, shared by the v1 and v2.0
// writers.
#ifndef MOSAIC_GEO_SYNTHETIC_PATCHES_H_
#define MOSAIC_GEO_SYNTHETIC_PATCHES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/geo/bigearthnet_writer.h"
#include "mosaic/status.h"
#include "mosaic/synth/scene_generator.h"

namespace mosaic::geo::internal {

inline constexpr int64_t kBigEarthNetPatchPx = 120;

struct PatchPlan {
  int64_t col = 0;  // patch column (h in the name)
  int64_t row = 0;  // patch row (v in the name)
  int64_t x0 = 0;   // upper-left pixel on the scene's 10 m grid
  int64_t y0 = 0;
  std::vector<int> classes19;  // indices into BigEarthNet19Classes(), ascending
  std::string split;
  bool cloud_or_shadow = false;
};

// Validates scene and options and plans every patch, in raster order.
// InvalidArgument for a scene smaller than one patch, non-BigEarthNet-19
// classes, or fractions outside [0, 1].
StatusOr<std::vector<PatchPlan>> PlanPatches(const synth::SyntheticScene& scene,
                                             const BigEarthNetWriteOptions& options);

// Upper-left corner of a patch in CRS units.
double PatchUlx(const GeoReference& georef, const PatchPlan& patch);
double PatchUly(const GeoReference& georef, const PatchPlan& patch);

// Writes <dir>/<stem>_<band>.tif for the 12 S2 bands at native resolution
// (UInt16) and returns nothing else; `dir` must exist.
Status WriteS2PatchBands(const synth::SyntheticScene& scene, const PatchPlan& patch,
                         const GeoReference& georef, const std::string& crs_wkt,
                         const std::string& dir, const std::string& stem);

// Writes <dir>/<stem>_VV.tif and _VH.tif (Float32 dB, 120 x 120).
Status WriteS1PatchBands(const synth::SyntheticScene& scene, const PatchPlan& patch,
                         const GeoReference& georef, const std::string& crs_wkt,
                         const std::string& dir, const std::string& stem);

// The WrittenPatch fields that do not depend on the layout (offsets, labels,
// split, cloud flag).
WrittenPatch DescribePatch(const PatchPlan& patch);

// "YYYYMMDDTHHMMSS" found in a product name as {"YYYY-MM-DD", "HH:MM:SS"}, or
// {"", ""} when the name has none.
std::pair<std::string, std::string> ProductDateTime(const std::string& product);

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_SYNTHETIC_PATCHES_H_
