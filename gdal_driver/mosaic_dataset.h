// The MOSAIC raster dataset: one Float32 band per class (or per embedding
// dimension) of a scene, computed on read by a SceneSession.
//
// All bands of a block come from one SceneSession::PredictWindow call; the
// result is kept in the dataset's own small block cache (shared by the bands,
// bounded by CACHE_MB), so reading the bands one after another, or with a
// GDAL_CACHEMAX too small to hold the blocks, does not repeat the inference.
// The cache is thread-safe and computes a block once even when several
// threads ask for it at the same time.
#ifndef MOSAIC_GDAL_DRIVER_MOSAIC_DATASET_H_
#define MOSAIC_GDAL_DRIVER_MOSAIC_DATASET_H_

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include "description.h"
#include "mosaic/geo/scene_session.h"

namespace mosaic::gdal_driver {

// Computed blocks, least recently used first out. Each entry holds all bands
// of one block, [bands, height, width].
class BlockCache {
 public:
  using Block = std::shared_ptr<const std::vector<float>>;
  using Compute = std::function<StatusOr<Block>()>;

  explicit BlockCache(size_t capacity_blocks) : capacity_(std::max<size_t>(capacity_blocks, 1)) {}

  // The cached block at `key`, or the result of `compute` (run once per key
  // even when several threads ask together; a failure is not cached).
  StatusOr<Block> Get(std::pair<int, int> key, const Compute& compute);

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::list<std::pair<std::pair<int, int>, Block>> entries_;  // most recent first
  std::map<std::pair<int, int>, std::shared_future<StatusOr<Block>>> in_flight_;
};

class MosaicDataset final : public GDALDataset {
 public:
  // The driver's open function behind MosaicBackendOpen: nullptr after a
  // CPLError on failure.
  static GDALDataset* Open(GDALOpenInfo* open_info);

#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 12, 0)
  CPLErr GetGeoTransform(GDALGeoTransform& transform) const override;
#else
  CPLErr GetGeoTransform(double* transform) override;
#endif
  const OGRSpatialReference* GetSpatialRef() const override;
  const char* GetMetadataItem(const char* name, const char* domain = "") override;

  // All bands of block (block_x, block_y), computed or from the cache.
  StatusOr<BlockCache::Block> ReadBlock(int block_x, int block_y);
  bool embeddings() const { return description_.embeddings; }

 private:
  MosaicDataset(DatasetDescription description, std::unique_ptr<geo::SceneSession> session);
  StatusOr<BlockCache::Block> ComputeBlock(int block_x, int block_y);

  const DatasetDescription description_;
  const std::unique_ptr<geo::SceneSession> session_;
  std::array<double, 6> geotransform_;
  OGRSpatialReference srs_;
  int band_count_;
  BlockCache cache_;
  std::atomic<int64_t> windows_computed_{0};
  std::string debug_item_;  // storage for GetMetadataItem's MOSAIC_DEBUG answers
};

class MosaicRasterBand final : public GDALRasterBand {
 public:
  MosaicRasterBand(MosaicDataset* dataset, int band, int block_size, const std::string& name);

  CPLErr IReadBlock(int block_x, int block_y, void* image) override;
  double GetNoDataValue(int* success = nullptr) override;
};

}  // namespace mosaic::gdal_driver

#endif  // MOSAIC_GDAL_DRIVER_MOSAIC_DATASET_H_
