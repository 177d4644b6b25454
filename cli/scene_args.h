// Scene-engine flags shared by `mosaic predict` and `mosaic batch`: one
// definition of each flag (name, help, default) bound to SceneInputs and
// ScenePredictOptions (mosaic/geo/scene_predict.h).
#ifndef MOSAIC_CLI_SCENE_ARGS_H_
#define MOSAIC_CLI_SCENE_ARGS_H_

#include <string>

#include <CLI/CLI.hpp>

#include "mosaic/geo/scene_predict.h"
#include "mosaic/status.h"

namespace mosaic::cli {

struct SceneArgs {
  geo::SceneInputs inputs;
  geo::ScenePredictOptions options;
  // Enum flags as typed; ParseSceneEnums turns them into options so that
  // errors read the same as every other validation error.
  std::string head = "auto";
  std::string blend = "hann";
  std::string edges = "shift";
  std::string grid = "dense";
  std::string format = "gtiff";
  std::string type = "float32";
  std::string s2_nodata = "0";
  // Tells whether the user gave --s2-mask-invalid (predict's sample run has its own default).
  const CLI::Option* mask_invalid_option = nullptr;
};

// --s1-linear, --s2-mask-invalid: how input values are read (not which files).
void AddInputValueOptions(CLI::Option_group* group, SceneArgs* a);
// --model, --device, --precision, --threads, --head, --batch-size,
// --reader-threads, --queue-depth, --gdal-cache (default 256 MiB unless
// GDAL_CACHEMAX is set).
void AddModelOptions(CLI::Option_group* group, SceneArgs* a);
// --stride, --blend, --gaussian-sigma, --edges, --grid, --max-nodata,
// --s2-nodata, --strip-width.
void AddTilingOptions(CLI::Option_group* group, SceneArgs* a);
// --format, --compress, --type, --overviews, --topk, --summary-threshold,
// --label-min-share: how outputs are encoded (not where they go).
void AddOutputEncodingOptions(CLI::Option_group* group, SceneArgs* a);

// Parses the enum flags and --s2-nodata into a->options; InvalidArgument
// naming the flag.
Status ParseSceneEnums(SceneArgs* a);

}  // namespace mosaic::cli

#endif  // MOSAIC_CLI_SCENE_ARGS_H_
