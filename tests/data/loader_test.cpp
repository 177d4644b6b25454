#include "mosaic/data/loader.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include "data/test_datasets.h"

namespace mosaic::data {
namespace {

using testing::HookedDataset;
using testing::MakeDataset;
using testing::ReadEpoch;

std::unique_ptr<Loader> MustCreate(std::shared_ptr<const PatchDataset> dataset,
                                   const LoaderOptions& options) {
  StatusOr<std::unique_ptr<Loader>> loader = Loader::Create(std::move(dataset), options);
  EXPECT_TRUE(loader.ok()) << loader.status().ToString();
  return loader.ok() ? std::move(loader).value() : nullptr;
}

bool SameTensor(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.defined() != b.defined()) return false;
  return !a.defined() || torch::equal(a, b);
}

bool SameBatch(const Batch& a, const Batch& b) {
  return SameTensor(a.s1, b.s1) && SameTensor(a.s2, b.s2) && SameTensor(a.s1_view2, b.s1_view2) &&
         SameTensor(a.s2_view2, b.s2_view2) && SameTensor(a.labels, b.labels) &&
         SameTensor(a.labelled, b.labelled) && SameTensor(a.indices, b.indices) &&
         SameTensor(a.invalid_values, b.invalid_values) && a.epoch == b.epoch &&
         a.batch_index == b.batch_index;
}

std::vector<int64_t> IndicesOf(const std::vector<Batch>& batches) {
  std::vector<int64_t> indices;
  for (const Batch& b : batches) {
    for (int64_t i = 0; i < b.size(); ++i) indices.push_back(b.indices[i].item<int64_t>());
  }
  return indices;
}

LoaderOptions SmallOptions() {
  LoaderOptions o;
  o.batch_size = 5;
  o.seed = 11;
  return o;
}

TEST(Loader, SameSeedSameBatchesAnyWorkerCount) {
  const auto dataset = MakeDataset(23);
  std::vector<std::vector<Batch>> runs;
  for (int workers : {0, 1, 2}) {
    LoaderOptions o = SmallOptions();
    o.num_workers = workers;
    o.prefetch_batches = workers == 2 ? 3 : 1;
    auto loader = MustCreate(dataset, o);
    std::vector<Batch> both = ReadEpoch(loader.get(), 0);
    const std::vector<Batch> epoch1 = ReadEpoch(loader.get(), 1);
    both.insert(both.end(), epoch1.begin(), epoch1.end());
    runs.push_back(both);
  }
  ASSERT_EQ(runs[0].size(), 10u);  // 2 epochs of ceil(23 / 5) batches
  for (size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].size(), runs[0].size());
    for (size_t b = 0; b < runs[0].size(); ++b) {
      EXPECT_TRUE(SameBatch(runs[0][b], runs[r][b])) << "run " << r << " batch " << b;
    }
  }
  // The two epochs differ (order and augmentation).
  EXPECT_FALSE(SameBatch(runs[0][0], runs[0][5]));
}

TEST(Loader, DifferentSeedsGiveDifferentBatches) {
  const auto dataset = MakeDataset(10);
  LoaderOptions o = SmallOptions();
  auto a = MustCreate(dataset, o);
  o.seed = 12;
  auto b = MustCreate(dataset, o);
  const std::vector<Batch> ea = ReadEpoch(a.get(), 0), eb = ReadEpoch(b.get(), 0);
  ASSERT_EQ(ea.size(), eb.size());
  EXPECT_FALSE(torch::equal(ea[0].indices, eb[0].indices));
  // Same samples, other seed: the augmented views still differ.
  o.shuffle = false;
  auto c = MustCreate(dataset, o);
  o.seed = 11;
  auto d = MustCreate(dataset, o);
  EXPECT_FALSE(torch::equal(ReadEpoch(c.get(), 0)[0].s2, ReadEpoch(d.get(), 0)[0].s2));
}

TEST(Loader, EachEpochVisitsEachIndexExactlyOnce) {
  const auto dataset = MakeDataset(30);
  LoaderOptions o = SmallOptions();
  o.indices = IndicesOfSplit(*dataset, "train");
  ASSERT_EQ(o.indices->size(), 20u);
  o.batch_size = 6;
  auto loader = MustCreate(dataset, o);
  EXPECT_EQ(loader->num_batches(), 4);  // 6 + 6 + 6 + 2
  std::vector<int64_t> expected(o.indices->begin(), o.indices->end());
  std::vector<std::vector<int64_t>> orders;
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    const std::vector<Batch> batches = ReadEpoch(loader.get(), epoch);
    ASSERT_EQ(batches.size(), 4u);
    EXPECT_EQ(batches.back().size(), 2);
    for (size_t b = 0; b < batches.size(); ++b) {
      EXPECT_EQ(batches[b].epoch, epoch);
      EXPECT_EQ(batches[b].batch_index, static_cast<int64_t>(b));
    }
    std::vector<int64_t> seen = IndicesOf(batches);
    orders.push_back(seen);
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, expected);
  }
  EXPECT_NE(orders[0], orders[1]);
  EXPECT_NE(orders[1], orders[2]);
}

TEST(Loader, DropLastAndShuffleOff) {
  const auto dataset = MakeDataset(13);
  LoaderOptions o = SmallOptions();
  o.shuffle = false;
  o.drop_last = true;
  auto loader = MustCreate(dataset, o);
  EXPECT_EQ(loader->num_batches(), 2);
  const std::vector<Batch> batches = ReadEpoch(loader.get(), 0);
  ASSERT_EQ(batches.size(), 2u);
  std::vector<int64_t> expected(10);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(IndicesOf(batches), expected);

  o.drop_last = false;
  auto keep = MustCreate(dataset, o);
  const std::vector<Batch> all = ReadEpoch(keep.get(), 0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].size(), 3);
}

TEST(Loader, CollatesLabelsMaskIndicesAndShapes) {
  testing::DatasetShape shape;
  const auto dataset = MakeDataset(9, shape);
  LoaderOptions o = SmallOptions();
  o.labelled = std::vector<bool>(9, false);
  o.labelled[2] = o.labelled[5] = true;
  auto loader = MustCreate(dataset, o);
  for (const Batch& batch : ReadEpoch(loader.get(), 0)) {
    const int64_t n = batch.size();
    EXPECT_EQ(batch.s1.sizes(), (std::vector<int64_t>{n, 2, 16, 16}));
    EXPECT_EQ(batch.s2.sizes(), (std::vector<int64_t>{n, 4, 16, 16}));
    EXPECT_EQ(batch.s1_view2.sizes(), batch.s1.sizes());
    EXPECT_EQ(batch.s2_view2.sizes(), batch.s2.sizes());
    EXPECT_EQ(batch.labels.sizes(), (std::vector<int64_t>{n, 5}));
    EXPECT_EQ(batch.labels.scalar_type(), torch::kFloat);
    EXPECT_EQ(batch.labelled.scalar_type(), torch::kBool);
    EXPECT_FALSE(torch::equal(batch.s1, batch.s1_view2));  // two different views
    for (int64_t i = 0; i < n; ++i) {
      const auto index = static_cast<size_t>(batch.indices[i].item<int64_t>());
      const PatchRecord& record = dataset->record(index);
      for (int64_t c = 0; c < 5; ++c) {
        EXPECT_EQ(batch.labels[i][c].item<float>(), record.labels[c] ? 1.0f : 0.0f);
      }
      EXPECT_EQ(batch.labelled[i].item<bool>(), index == 2 || index == 5);
      EXPECT_EQ(batch.invalid_values[i].item<int64_t>(), static_cast<int64_t>(index % 4));
    }
  }
}

TEST(Loader, WithoutAugmentationViewsAreTheNormalisedPatches) {
  const auto dataset = MakeDataset(4);
  LoaderOptions o = SmallOptions();
  o.augment = false;
  o.two_views = false;
  o.shuffle = false;
  o.s1_normalization = {{-12.0, -10.0}, {3.0, 2.0}};
  auto loader = MustCreate(dataset, o);
  const std::vector<Batch> batches = ReadEpoch(loader.get(), 0);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_FALSE(batches[0].s1_view2.defined());
  EXPECT_FALSE(batches[0].s2_view2.defined());
  const PatchSample sample = dataset->Read(3).value();
  const float expected = (sample.s1[16 * 16 + 7] - -10.0f) / 2.0f;  // band VH, pixel 7
  EXPECT_NEAR(batches[0].s1[3][1][0][7].item<float>(), expected, 1e-5);
  // S2 normalisation defaulted to DefaultNormalization of bands B0..B3 (unknown: 0 / 1).
  EXPECT_EQ(batches[0].s2[3][0][0][0].item<float>(), sample.s2[0]);
}

TEST(Loader, ReadErrorReachesConsumerNamingTheSample) {
  const auto inner = MakeDataset(20);
  auto dataset = std::make_shared<HookedDataset>(inner);
  dataset->before_read = [](size_t index) {
    return index == 13 ? Status::IOError("cannot open B04.tif") : Status::OK();
  };
  for (int workers : {0, 2}) {
    LoaderOptions o = SmallOptions();
    o.shuffle = false;
    o.num_workers = workers;
    auto loader = MustCreate(dataset, o);
    Batch batch;
    for (int round = 0; round < 2; ++round) {  // Reset() starts over and fails again
      loader->Reset(0);
      for (int b = 0; b < 2; ++b) {
        StatusOr<bool> got = loader->Next(&batch);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_TRUE(*got);
      }
      StatusOr<bool> failed = loader->Next(&batch);  // batch 2 holds index 13
      ASSERT_FALSE(failed.ok());
      EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
      EXPECT_NE(failed.status().message().find("patch_13"), std::string::npos)
          << failed.status().message();
      EXPECT_NE(failed.status().message().find("dataset index 13"), std::string::npos);
      EXPECT_NE(failed.status().message().find("cannot open B04.tif"), std::string::npos);
      EXPECT_FALSE(loader->Next(&batch).ok());  // sticky until Reset
    }
  }
}

TEST(Loader, MalformedSampleIsCorruptionNamingTheSample) {
  auto dataset = std::make_shared<HookedDataset>(MakeDataset(6));
  dataset->after_read = [](PatchSample* s) {
    if (s->record.id == "patch_4") s->s2.resize(10);
  };
  LoaderOptions o = SmallOptions();
  o.batch_size = 6;
  o.num_workers = 1;
  auto loader = MustCreate(dataset, o);
  Batch batch;
  StatusOr<bool> got = loader->Next(&batch);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
  EXPECT_NE(got.status().message().find("patch_4"), std::string::npos);
}

// Runs `body` on a thread and fails (instead of hanging the test run) if it
// does not finish within `limit`.
void RunWithTimeout(std::function<void()> body, std::chrono::seconds limit) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread([body = std::move(body), done] {
    body();
    done->set_value();
  }).detach();
  if (finished.wait_for(limit) != std::future_status::ready) {
    ADD_FAILURE() << "timed out after " << limit.count() << " s (deadlock?)";
    std::abort();  // the hung thread cannot be joined; do not let the suite hang
  }
}

TEST(Loader, EarlyDestructionMidEpochDoesNotHang) {
  auto dataset = std::make_shared<HookedDataset>(MakeDataset(64));
  dataset->before_read = [](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return Status::OK();
  };
  RunWithTimeout(
      [&] {
        for (int workers : {1, 3}) {
          LoaderOptions o = SmallOptions();
          o.num_workers = workers;
          o.prefetch_batches = 2;
          auto loader = MustCreate(dataset, o);
          Batch batch;
          ASSERT_TRUE(loader->Next(&batch).ok());
          loader.reset();  // mid-epoch, workers busy or blocked on a full queue
        }
        // Destroyed before taking anything, and right after a Reset.
        auto loader = MustCreate(dataset, SmallOptions());
        loader->Reset(3);
        loader.reset();
      },
      std::chrono::seconds(20));
}

TEST(Loader, BoundedQueueNeverExceedsPrefetchBatches) {
  constexpr int kPrefetch = 2;
  constexpr int64_t kBatch = 4;
  auto dataset = std::make_shared<HookedDataset>(MakeDataset(40));
  std::atomic<int64_t> next_calls{0};  // Next() calls started by the consumer
  std::atomic<int> violations{0};
  std::atomic<int64_t> furthest_ahead{0};
  // With shuffle off, index i belongs to batch i / kBatch. A worker may start
  // batch k only once the consumer has asked for batch k - prefetch.
  dataset->before_read = [&](size_t index) {
    const int64_t batch = static_cast<int64_t>(index) / kBatch;
    const int64_t ahead = batch - next_calls.load();
    if (ahead >= kPrefetch) violations.fetch_add(1);
    int64_t seen = furthest_ahead.load();
    while (ahead > seen && !furthest_ahead.compare_exchange_weak(seen, ahead)) {
    }
    return Status::OK();
  };
  LoaderOptions o = SmallOptions();
  o.shuffle = false;
  o.batch_size = kBatch;
  o.num_workers = 3;
  o.prefetch_batches = kPrefetch;
  auto loader = MustCreate(dataset, o);
  Batch batch;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a slow consumer
    next_calls.fetch_add(1);
    StatusOr<bool> got = loader->Next(&batch);
    ASSERT_TRUE(got.ok());
    if (!*got) break;
  }
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(furthest_ahead.load(), kPrefetch - 1);  // the queue did fill up
  EXPECT_LE(loader->stats().peak_buffered_batches, kPrefetch);
  EXPECT_EQ(loader->stats().batches_built, 10);
}

TEST(Loader, CacheServesLaterEpochsWithIdenticalBatches) {
  const auto dataset = MakeDataset(12);
  LoaderOptions o = SmallOptions();
  auto plain = MustCreate(dataset, o);
  o.cache_max_bytes = size_t{1} << 30;
  auto cached = MustCreate(dataset, o);
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    const std::vector<Batch> a = ReadEpoch(plain.get(), epoch), b = ReadEpoch(cached.get(), epoch);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(SameBatch(a[i], b[i]));
  }
  const LoaderStats stats = cached->stats();
  EXPECT_EQ(stats.samples_read, 12);
  EXPECT_EQ(stats.cache_hits, 12);
  EXPECT_EQ(stats.cached_samples, 12);

  // A budget of three samples' pixels caches exactly three.
  o.cache_max_bytes = 3 * sizeof(float) * (2 + 4) * 16 * 16;
  auto small = MustCreate(dataset, o);
  ReadEpoch(small.get(), 0);
  ReadEpoch(small.get(), 1);
  EXPECT_EQ(small->stats().cached_samples, 3);
  EXPECT_EQ(small->stats().samples_read, 24 - 3);
}

TEST(Loader, ResetMidEpochRestartsFromTheFirstBatch) {
  const auto dataset = MakeDataset(20);
  auto loader = MustCreate(dataset, SmallOptions());
  Batch first, second;
  ASSERT_TRUE(loader->Next(&first).ok());
  ASSERT_TRUE(loader->Next(&second).ok());
  const std::vector<Batch> again = ReadEpoch(loader.get(), 0);
  ASSERT_EQ(again.size(), 4u);
  EXPECT_TRUE(SameBatch(again[0], first));
  EXPECT_TRUE(SameBatch(again[1], second));
  EXPECT_EQ(loader->epoch(), 0);
}

TEST(Loader, BatchToDeviceKeepsEveryField) {
  auto loader = MustCreate(MakeDataset(3), SmallOptions());
  const std::vector<Batch> batches = ReadEpoch(loader.get(), 0);
  ASSERT_EQ(batches.size(), 1u);
  const Batch moved = batches[0].To(torch::kCPU);
  EXPECT_TRUE(SameBatch(moved, batches[0]));
  EXPECT_EQ(Batch().size(), 0);
}

TEST(Loader, ThrowingReadBecomesAStatus) {
  auto dataset = std::make_shared<HookedDataset>(MakeDataset(4));
  dataset->before_read = [](size_t index) -> Status {
    if (index == 1) throw std::runtime_error("decoder exploded");
    return Status::OK();
  };
  LoaderOptions o = SmallOptions();
  o.num_workers = 1;
  auto loader = MustCreate(dataset, o);
  Batch batch;
  StatusOr<bool> got = loader->Next(&batch);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("patch_1"), std::string::npos);
  EXPECT_NE(got.status().message().find("decoder exploded"), std::string::npos);
}

TEST(Loader, SingleModalityDataset) {
  testing::DatasetShape shape;
  shape.s1_bands = 0;
  const auto dataset = MakeDataset(3, shape);
  auto loader = MustCreate(dataset, SmallOptions());
  const std::vector<Batch> batches = ReadEpoch(loader.get(), 0);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_FALSE(batches[0].s1.defined());
  EXPECT_FALSE(batches[0].s1_view2.defined());
  EXPECT_EQ(batches[0].s2.size(0), 3);
}

TEST(Loader, EmptySubsetEndsAtOnce) {
  const auto dataset = MakeDataset(5);
  LoaderOptions o = SmallOptions();
  o.indices = IndicesOfSplit(*dataset, "validation");  // none: an empty epoch, not "all"
  auto loader = MustCreate(dataset, o);
  EXPECT_EQ(loader->num_batches(), 0);
  EXPECT_EQ(loader->num_samples(), 0u);
  Batch batch;
  StatusOr<bool> got = loader->Next(&batch);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(*got);
}

TEST(Loader, CreateRejectsInvalidOptions) {
  const auto dataset = MakeDataset(5);
  auto expect_invalid = [&](const LoaderOptions& o, const std::string& field) {
    StatusOr<std::unique_ptr<Loader>> loader = Loader::Create(dataset, o);
    ASSERT_FALSE(loader.ok()) << field;
    EXPECT_EQ(loader.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(loader.status().message().find(field), std::string::npos)
        << loader.status().message();
  };
  LoaderOptions o;
  o.batch_size = 0;
  expect_invalid(o, "batch_size");
  o = LoaderOptions();
  o.num_workers = -1;
  expect_invalid(o, "num_workers");
  o = LoaderOptions();
  o.prefetch_batches = 0;
  expect_invalid(o, "prefetch_batches");
  o = LoaderOptions();
  o.indices = std::vector<size_t>{1, 5};
  expect_invalid(o, "indices");
  o = LoaderOptions();
  o.labelled = {true};
  expect_invalid(o, "labelled");
  o = LoaderOptions();
  o.s2_normalization = {{0, 0}, {1, 1}};
  expect_invalid(o, "s2_normalization");
  o = LoaderOptions();
  o.s1_normalization = {{0, 0}, {1, 0}};
  expect_invalid(o, "s1_normalization");
  o = LoaderOptions();
  o.augmentation.rot90_probability = -0.1;
  expect_invalid(o, "rot90_probability");
  EXPECT_FALSE(Loader::Create(nullptr, LoaderOptions()).ok());
}

TEST(Loader, ViewSeedDependsOnEveryInput) {
  const uint64_t base = ViewSeed(1, 2, 3, 0);
  EXPECT_EQ(base, ViewSeed(1, 2, 3, 0));
  EXPECT_NE(base, ViewSeed(2, 2, 3, 0));
  EXPECT_NE(base, ViewSeed(1, 3, 3, 0));
  EXPECT_NE(base, ViewSeed(1, 2, 4, 0));
  EXPECT_NE(base, ViewSeed(1, 2, 3, 1));
}

}  // namespace
}  // namespace mosaic::data
