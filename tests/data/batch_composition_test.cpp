// Label-aware batch composition (mosaic/data/batch_composition.h), alone and
// through the Loader (worker counts, data-parallel shards).
#include "mosaic/data/batch_composition.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "data/test_datasets.h"
#include "mosaic/data/loader.h"

namespace mosaic::data {
namespace {

using testing::ReadEpoch;

std::vector<size_t> Iota(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// 40 samples, 4 of them labelled (dataset indices 3, 11, 20, 37).
struct Fixture {
  std::vector<size_t> indices = Iota(40);
  std::vector<bool> labelled = [] {
    std::vector<bool> m(40, false);
    for (size_t i : {3, 11, 20, 37}) m[i] = true;
    return m;
  }();
  BatchCompositionInput Input(int64_t batch, int64_t k, int64_t epoch = 0) const {
    BatchCompositionInput in;
    in.indices = &indices;
    in.labelled = &labelled;
    in.batch_size = batch;
    in.labelled_per_batch = k;
    in.seed = 7;
    in.epoch = epoch;
    return in;
  }
};

TEST(BatchComposition, EveryBatchHoldsKDistinctLabelledAndEachUnlabelledOnce) {
  const Fixture f;
  const EpochPlan plan = PlanEpoch(f.Input(8, 2));
  ASSERT_TRUE(plan.composed);
  EXPECT_EQ(plan.labelled_per_batch, 2);
  // 36 unlabelled samples, 6 per batch: 6 batches of 8.
  ASSERT_EQ(plan.num_batches, 6);
  ASSERT_EQ(plan.order.size(), 48u);
  std::multiset<size_t> unlabelled_seen;
  for (int64_t b = 0; b < plan.num_batches; ++b) {
    std::set<size_t> labelled_here;
    for (size_t pos = 0; pos < 8; ++pos) {
      const size_t index = plan.order[static_cast<size_t>(b) * 8 + pos];
      // Slots j = 0, 1 sit at floor(j * 8 / 2) = 0 and 4, and only there.
      EXPECT_EQ(f.labelled[index], pos == 0 || pos == 4) << "batch " << b << " pos " << pos;
      if (f.labelled[index]) {
        labelled_here.insert(index);
      } else {
        unlabelled_seen.insert(index);
      }
    }
    EXPECT_EQ(labelled_here.size(), 2u) << "batch " << b;  // distinct within the batch
  }
  EXPECT_EQ(unlabelled_seen.size(), 36u);
  EXPECT_EQ(std::set<size_t>(unlabelled_seen.begin(), unlabelled_seen.end()).size(), 36u);
}

TEST(BatchComposition, LastPartialBatchAndDropLast) {
  const Fixture f;
  // 36 unlabelled, 5 per batch with k = 3: 7 full batches + one with 1 + 3.
  EpochPlan plan = PlanEpoch(f.Input(8, 3));
  ASSERT_EQ(plan.num_batches, 8);
  ASSERT_EQ(plan.order.size(), 7u * 8 + 4);
  int labelled_in_last = 0;
  for (size_t pos = 56; pos < 60; ++pos) labelled_in_last += f.labelled[plan.order[pos]] ? 1 : 0;
  EXPECT_EQ(labelled_in_last, 3);
  BatchCompositionInput in = f.Input(8, 3);
  in.drop_last = true;
  plan = PlanEpoch(in);
  EXPECT_EQ(plan.num_batches, 7);
  EXPECT_EQ(plan.order.size(), 56u);
  EXPECT_EQ(PlannedBatches(in), 7);
}

TEST(BatchComposition, PoolSmallerThanKUsesThePoolOncePerBatch) {
  const Fixture f;
  const EpochPlan plan = PlanEpoch(f.Input(10, 6));
  EXPECT_EQ(plan.labelled_per_batch, 4);  // only 4 labelled samples exist
  for (int64_t b = 0; b + 1 < plan.num_batches; ++b) {
    std::set<size_t> labelled_here;
    for (size_t pos = 0; pos < 10; ++pos) {
      const size_t index = plan.order[static_cast<size_t>(b) * 10 + pos];
      if (f.labelled[index]) labelled_here.insert(index);
    }
    EXPECT_EQ(labelled_here, (std::set<size_t>{3, 11, 20, 37}));
  }
}

TEST(BatchComposition, DrawsAreUniformOverThePoolAndDependOnSeedAndEpoch) {
  std::vector<size_t> indices = Iota(2000);
  std::vector<bool> labelled(2000, false);
  for (size_t i = 0; i < 2000; i += 100) labelled[i] = true;  // 20 labelled
  BatchCompositionInput in;
  in.indices = &indices;
  in.labelled = &labelled;
  in.batch_size = 32;
  in.labelled_per_batch = 8;
  std::map<size_t, int> counts;
  int64_t batches = 0;
  for (int64_t epoch = 0; epoch < 10; ++epoch) {
    in.epoch = epoch;
    const EpochPlan plan = PlanEpoch(in);
    batches += plan.num_batches;
    for (size_t index : plan.order) {
      if (labelled[index]) ++counts[index];
    }
  }
  ASSERT_EQ(counts.size(), 20u);
  // Each of the 20 is drawn with probability 8/20 per batch: expectation
  // 0.4 * batches, binomial sd sqrt(0.24 * batches) ~ 13; allow 5 sd.
  const double expected = 0.4 * static_cast<double>(batches);
  const double tolerance = 5.0 * std::sqrt(0.24 * static_cast<double>(batches));
  for (const auto& [index, count] : counts) {
    EXPECT_NEAR(count, expected, tolerance) << "labelled sample " << index;
  }
  in.epoch = 0;
  const EpochPlan a = PlanEpoch(in);
  EXPECT_EQ(a.order, PlanEpoch(in).order);  // pure
  in.epoch = 1;
  EXPECT_NE(a.order, PlanEpoch(in).order);
  in.epoch = 0;
  in.seed = 1;
  EXPECT_NE(a.order, PlanEpoch(in).order);
}

TEST(BatchComposition, OffWhenKIsZeroOrEveryOrNoSampleIsLabelled) {
  Fixture f;
  const EpochPlan plain = PlanEpoch(f.Input(8, 0));
  EXPECT_FALSE(plain.composed);
  EXPECT_EQ(plain.order.size(), 40u);
  EXPECT_EQ(plain.num_batches, 5);
  f.labelled.assign(40, true);
  EXPECT_FALSE(PlanEpoch(f.Input(8, 2)).composed);
  EXPECT_EQ(PlanEpoch(f.Input(8, 2)).order, plain.order);  // the plain shuffle, unchanged
  f.labelled.assign(40, false);
  EXPECT_FALSE(PlanEpoch(f.Input(8, 2)).composed);
}

// Through the Loader: the mask of every batch holds k labelled samples, for
// any worker count, and two data-parallel shards rebuild the global batch.
LoaderOptions ComposedOptions(const std::vector<bool>& labelled) {
  LoaderOptions o;
  o.batch_size = 8;
  o.labelled_per_batch = 2;
  o.labelled = labelled;
  o.seed = 3;
  o.drop_last = true;
  o.num_workers = 0;
  return o;
}

TEST(BatchComposition, LoaderBatchesCarryKLabelledWhateverTheWorkerCount) {
  const Fixture f;
  const auto dataset = testing::MakeDataset(40);
  std::vector<std::vector<Batch>> runs;
  for (int workers : {0, 2}) {
    LoaderOptions o = ComposedOptions(f.labelled);
    o.num_workers = workers;
    auto loader = Loader::Create(dataset, o);
    ASSERT_TRUE(loader.ok()) << loader.status().ToString();
    EXPECT_EQ((*loader)->num_batches(), 6);  // 36 unlabelled, 6 per batch
    runs.push_back(ReadEpoch(loader->get(), 1));
  }
  ASSERT_EQ(runs[0].size(), runs[1].size());
  for (size_t b = 0; b < runs[0].size(); ++b) {
    EXPECT_EQ(runs[0][b].labelled.sum().item<int64_t>(), 2) << "batch " << b;
    EXPECT_TRUE(torch::equal(runs[0][b].indices, runs[1][b].indices));
    EXPECT_TRUE(torch::equal(runs[0][b].s2, runs[1][b].s2));
  }
}

TEST(BatchComposition, TwoShardsRebuildTheGlobalBatchAndShareTheLabelled) {
  const Fixture f;
  const auto dataset = testing::MakeDataset(40);
  auto whole = Loader::Create(dataset, ComposedOptions(f.labelled));
  ASSERT_TRUE(whole.ok());
  const std::vector<Batch> global = ReadEpoch(whole->get(), 0);
  std::vector<std::vector<Batch>> parts;
  for (int rank : {0, 1}) {
    LoaderOptions o = ComposedOptions(f.labelled);
    o.shard_index = rank;
    o.shard_count = 2;
    auto loader = Loader::Create(dataset, o);
    ASSERT_TRUE(loader.ok()) << loader.status().ToString();
    parts.push_back(ReadEpoch(loader->get(), 0));
  }
  ASSERT_EQ(parts[0].size(), global.size());
  for (size_t b = 0; b < global.size(); ++b) {
    EXPECT_TRUE(
        torch::equal(torch::cat({parts[0][b].indices, parts[1][b].indices}), global[b].indices));
    // Slots at 0 and 4: one labelled sample on each rank.
    EXPECT_EQ(parts[0][b].labelled.sum().item<int64_t>(), 1);
    EXPECT_EQ(parts[1][b].labelled.sum().item<int64_t>(), 1);
  }
}

TEST(BatchComposition, LoaderRejectsKNotBelowTheBatchSize) {
  const Fixture f;
  LoaderOptions o = ComposedOptions(f.labelled);
  o.labelled_per_batch = 8;
  EXPECT_EQ(Loader::Create(testing::MakeDataset(40), o).status().code(),
            StatusCode::kInvalidArgument);
  o.labelled_per_batch = -1;
  EXPECT_EQ(Loader::Create(testing::MakeDataset(40), o).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mosaic::data
