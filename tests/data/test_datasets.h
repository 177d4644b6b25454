// Small in-memory datasets and a dataset wrapper with hooks, for the loader,
// augmentation and band statistics tests.
#ifndef MOSAIC_TESTS_DATA_TEST_DATASETS_H_
#define MOSAIC_TESTS_DATA_TEST_DATASETS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "mosaic/data/loader.h"
#include "mosaic/data/memory_dataset.h"
#include "mosaic/data/patch_dataset.h"

namespace mosaic::data::testing {

struct DatasetShape {
  int64_t size_px = 16;
  int64_t s1_bands = 2;
  int64_t s2_bands = 4;
  int64_t num_classes = 5;
};

inline std::vector<std::string> Names(const std::string& prefix, int64_t n) {
  std::vector<std::string> names;
  for (int64_t i = 0; i < n; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

// A sample with S1 ~ N(-12, 3) dB, S2 ~ U(0, 3000), a few labels, all from `seed`.
inline PatchSample MakeSample(const std::string& id, const DatasetShape& shape, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> db(-12.0f, 3.0f);
  std::uniform_real_distribution<float> reflectance(0.0f, 3000.0f);
  PatchSample s;
  s.record.id = id;
  s.record.split = seed % 3 == 0 ? "test" : "train";
  for (int64_t c = 0; c < shape.num_classes; ++c) s.record.labels.push_back((seed + c) % 3 == 0);
  s.height = s.width = shape.size_px;
  const int64_t plane = shape.size_px * shape.size_px;
  for (int64_t i = 0; i < shape.s1_bands * plane; ++i) s.s1.push_back(db(gen));
  for (int64_t i = 0; i < shape.s2_bands * plane; ++i) s.s2.push_back(reflectance(gen));
  s.invalid_values = seed % 4;
  return s;
}

inline std::shared_ptr<MemoryDataset> MakeDataset(size_t n, const DatasetShape& shape = {}) {
  std::vector<PatchSample> samples;
  for (size_t i = 0; i < n; ++i) {
    samples.push_back(MakeSample("patch_" + std::to_string(i), shape, static_cast<uint32_t>(i)));
  }
  StatusOr<MemoryDataset> dataset = MemoryDataset::Create(
      "test dataset", Names("class", shape.num_classes),
      shape.s1_bands > 0 ? std::vector<std::string>{"VV", "VH"} : std::vector<std::string>{},
      Names("B", shape.s2_bands), shape.size_px, std::move(samples));
  if (!dataset.ok()) throw std::runtime_error(dataset.status().ToString());
  return std::make_shared<MemoryDataset>(std::move(dataset).value());
}

// Forwards to another dataset; `before_read(index)` runs first and may fail
// the read (return non-OK), delay it or record it. `after_read` may edit the
// sample.
class HookedDataset final : public PatchDataset {
 public:
  explicit HookedDataset(std::shared_ptr<const PatchDataset> inner) : inner_(std::move(inner)) {}

  std::function<Status(size_t)> before_read;
  std::function<void(PatchSample*)> after_read;

  std::string description() const override { return "hooked " + inner_->description(); }
  const std::vector<std::string>& class_names() const override { return inner_->class_names(); }
  const std::vector<std::string>& s1_bands() const override { return inner_->s1_bands(); }
  const std::vector<std::string>& s2_bands() const override { return inner_->s2_bands(); }
  int64_t patch_size_px() const override { return inner_->patch_size_px(); }
  size_t size() const override { return inner_->size(); }
  const PatchRecord& record(size_t index) const override { return inner_->record(index); }
  StatusOr<PatchSample> Read(size_t index) const override {
    if (before_read) {
      Status status = before_read(index);
      if (!status.ok()) return status;
    }
    StatusOr<PatchSample> sample = inner_->Read(index);
    if (sample.ok() && after_read) after_read(&sample.value());
    return sample;
  }

 private:
  std::shared_ptr<const PatchDataset> inner_;
};

// Every batch of one epoch of `loader`; fails the test on an error.
inline std::vector<Batch> ReadEpoch(Loader* loader, int64_t epoch) {
  loader->Reset(epoch);
  std::vector<Batch> batches;
  Batch batch;
  for (;;) {
    StatusOr<bool> got = loader->Next(&batch);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || !*got) break;
    batches.push_back(batch);
  }
  return batches;
}

}  // namespace mosaic::data::testing

#endif  // MOSAIC_TESTS_DATA_TEST_DATASETS_H_
