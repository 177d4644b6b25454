// A PatchDataset held entirely in memory: for tests, synthetic data and caches.
// Torch-free.
#ifndef MOSAIC_DATA_MEMORY_DATASET_H_
#define MOSAIC_DATA_MEMORY_DATASET_H_

#include <string>
#include <vector>

#include "mosaic/data/patch_dataset.h"

namespace mosaic::data {

class MOSAIC_EXPORT MemoryDataset final : public PatchDataset {
 public:
  // Every sample must have the given size and band counts, and one label per class.
  static StatusOr<MemoryDataset> Create(std::string description,
                                        std::vector<std::string> class_names,
                                        std::vector<std::string> s1_bands,
                                        std::vector<std::string> s2_bands, int64_t patch_size_px,
                                        std::vector<PatchSample> samples);

  std::string description() const override { return description_; }
  const std::vector<std::string>& class_names() const override { return class_names_; }
  const std::vector<std::string>& s1_bands() const override { return s1_bands_; }
  const std::vector<std::string>& s2_bands() const override { return s2_bands_; }
  int64_t patch_size_px() const override { return patch_size_px_; }
  size_t size() const override { return samples_.size(); }
  const PatchRecord& record(size_t index) const override { return samples_[index].record; }
  StatusOr<PatchSample> Read(size_t index) const override { return samples_[index]; }

 private:
  MemoryDataset() = default;
  std::string description_;
  std::vector<std::string> class_names_;
  std::vector<std::string> s1_bands_;
  std::vector<std::string> s2_bands_;
  int64_t patch_size_px_ = 0;
  std::vector<PatchSample> samples_;
};

}  // namespace mosaic::data

#endif  // MOSAIC_DATA_MEMORY_DATASET_H_
