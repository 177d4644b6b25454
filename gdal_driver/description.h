// The settings of a MOSAIC dataset: where they come from (a description file,
// a "MOSAIC:" connection string, open options, pixel function arguments) and
// how they become the scene engine's SceneInputs and ScenePredictOptions.
// Translation only: every rule about tiling, blending and nodata stays in
// libmosaic. The keys are documented in docs/gdal-plugin.md.
#ifndef MOSAIC_GDAL_DRIVER_DESCRIPTION_H_
#define MOSAIC_GDAL_DRIVER_DESCRIPTION_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mosaic/geo/scene_predict.h"
#include "mosaic/status.h"

namespace mosaic::gdal_driver {

// Lower-case key -> values (one value for scalars; lists keep their order).
// A key with no values stands for JSON null.
using Settings = std::map<std::string, std::vector<std::string>>;

struct DatasetDescription {
  geo::SceneInputs inputs;
  geo::ScenePredictOptions options;  // output fields unused
  bool embeddings = false;           // output: embeddings (coarse grid) instead of probabilities
  int block_size_px = 256;
  int64_t cache_mb = 256;  // memory for computed blocks
};

// A description file's JSON text: an object with "mosaic": 1 and the keys of
// docs/gdal-plugin.md. Relative paths are resolved against `base_dir`.
StatusOr<Settings> SettingsFromJson(const std::string& json_text, const std::string& base_dir);

// "key=value;key=value" (lists comma-separated), as after "MOSAIC:".
StatusOr<Settings> SettingsFromKeyValues(const std::string& text);

// GDAL open options ("KEY=VALUE", lists comma-separated) or pixel function
// arguments; keys are matched case-insensitively. Keys in `ignored` are skipped.
StatusOr<Settings> SettingsFromNameValueList(const char* const* list,
                                             const std::vector<std::string>& ignored = {});

// `overrides` win over `base`.
void MergeSettings(const Settings& overrides, Settings* base);

// Checks the keys and values and fills a description. InvalidArgument names
// the offending key; the model and at least one of s2/s1 are required.
StatusOr<DatasetDescription> DescriptionFromSettings(const Settings& settings);

}  // namespace mosaic::gdal_driver

#endif  // MOSAIC_GDAL_DRIVER_DESCRIPTION_H_
