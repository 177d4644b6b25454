// Shared fixtures for the eval tests: a tiny bundle and in-memory datasets
// that match (or deliberately do not match) its manifest.
#ifndef MOSAIC_TESTS_EVAL_EVAL_TEST_UTIL_H_
#define MOSAIC_TESTS_EVAL_EVAL_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "mosaic/data/memory_dataset.h"
#include "mosaic/manifest.h"

namespace mosaic::eval::testing {

struct TinyDatasetSpec {
  size_t num_samples = 12;
  std::vector<std::string> classes = {"Arable land", "Coniferous forest", "Inland waters"};
  std::vector<std::string> s1_bands = {"VV", "VH"};
  std::vector<std::string> s2_bands = {"B02", "B03", "B04", "B08"};
  int64_t size_px = 16;
};

// Samples alternate splits test, validation, train; labels vary with the
// index so that every class has positives and negatives.
inline std::shared_ptr<data::MemoryDataset> TinyDataset(const TinyDatasetSpec& spec = {}) {
  std::vector<data::PatchSample> samples;
  std::mt19937 gen(7);
  std::normal_distribution<float> db(-13.0f, 4.0f);
  std::uniform_real_distribution<float> reflectance(0.0f, 3000.0f);
  const char* splits[3] = {"test", "validation", "train"};
  const int64_t plane = spec.size_px * spec.size_px;
  for (size_t i = 0; i < spec.num_samples; ++i) {
    data::PatchSample s;
    s.record.id = "patch_" + std::to_string(i);
    s.record.split = splits[i % 3];
    for (size_t c = 0; c < spec.classes.size(); ++c) {
      s.record.labels.push_back(static_cast<uint8_t>(((i / 3) + c) % 2 == 0 || (i + c) % 5 == 0));
    }
    s.height = s.width = spec.size_px;
    for (int64_t k = 0; k < static_cast<int64_t>(spec.s1_bands.size()) * plane; ++k) {
      s.s1.push_back(db(gen));
    }
    for (int64_t k = 0; k < static_cast<int64_t>(spec.s2_bands.size()) * plane; ++k) {
      s.s2.push_back(reflectance(gen));
    }
    samples.push_back(std::move(s));
  }
  StatusOr<data::MemoryDataset> dataset =
      data::MemoryDataset::Create("tiny eval dataset", spec.classes, spec.s1_bands, spec.s2_bands,
                                  spec.size_px, std::move(samples));
  if (!dataset.ok()) throw std::runtime_error(dataset.status().ToString());
  return std::make_shared<data::MemoryDataset>(std::move(dataset).value());
}

}  // namespace mosaic::eval::testing

#endif  // MOSAIC_TESTS_EVAL_EVAL_TEST_UTIL_H_
