// Private: one output raster of the scene engine, written under a temporary
// name next to its destination and renamed into place by Commit(). Until then
// the destination is untouched; destroying an uncommitted writer removes the
// temporary files.
#ifndef MOSAIC_GEO_SCENE_RASTER_WRITER_H_
#define MOSAIC_GEO_SCENE_RASTER_WRITER_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mosaic/geo/scene_predict.h"
#include "mosaic/status.h"

namespace mosaic::geo::internal {

enum class OutputKind {
  kProbabilityFloat,  // Float32 0..1, nodata kFloatProbabilityNodata
  kProbabilityByte,   // Byte round(p·254), scale 1/254, nodata kByteProbabilityNodata
  kLabels,            // Byte class index + 1, nodata 0
  kEmbedding,         // Float32, nodata NaN
};

struct OutputRasterSpec {
  std::string option;  // the CLI option that named the file, for messages
  std::string path;
  OutputKind kind = OutputKind::kProbabilityFloat;
  int64_t width = 0;
  int64_t height = 0;
  std::array<double, 6> geotransform{};
  std::string crs_wkt;
  std::vector<std::string> band_descriptions;   // one per band
  std::map<std::string, std::string> metadata;  // dataset metadata items
  std::string compress = "zstd";                // zstd | deflate | lzw | none
  int encode_threads = 0;                       // GTiff NUM_THREADS; 0 = ALL_CPUS
  OutputFormat format = OutputFormat::kGTiff;
  bool overviews = false;
  bool overwrite = false;
};

// Where a scene pass hands finished output blocks: [bands, height, width]
// float32 values (NaN = nodata; top-k: class index + 1, 0 = nodata). A sink
// may overwrite the values (the pass refills its block afterwards).
class BlockSink {
 public:
  virtual ~BlockSink() = default;
  virtual Status Write(int64_t x0, int64_t y0, int64_t width, int64_t height, float* values) = 0;
};

// Collects the blocks that overlap a window into memory, [bands, height, width].
class MemorySink : public BlockSink {
 public:
  MemorySink(int64_t bands, int64_t x0, int64_t y0, int64_t width, int64_t height, float* out);
  Status Write(int64_t x0, int64_t y0, int64_t width, int64_t height, float* values) override;

 private:
  int64_t bands_, x0_, y0_, width_, height_;
  float* out_;
};

// InvalidArgument if `path` exists and overwrite is false, or its folder is
// missing or not writable; names `option`.
Status CheckOutputPath(const std::string& option, const std::string& path, bool overwrite);

class OutputRaster : public BlockSink {
 public:
  static StatusOr<std::unique_ptr<OutputRaster>> Create(const OutputRasterSpec& spec);
  ~OutputRaster();
  OutputRaster(const OutputRaster&) = delete;
  OutputRaster& operator=(const OutputRaster&) = delete;

  int band_count() const;

  // Writes a block: `values` is [bands, height, width] float32; NaN marks
  // nodata (for kLabels: 0 does). Must be called on the thread that created
  // the writer.
  // Blocks should cover whole 256-row tile rows: each write is flushed to the
  // file at once, so GDAL's cache does not grow with the scene.
  Status Write(int64_t x0, int64_t y0, int64_t width, int64_t height, float* values) override;
  // Builds overviews / converts to COG, closes the file. `progress` may be null.
  Status Finish(const SceneProgress& progress);
  // Renames the finished file onto its destination.
  Status Commit();

 private:
  struct Impl;
  explicit OutputRaster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_SCENE_RASTER_WRITER_H_
