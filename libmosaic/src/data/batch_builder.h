// Private: builds one Batch from a list of dataset indices (read or fetch from
// the cache, check, augment, normalise, collate). The loader's scheduling lives
// in loader.cpp; this is the part each worker runs. Not installed.
#ifndef MOSAIC_SRC_DATA_BATCH_BUILDER_H_
#define MOSAIC_SRC_DATA_BATCH_BUILDER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/sample_cache.h"
#include "mosaic/data/batch.h"
#include "mosaic/data/loader.h"

namespace mosaic::data::internal {

// Thread-safe: Build() may run on several threads at once (it only reads the
// builder's state; the cache and the counters are thread-safe).
class BatchBuilder {
 public:
  // `options` must be validated, with both normalisations filled in.
  BatchBuilder(std::shared_ptr<const PatchDataset> dataset, const LoaderOptions& options);

  // The batch of samples `indices` (dataset indices, in batch order) for
  // `epoch`. `cancelled` is polled before each sample; once it returns true
  // Build returns Cancelled. Every other error names the sample at fault.
  StatusOr<Batch> Build(int64_t epoch, int64_t batch_index, const std::vector<size_t>& indices,
                        const std::function<bool()>& cancelled) const;

  int64_t samples_read() const { return samples_read_.load(); }
  int64_t cache_hits() const { return cache_hits_.load(); }
  int64_t cached_samples() const { return static_cast<int64_t>(cache_.size()); }

 private:
  // "sample 'ID' (dataset index N)".
  std::string SampleName(size_t index) const;
  StatusOr<std::shared_ptr<const PatchSample>> Fetch(size_t index) const;
  Status CheckSample(const PatchSample& sample, size_t index) const;
  // Renders every view of one sample into row `row` of the batch tensors.
  void RenderSample(const PatchSample& sample, size_t index, int64_t epoch, int64_t row,
                    Batch* batch) const;

  const std::shared_ptr<const PatchDataset> dataset_;
  const LoaderOptions options_;
  const AugmentOptions augmentation_;
  const int64_t size_px_;
  const int64_t s1_bands_;
  const int64_t s2_bands_;
  const int64_t num_classes_;
  mutable SampleCache cache_;
  mutable std::atomic<int64_t> samples_read_{0};
  mutable std::atomic<int64_t> cache_hits_{0};
};

}  // namespace mosaic::data::internal

#endif  // MOSAIC_SRC_DATA_BATCH_BUILDER_H_
