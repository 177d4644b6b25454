// Private: one pass of the scene engine over the whole scene on one output
// grid. Reader threads read patch rows, one inference thread runs the model,
// and the calling thread blends and hands finished rows to the sinks.
#ifndef MOSAIC_GEO_SCENE_PIPELINE_H_
#define MOSAIC_GEO_SCENE_PIPELINE_H_

#include <cstdint>
#include <optional>

#include "geo/scene_raster_writer.h"
#include "geo/scene_sources.h"
#include "geo/scene_summary.h"
#include "mosaic/geo/scene_predict.h"
#include "mosaic/patch_classifier.h"

namespace mosaic::geo::internal {

// A window of the output grid (pixels) to which a pass is restricted.
struct PassWindow {
  int64_t x0 = 0;
  int64_t y0 = 0;
  int64_t width = 0;
  int64_t height = 0;
};

struct PassSpec {
  OutputGrid grid = OutputGrid::kDense;
  int64_t patch = 120;
  int64_t stride = 60;
  EdgeMode edges = EdgeMode::kShift;
  BlendWindow blend = BlendWindow::kHann;
  double gaussian_sigma = 0.25;
  double max_nodata_fraction = 0.5;
  HeadChoice head = HeadChoice::kAuto;
  int64_t batch_size = 16;
  int reader_threads = 1;
  int queue_depth = 4;
  int64_t strip_width_px = 2048;
  // Only the patches that cover this window are inferred, and only rows that
  // overlap it are handed to the sinks (which clip). Unset: the whole scene.
  std::optional<PassWindow> window;
  // Sinks; nullptr = not wanted.
  BlockSink* probabilities = nullptr;
  BlockSink* topk = nullptr;
  int topk_k = 3;
  BlockSink* embeddings = nullptr;  // coarse grid only
  int64_t embedding_dim = 0;        // the dimension written; other heads' cells are nodata
  SceneSummary* summary = nullptr;
  // This pass's share of the overall progress.
  double progress_begin = 0.0;
  double progress_end = 1.0;
};

struct PassStats {
  int64_t inferred = 0;
  int64_t skipped = 0;
  int64_t by_head[3] = {0, 0, 0};  // fused, S1, S2
  double read_seconds = 0.0;
  double infer_seconds = 0.0;
  double write_seconds = 0.0;
};

// The output grid size of a pass.
int64_t OutputWidth(const ScenePlan& plan, const PassSpec& spec);
int64_t OutputHeight(const ScenePlan& plan, const PassSpec& spec);

// Runs the pass. Cancelled if `progress` returns false.
Status RunScenePass(const ScenePlan& plan, const PatchClassifier& classifier, const PassSpec& spec,
                    const SceneProgress& progress, PassStats* stats);

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_SCENE_PIPELINE_H_
