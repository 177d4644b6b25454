// A PatchDataset whose pixels live in raster files: the common back end of
// every reader. A reader resolves, when it opens, which raster band feeds
// which output channel of each patch; Read() then opens those rasters and
// resamples every band onto the patch grid.
#ifndef MOSAIC_GEO_RASTER_PATCH_DATASET_H_
#define MOSAIC_GEO_RASTER_PATCH_DATASET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/data/patch_dataset.h"
#include "mosaic/geo/dataset_options.h"

namespace mosaic::geo::internal {

// One output channel: band `band` (1-based) of the raster at `path`.
struct BandSource {
  std::string path;
  int band = 1;
  // If > 0, the raster must have exactly this size (pixels), else Read() fails.
  int64_t expected_width = 0;
  int64_t expected_height = 0;
};

// The channels of one patch, in the dataset's band order. Either list is
// empty when the dataset does not deliver that modality.
struct PatchSources {
  std::vector<BandSource> s1;
  std::vector<BandSource> s2;
};

// How pixels are post-processed, resolved from DatasetOptions.
struct PixelSettings {
  Resampling s1_resampling = Resampling::kBilinear;
  Resampling s2_resampling = Resampling::kBilinear;
  bool s1_linear_power = false;
  std::vector<float> s1_fill_values;  // one per S1 band
  std::vector<float> s2_fill_values;  // one per S2 band
};

// Checks the modality/band/fill options and resolves them. InvalidArgument
// (naming the option) on bad input.
StatusOr<PixelSettings> ResolvePixelSettings(const DatasetOptions& options);
// The bands the dataset delivers per modality (empty when disabled).
std::vector<std::string> DeliveredS1Bands(const DatasetOptions& options);
std::vector<std::string> DeliveredS2Bands(const DatasetOptions& options);

class RasterPatchDataset final : public data::PatchDataset {
 public:
  // REQUIRES: records.size() == sources.size(); every record has
  // class_names.size() labels; sources list s1_bands.size() / s2_bands.size()
  // channels.
  RasterPatchDataset(std::string description, std::vector<std::string> class_names,
                     std::vector<std::string> s1_bands, std::vector<std::string> s2_bands,
                     int64_t patch_size_px, PixelSettings settings,
                     std::vector<data::PatchRecord> records, std::vector<PatchSources> sources);

  std::string description() const override { return description_; }
  const std::vector<std::string>& class_names() const override { return class_names_; }
  const std::vector<std::string>& s1_bands() const override { return s1_bands_; }
  const std::vector<std::string>& s2_bands() const override { return s2_bands_; }
  int64_t patch_size_px() const override { return patch_size_px_; }
  size_t size() const override { return records_.size(); }
  const data::PatchRecord& record(size_t index) const override { return records_[index]; }
  StatusOr<data::PatchSample> Read(size_t index) const override;

 private:
  // Reads `sources` into `out` ([sources.size(), patch, patch]), grouping
  // consecutive channels of the same file into one open.
  Status ReadChannels(const std::vector<BandSource>& sources, const std::vector<float>& fills,
                      Resampling resampling, bool linear_to_db, float* out, int64_t* invalid) const;

  std::string description_;
  std::vector<std::string> class_names_;
  std::vector<std::string> s1_bands_;
  std::vector<std::string> s2_bands_;
  int64_t patch_size_px_;
  PixelSettings settings_;
  std::vector<data::PatchRecord> records_;
  std::vector<PatchSources> sources_;
};

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_RASTER_PATCH_DATASET_H_
