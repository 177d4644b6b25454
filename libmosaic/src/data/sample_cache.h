// Private: the loader's optional cache of decoded samples (not installed).
#ifndef MOSAIC_SRC_DATA_SAMPLE_CACHE_H_
#define MOSAIC_SRC_DATA_SAMPLE_CACHE_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "mosaic/data/patch_sample.h"

namespace mosaic::data::internal {

// Samples keyed by dataset index, admitted first-come while their pixels fit
// in `max_bytes`; nothing is evicted. Samples are immutable once cached and
// handed out as shared pointers, so readers never copy them.
// Thread-safe.
class SampleCache {
 public:
  explicit SampleCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  bool enabled() const { return max_bytes_ > 0; }

  // The cached sample, or null.
  std::shared_ptr<const PatchSample> Find(size_t index) const {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = samples_.find(index);
    return it == samples_.end() ? nullptr : it->second;
  }

  // Caches `sample` if it fits in the remaining budget.
  void Insert(size_t index, std::shared_ptr<const PatchSample> sample) {
    const size_t bytes = sizeof(float) * (sample->s1.size() + sample->s2.size());
    std::lock_guard<std::mutex> lock(mu_);
    if (bytes > max_bytes_ - used_bytes_ || samples_.count(index) != 0) return;
    used_bytes_ += bytes;
    samples_.emplace(index, std::move(sample));
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return samples_.size();
  }

 private:
  const size_t max_bytes_;
  mutable std::mutex mu_;
  size_t used_bytes_ = 0;  // <= max_bytes_
  std::unordered_map<size_t, std::shared_ptr<const PatchSample>> samples_;
};

}  // namespace mosaic::data::internal

#endif  // MOSAIC_SRC_DATA_SAMPLE_CACHE_H_
