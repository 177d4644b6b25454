// A scene opened for on-demand prediction of windows: the model loaded once,
// the inputs resolved once, and any window of the output grid computed on
// request with exactly the patches, blending and nodata rules of
// PredictScene (mosaic/geo/scene_predict.h). For front ends that read block by
// block: the GDAL driver and pixel function.
//
// Thread-safety: PredictWindow may be called from several threads at once;
// each call reads through its own GDAL handles.
#ifndef MOSAIC_GEO_SCENE_SESSION_H_
#define MOSAIC_GEO_SCENE_SESSION_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/geo/scene_predict.h"
#include "mosaic/manifest.h"
#include "mosaic/status.h"

namespace mosaic::geo {

namespace internal {
struct SessionAccess;  // scene_session_impl.h: opening with a shared model
}  // namespace internal

class MOSAIC_EXPORT SceneSession {
 public:
  // Uses the model, device, precision, threads, head, batch, tiling, grid and
  // nodata fields of `options`; the output fields are ignored. Errors as
  // PredictScene's (options, model, inputs).
  static StatusOr<std::unique_ptr<SceneSession>> Open(const SceneInputs& inputs,
                                                      const ScenePredictOptions& options);
  ~SceneSession();
  SceneSession(const SceneSession&) = delete;
  SceneSession& operator=(const SceneSession&) = delete;

  const ModelManifest& manifest() const;
  // The output grid (the S2 grid, or the coarse grid of stride cells).
  int64_t width() const;
  int64_t height() const;
  std::array<double, 6> geotransform() const;
  std::string crs_wkt() const;
  int64_t stride_px() const;
  // Notices from resolving the inputs (band-name assumptions, ...).
  const std::vector<std::string>& notices() const;

  // Class probabilities of the output window [x0, x0 + width) x [y0, y0 +
  // height) into `out`, laid out [classes, height, width]; NaN = nodata.
  // InvalidArgument if the window is empty or leaves the grid.
  Status PredictWindow(int64_t x0, int64_t y0, int64_t width, int64_t height, float* out) const;

  // The coarse-grid embeddings of a window of stride cells, [dim, height,
  // width], NaN = nodata; dim = embedding_dim(). Works whatever the grid.
  int64_t embedding_dim() const;
  Status EmbedWindow(int64_t x0, int64_t y0, int64_t width, int64_t height, float* out) const;

 private:
  struct Impl;
  explicit SceneSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct internal::SessionAccess;  // PredictScene and ScenePredictor open sessions
};

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_SCENE_SESSION_H_
