// The interface every patch dataset implements: BigEarthNet v1 / v2.0,
// SEN12MS, generic CSV (geo layer, GDAL) and in-memory datasets (core).
// Torch-free.
#ifndef MOSAIC_DATA_PATCH_DATASET_H_
#define MOSAIC_DATA_PATCH_DATASET_H_

#include <cstddef>
#include <string>
#include <vector>

#include "mosaic/data/patch_sample.h"
#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::data {

// Thread-safety: every const method, Read() included, may be called from
// several threads at once (the loader's workers do).
class MOSAIC_EXPORT PatchDataset {
 public:
  virtual ~PatchDataset() = default;

  // Human-readable kind and location, e.g. "BigEarthNet v1 at /data/BigEarthNet-v1.0".
  virtual std::string description() const = 0;
  // Names of the classes the multi-hot labels index.
  virtual const std::vector<std::string>& class_names() const = 0;
  // Bands delivered per modality, in channel order; empty if the modality is absent.
  virtual const std::vector<std::string>& s1_bands() const = 0;
  virtual const std::vector<std::string>& s2_bands() const = 0;
  // Patch side in pixels on the 10 m grid (BigEarthNet 120, SEN12MS 256).
  virtual int64_t patch_size_px() const = 0;

  virtual size_t size() const = 0;
  // REQUIRES: index < size().
  virtual const PatchRecord& record(size_t index) const = 0;
  // Reads and resamples one patch. Errors name the file at fault (missing band
  // file, wrong raster size, unreadable TIFF, ...).
  // REQUIRES: index < size().
  virtual StatusOr<PatchSample> Read(size_t index) const = 0;
};

// Indices of the records whose split equals `split` ("" selects all).
MOSAIC_EXPORT std::vector<size_t> IndicesOfSplit(const PatchDataset& dataset,
                                                 const std::string& split);

}  // namespace mosaic::data

#endif  // MOSAIC_DATA_PATCH_DATASET_H_
