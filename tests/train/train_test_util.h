// A tiny, easy multi-label dataset and model options for the training tests.
#ifndef MOSAIC_TESTS_TRAIN_TRAIN_TEST_UTIL_H_
#define MOSAIC_TESTS_TRAIN_TRAIN_TEST_UTIL_H_

#include <torch/torch.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "mosaic/bands.h"
#include "mosaic/data/memory_dataset.h"
#include "mosaic/train/train_options.h"

namespace mosaic::train::testing {

inline constexpr int64_t kClasses = 3;
inline constexpr int64_t kPatchPx = 16;

// `n` samples of 16 x 16 px, S1 VV/VH and S2 B02/B03/B04, 3 classes drawn
// independently (p = 0.4). Class c raises S2 band c by 1500 and S1 VV by 4 dB
// in the whole patch, so the labels are easy to read from the pixels.
inline std::shared_ptr<const data::MemoryDataset> EasyDataset(size_t n, uint64_t seed = 1) {
  std::mt19937 gen(static_cast<uint32_t>(seed));
  std::bernoulli_distribution has(0.4);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  const std::vector<std::string> s1_bands = {"VV", "VH"};
  const std::vector<std::string> s2_bands = {"B02", "B03", "B04"};
  std::vector<data::PatchSample> samples;
  const size_t plane = static_cast<size_t>(kPatchPx * kPatchPx);
  for (size_t i = 0; i < n; ++i) {
    data::PatchSample s;
    s.record.id = "p" + std::to_string(i);
    s.record.split = i % 8 == 7 ? "test" : "train";
    s.height = s.width = kPatchPx;
    s.s1.resize(2 * plane);
    s.s2.resize(3 * plane);
    for (int64_t c = 0; c < kClasses; ++c) s.record.labels.push_back(has(gen) ? 1 : 0);
    for (size_t b = 0; b < 2; ++b) {
      for (size_t p = 0; p < plane; ++p) {
        float v = -12.0f + 0.5f * noise(gen);
        if (b == 0) {
          for (int64_t c = 0; c < kClasses; ++c) v += s.record.labels[c] ? 2.0f * (c + 1) : 0.0f;
        }
        s.s1[b * plane + p] = v;
      }
    }
    for (size_t b = 0; b < 3; ++b) {
      for (size_t p = 0; p < plane; ++p) {
        s.s2[b * plane + p] = 1000.0f + 100.0f * noise(gen) + (s.record.labels[b] ? 1500.0f : 0.0f);
      }
    }
    samples.push_back(std::move(s));
  }
  return std::make_shared<const data::MemoryDataset>(
      data::MemoryDataset::Create("easy test set", {"a", "b", "c"}, s1_bands, s2_bands, kPatchPx,
                                  std::move(samples))
          .value());
}

// Small, fast training options on CPU.
inline TrainOptions TinyTrainOptions() {
  TrainOptions o;
  o.encoder = "small_cnn";
  o.small_cnn_width = 4;
  o.projection_dim = 8;
  o.projection_hidden_dim = 16;
  o.optimization.batch_size = 8;
  o.optimization.num_workers = 0;
  o.optimization.learning_rate = 1e-2;
  o.optimization.max_steps = 6;
  o.optimization.seed = 3;
  return o;
}

// Every parameter and buffer of two modules bit-identical.
inline bool SameState(torch::nn::Module& a, torch::nn::Module& b) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  const auto ba = a.named_buffers(), bb = b.named_buffers();
  if (pa.size() != pb.size() || ba.size() != bb.size()) return false;
  for (const auto& item : pa) {
    if (!torch::equal(item.value(), pb[item.key()])) return false;
  }
  for (const auto& item : ba) {
    if (!torch::equal(item.value(), bb[item.key()])) return false;
  }
  return true;
}

}  // namespace mosaic::train::testing

#endif  // MOSAIC_TESTS_TRAIN_TRAIN_TEST_UTIL_H_
