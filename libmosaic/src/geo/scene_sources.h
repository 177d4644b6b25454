// Private: resolving the scene engine's inputs (which file and band holds each
// model band, the S2 grid, whether S1 must be warped) once, and reading
// windows of the scene grid from them in every reader thread.
#ifndef MOSAIC_GEO_SCENE_SOURCES_H_
#define MOSAIC_GEO_SCENE_SOURCES_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mosaic/geo/scene_predict.h"
#include "mosaic/manifest.h"
#include "mosaic/status.h"

namespace mosaic::geo::internal {

// One model band: where it is read from.
struct SourceBand {
  std::string model_name;  // "B02", "VV", ...
  std::string path;        // file or GDAL connection string
  int band = 1;            // 1-based band in `path`
  std::optional<double> nodata;
  float fill = 0.0f;  // value for invalid pixels: the band's normalisation mean
};

// The scene grid: north-up, in the S2 CRS (or S1's when there is no S2).
struct SceneGrid {
  int64_t width = 0;
  int64_t height = 0;
  std::array<double, 6> geotransform{};
  std::string crs_wkt;
};

struct ScenePlan {
  SceneGrid grid;
  std::vector<SourceBand> s2;  // model order; empty = S2 not used
  std::vector<SourceBand> s1;  // model order; empty = S1 not used
  bool s1_linear = false;
  bool s1_warp = false;  // S1 is not on the scene grid: warp it on the fly
  std::string s2_mask;
  std::vector<int> s2_mask_invalid_values;
  std::vector<std::string> notices;
};

// Smaller scenes are refused: a patch would be almost entirely mirrored
// pixels (the classifier's own lower limit is 8 px too).
inline constexpr int64_t kMinSceneSidePx = 8;

// Resolves inputs against the model. Errors name the file and the band or
// option at fault (missing bands, grids that disagree, no S1/S2 overlap, a
// modality the model cannot use).
StatusOr<ScenePlan> PlanScene(const SceneInputs& inputs, const ModelManifest& manifest,
                              HeadChoice head, double s2_default_nodata);

// The grid's bounding box as {west, south, east, north} in degrees (WGS 84);
// nullopt if the CRS cannot be transformed.
std::optional<std::array<double, 4>> GridExtentWgs84(const SceneGrid& grid);

// A window of the scene grid in pixels; it may extend past the scene edges,
// where pixels are mirrored (edge pixel repeated: ..., 1, 0 | 0, 1, ...).
struct Window {
  int64_t x0 = 0;
  int64_t y0 = 0;
  int64_t width = 0;
  int64_t height = 0;
};

// Reads windows through its own GDAL handles: one reader per thread.
class SceneReader {
 public:
  static StatusOr<std::unique_ptr<SceneReader>> Open(const ScenePlan& plan);
  ~SceneReader();
  SceneReader(const SceneReader&) = delete;
  SceneReader& operator=(const SceneReader&) = delete;

  // Reads the plan's S2 (or S1) bands into `values` ([bands, h, w] float32)
  // and sets `invalid` ([h, w]) to 1 where any band is nodata, NaN/Inf, or
  // (S2) masked invalid, else 0. Invalid values are replaced by the band's fill.
  Status ReadS2(const Window& window, float* values, uint8_t* invalid);
  Status ReadS1(const Window& window, float* values, uint8_t* invalid);

 private:
  struct Impl;
  explicit SceneReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_SCENE_SOURCES_H_
