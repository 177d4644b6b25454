#include "mosaic/data/band_statistics.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <string>
#include <thread>

namespace mosaic::data {
namespace {

// Count, mean and sum of squared deviations of a set of values.
struct Moments {
  int64_t count = 0;
  double mean = 0.0;
  double m2 = 0.0;
};

// Chan, Golub & LeVeque's pairwise update: the moments of the union.
void Merge(const Moments& b, Moments* a) {
  if (b.count == 0) return;
  if (a->count == 0) {
    *a = b;
    return;
  }
  const double n = static_cast<double>(a->count + b.count);
  const double delta = b.mean - a->mean;
  a->mean += delta * static_cast<double>(b.count) / n;
  a->m2 += b.m2 + delta * delta * static_cast<double>(a->count) * static_cast<double>(b.count) / n;
  a->count += b.count;
}

// Two passes over one band of one patch, skipping non-finite values.
Moments BandMoments(const float* x, size_t count, int64_t* skipped) {
  Moments m;
  double sum = 0.0;
  for (size_t i = 0; i < count; ++i) {
    if (std::isfinite(x[i])) {
      sum += x[i];
      ++m.count;
    }
  }
  *skipped += static_cast<int64_t>(count) - m.count;
  if (m.count == 0) return m;
  m.mean = sum / static_cast<double>(m.count);
  for (size_t i = 0; i < count; ++i) {
    if (std::isfinite(x[i])) {
      const double d = x[i] - m.mean;
      m.m2 += d * d;
    }
  }
  return m;
}

struct SampleMoments {
  Status status;
  std::vector<Moments> s1, s2;
  int64_t skipped = 0;
};

SampleMoments MomentsOfSample(const PatchDataset& dataset, size_t index) {
  SampleMoments out;
  const std::string name =
      "sample '" + dataset.record(index).id + "' (dataset index " + std::to_string(index) + ")";
  StatusOr<PatchSample> sample = dataset.Read(index);
  if (!sample.ok()) {
    out.status = sample.status().WithContext("reading " + name);
    return out;
  }
  const size_t plane = static_cast<size_t>(dataset.patch_size_px() * dataset.patch_size_px());
  const size_t s1_bands = dataset.s1_bands().size();
  const size_t s2_bands = dataset.s2_bands().size();
  if (sample->s1.size() != s1_bands * plane || sample->s2.size() != s2_bands * plane) {
    out.status = Status::Corruption(name + " has pixel buffers of the wrong size");
    return out;
  }
  for (size_t b = 0; b < s1_bands; ++b) {
    out.s1.push_back(BandMoments(sample->s1.data() + b * plane, plane, &out.skipped));
  }
  for (size_t b = 0; b < s2_bands; ++b) {
    out.s2.push_back(BandMoments(sample->s2.data() + b * plane, plane, &out.skipped));
  }
  return out;
}

// Evenly spaced subset of at most max_samples of `indices`.
std::vector<size_t> SelectSamples(const std::vector<size_t>& indices, size_t max_samples) {
  const size_t n = indices.size();
  if (max_samples == 0 || n <= max_samples) return indices;
  std::vector<size_t> selected(max_samples);
  for (size_t i = 0; i < max_samples; ++i) {
    selected[i] = indices[i * n / max_samples];  // i * n fits: n < 2^32 samples
  }
  return selected;
}

Status Finish(const std::vector<Moments>& moments, const std::vector<std::string>& bands,
              BandNormalization* norm, std::vector<int64_t>* valid) {
  for (size_t b = 0; b < moments.size(); ++b) {
    const Moments& m = moments[b];
    if (m.count == 0) {
      return Status::InvalidArgument("band " + bands[b] + " has no finite value in the samples");
    }
    const double std = std::sqrt(m.m2 / static_cast<double>(m.count));
    norm->mean.push_back(m.mean);
    norm->std.push_back(std > 0.0 ? std : 1.0);
    valid->push_back(m.count);
  }
  return Status::OK();
}

}  // namespace

StatusOr<BandStatistics> ComputeBandStatistics(const PatchDataset& dataset,
                                               const std::vector<size_t>& indices,
                                               size_t max_samples, int num_threads) {
  if (num_threads < 1) {
    return Status::InvalidArgument("ComputeBandStatistics: num_threads must be >= 1, got " +
                                   std::to_string(num_threads));
  }
  for (size_t index : indices) {
    if (index >= dataset.size()) {
      return Status::InvalidArgument("ComputeBandStatistics: index " + std::to_string(index) +
                                     " is out of range for " + dataset.description());
    }
  }
  const std::vector<size_t> selected = SelectSamples(indices, max_samples);
  if (selected.empty()) {
    return Status::InvalidArgument("ComputeBandStatistics: no samples in " + dataset.description());
  }

  std::vector<Moments> s1(dataset.s1_bands().size()), s2(dataset.s2_bands().size());
  BandStatistics stats;
  // Chunks keep the per-sample partial results small; within a chunk the
  // threads fill slots, which are then merged in index order (deterministic).
  const size_t chunk = 64 * static_cast<size_t>(num_threads);
  std::vector<SampleMoments> partial;
  for (size_t begin = 0; begin < selected.size(); begin += chunk) {
    const size_t end = std::min(selected.size(), begin + chunk);
    partial.assign(end - begin, SampleMoments{});
    std::atomic<size_t> next{begin};
    auto work = [&] {
      for (size_t i = next.fetch_add(1); i < end; i = next.fetch_add(1)) {
        try {
          partial[i - begin] = MomentsOfSample(dataset, selected[i]);
        } catch (const std::exception& e) {
          partial[i - begin].status = Status::Internal(
              "reading dataset index " + std::to_string(selected[i]) + ": " + e.what());
        }
      }
    };
    std::vector<std::thread> threads;
    for (int t = 1; t < num_threads; ++t) threads.emplace_back(work);
    work();
    for (std::thread& thread : threads) thread.join();

    for (const SampleMoments& p : partial) {
      MOSAIC_RETURN_IF_ERROR(p.status);
      for (size_t b = 0; b < s1.size(); ++b) Merge(p.s1[b], &s1[b]);
      for (size_t b = 0; b < s2.size(); ++b) Merge(p.s2[b], &s2[b]);
      stats.skipped_values += p.skipped;
      ++stats.num_samples;
    }
  }
  MOSAIC_RETURN_IF_ERROR(Finish(s1, dataset.s1_bands(), &stats.s1, &stats.s1_valid_values));
  MOSAIC_RETURN_IF_ERROR(Finish(s2, dataset.s2_bands(), &stats.s2, &stats.s2_valid_values));
  return stats;
}

}  // namespace mosaic::data
