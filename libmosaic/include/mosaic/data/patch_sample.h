// One co-located Sentinel-1 / Sentinel-2 training patch in memory, and the
// metadata of a patch that can be known without reading its pixels.
// Torch-free: readers in the geo layer produce these, the loader turns them
// into tensors.
#ifndef MOSAIC_DATA_PATCH_SAMPLE_H_
#define MOSAIC_DATA_PATCH_SAMPLE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mosaic::data {

// What a dataset knows about a patch from its metadata alone.
struct PatchRecord {
  std::string id;               // unique in the dataset (BigEarthNet: the S2 patch name)
  std::string split;            // "train", "validation", "test", or "" when unknown
  std::vector<uint8_t> labels;  // multi-hot, one entry per dataset class (0 or 1)
};

// The pixels of a patch on the common 10 m grid, bands in the dataset's order.
struct PatchSample {
  PatchRecord record;
  int64_t height = 0;     // pixels
  int64_t width = 0;      // pixels
  std::vector<float> s1;  // [s1 bands, height, width] σ0 in dB; empty if the dataset has no S1
  std::vector<float> s2;  // [s2 bands, height, width] L2A reflectance ×10000; empty if no S2
  // Values that were nodata/NaN/Inf in the source and were replaced by the
  // band's fill value (see the reader's options), counted over both modalities.
  int64_t invalid_values = 0;
};

}  // namespace mosaic::data

#endif  // MOSAIC_DATA_PATCH_SAMPLE_H_
