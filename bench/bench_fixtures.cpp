#include "bench_fixtures.h"

#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "mosaic/bands.h"

namespace mosaic::bench {

std::shared_ptr<const data::MemoryDataset> BigEarthNetLikeDataset(size_t count) {
  static std::mutex mutex;
  static std::map<size_t, std::shared_ptr<const data::MemoryDataset>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& entry = cache[count];
  if (entry != nullptr) return entry;
  const std::vector<std::string> s1_bands = ModalityBands(Modality::kS1);
  const std::vector<std::string> s2_bands = *BandSet("s2-all");
  std::mt19937 gen(7);
  std::normal_distribution<float> db(-12.0f, 3.0f);
  std::uniform_real_distribution<float> reflectance(300.0f, 3000.0f);
  std::vector<data::PatchSample> samples;
  for (size_t i = 0; i < count; ++i) {
    data::PatchSample s;
    s.record.id = "bench_" + std::to_string(i);
    s.record.split = "train";
    for (int64_t c = 0; c < kNumClasses; ++c) s.record.labels.push_back((i + c) % 5 == 0);
    s.height = s.width = kPatchPx;
    const size_t plane = static_cast<size_t>(kPatchPx * kPatchPx);
    s.s1.resize(s1_bands.size() * plane);
    s.s2.resize(s2_bands.size() * plane);
    for (float& v : s.s1) v = db(gen);
    for (float& v : s.s2) v = reflectance(gen);
    samples.push_back(std::move(s));
  }
  std::vector<std::string> classes;
  for (int64_t c = 0; c < kNumClasses; ++c) classes.push_back("class" + std::to_string(c));
  entry = std::make_shared<const data::MemoryDataset>(
      data::MemoryDataset::Create("BigEarthNet-like (synthetic)", classes, s1_bands, s2_bands,
                                  kPatchPx, std::move(samples))
          .value());
  return entry;
}

}  // namespace mosaic::bench
