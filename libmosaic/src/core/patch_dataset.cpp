#include "mosaic/data/patch_dataset.h"
#include "mosaic/data/memory_dataset.h"

namespace mosaic::data {

std::vector<size_t> IndicesOfSplit(const PatchDataset& dataset, const std::string& split) {
  std::vector<size_t> indices;
  for (size_t i = 0; i < dataset.size(); ++i) {
    if (split.empty() || dataset.record(i).split == split) indices.push_back(i);
  }
  return indices;
}

StatusOr<MemoryDataset> MemoryDataset::Create(std::string description,
                                              std::vector<std::string> class_names,
                                              std::vector<std::string> s1_bands,
                                              std::vector<std::string> s2_bands,
                                              int64_t patch_size_px,
                                              std::vector<PatchSample> samples) {
  if (s1_bands.empty() && s2_bands.empty()) {
    return Status::InvalidArgument(description + ": a dataset needs S1 or S2 bands");
  }
  const size_t pixels = static_cast<size_t>(patch_size_px * patch_size_px);
  for (size_t i = 0; i < samples.size(); ++i) {
    const PatchSample& s = samples[i];
    const std::string where =
        description + ": sample " + std::to_string(i) + " ('" + s.record.id + "')";
    if (s.height != patch_size_px || s.width != patch_size_px) {
      return Status::InvalidArgument(where + " is " + std::to_string(s.height) + " x " +
                                     std::to_string(s.width) + " px, expected " +
                                     std::to_string(patch_size_px));
    }
    if (s.s1.size() != s1_bands.size() * pixels || s.s2.size() != s2_bands.size() * pixels) {
      return Status::InvalidArgument(where + " has pixel buffers of the wrong size");
    }
    if (s.record.labels.size() != class_names.size()) {
      return Status::InvalidArgument(where + " has " + std::to_string(s.record.labels.size()) +
                                     " labels, expected " + std::to_string(class_names.size()));
    }
  }
  MemoryDataset dataset;
  dataset.description_ = std::move(description);
  dataset.class_names_ = std::move(class_names);
  dataset.s1_bands_ = std::move(s1_bands);
  dataset.s2_bands_ = std::move(s2_bands);
  dataset.patch_size_px_ = patch_size_px;
  dataset.samples_ = std::move(samples);
  return dataset;
}

}  // namespace mosaic::data
