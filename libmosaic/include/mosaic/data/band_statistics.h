// Per-band mean and standard deviation of a patch dataset, for the
// normalisation stored in a model manifest (what `mosaic stats` prints).
// Torch-free.
#ifndef MOSAIC_DATA_BAND_STATISTICS_H_
#define MOSAIC_DATA_BAND_STATISTICS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mosaic/bands.h"
#include "mosaic/data/patch_dataset.h"
#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::data {

struct BandStatistics {
  // Mean and population standard deviation per band, in the dataset's band
  // order and physical units (S1 dB, S2 reflectance ×10000). Empty for an
  // absent modality. A band whose valid values are all equal gets std 1 (so
  // the normalisation stays usable); check `*_valid_values` and the means.
  BandNormalization s1;
  BandNormalization s2;
  // Finite values that entered each band's statistics.
  std::vector<int64_t> s1_valid_values;
  std::vector<int64_t> s2_valid_values;
  // Non-finite values (NaN, ±Inf) skipped, over all bands of both modalities.
  int64_t skipped_values = 0;
  // Patches read.
  int64_t num_samples = 0;
};

// Computes the statistics over the samples `indices` of `dataset` (all of
// them: IndicesOfSplit(dataset, "")). When there are more than `max_samples` of them (and
// max_samples > 0) an evenly spaced subset of max_samples is used, deterministically. Non-finite
// values are ignored. Each patch's per-band mean and sum of squared deviations are computed in
// double precision and merged with Chan et al.'s parallel update, so the result is accurate for any
// dataset size; samples are merged in index order, so it does not depend on `num_threads` (>= 1,
// the threads calling Read() at once).
//
// Errors: a failed Read() (the message names the sample), no index, an index
// out of range, a sample with pixel buffers of the wrong size, or a band without any
// finite value (InvalidArgument naming the band).
// Thread-safety: reads `dataset` concurrently from `num_threads` threads.
MOSAIC_EXPORT StatusOr<BandStatistics> ComputeBandStatistics(const PatchDataset& dataset,
                                                             const std::vector<size_t>& indices,
                                                             size_t max_samples,
                                                             int num_threads = 1);

}  // namespace mosaic::data

#endif  // MOSAIC_DATA_BAND_STATISTICS_H_
