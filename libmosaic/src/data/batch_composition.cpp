#include "mosaic/data/batch_composition.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "data/rng.h"

namespace mosaic::data {
namespace {

using internal::MixSeed;

// The shuffle salt predates composition: plain epochs keep the order they
// always had.
constexpr uint64_t kShuffleSalt = 0x53485546464c45ULL;     // "SHUFFLE"
constexpr uint64_t kLabelledSalt = 0x4c4142454c4c4544ULL;  // "LABELLED"

bool IsLabelled(const BatchCompositionInput& in, size_t index) {
  return in.labelled == nullptr || in.labelled->empty() || (*in.labelled)[index];
}

void Shuffle(std::vector<size_t>* order, uint64_t seed, int64_t epoch) {
  internal::Rng rng(MixSeed(MixSeed(seed, kShuffleSalt), static_cast<uint64_t>(epoch)));
  for (size_t i = order->size(); i > 1; --i) {  // Fisher-Yates
    std::swap((*order)[i - 1],
              (*order)[static_cast<size_t>(rng.UniformInt(static_cast<int64_t>(i)))]);
  }
}

// k distinct positions of [0, n), uniformly (Floyd's algorithm: O(k) draws,
// no copy of the pool), in the order drawn.
std::vector<size_t> DrawDistinct(internal::Rng* rng, size_t n, size_t k) {
  std::vector<size_t> drawn;
  std::unordered_set<size_t> taken;
  drawn.reserve(k);
  for (size_t j = n - k; j < n; ++j) {
    const auto t = static_cast<size_t>(rng->UniformInt(static_cast<int64_t>(j + 1)));
    const size_t pick = taken.count(t) ? j : t;
    taken.insert(pick);
    drawn.push_back(pick);
  }
  return drawn;
}

struct Pools {
  std::vector<size_t> labelled, unlabelled;
};

Pools SplitPools(const BatchCompositionInput& in) {
  Pools pools;
  for (size_t index : *in.indices) {
    (IsLabelled(in, index) ? pools.labelled : pools.unlabelled).push_back(index);
  }
  return pools;
}

int64_t CountBatches(int64_t samples, int64_t per_batch, bool drop_last) {
  return drop_last ? samples / per_batch : (samples + per_batch - 1) / per_batch;
}

bool Composed(const BatchCompositionInput& in, const Pools& pools) {
  return in.labelled_per_batch > 0 && !pools.labelled.empty() && !pools.unlabelled.empty();
}

int64_t LabelledPerBatch(const BatchCompositionInput& in, const Pools& pools) {
  return std::min<int64_t>(in.labelled_per_batch, static_cast<int64_t>(pools.labelled.size()));
}

}  // namespace

int64_t PlannedBatches(const BatchCompositionInput& in) {
  const Pools pools = SplitPools(in);
  if (!Composed(in, pools)) {
    return CountBatches(static_cast<int64_t>(in.indices->size()), in.batch_size, in.drop_last);
  }
  return CountBatches(static_cast<int64_t>(pools.unlabelled.size()),
                      in.batch_size - LabelledPerBatch(in, pools), in.drop_last);
}

EpochPlan PlanEpoch(const BatchCompositionInput& in) {
  EpochPlan plan;
  Pools pools = SplitPools(in);
  if (!Composed(in, pools)) {
    plan.order = *in.indices;
    if (in.shuffle) Shuffle(&plan.order, in.seed, in.epoch);
    plan.num_batches = PlannedBatches(in);
    return plan;
  }
  plan.composed = true;
  plan.labelled_per_batch = LabelledPerBatch(in, pools);
  const auto k = static_cast<size_t>(plan.labelled_per_batch);
  const auto u = static_cast<size_t>(in.batch_size) - k;
  if (in.shuffle) Shuffle(&pools.unlabelled, in.seed, in.epoch);
  plan.num_batches = PlannedBatches(in);

  const uint64_t labelled_seed =
      MixSeed(MixSeed(in.seed, kLabelledSalt), static_cast<uint64_t>(in.epoch));
  plan.order.reserve(static_cast<size_t>(plan.num_batches) * static_cast<size_t>(in.batch_size));
  for (int64_t b = 0; b < plan.num_batches; ++b) {
    const size_t first = static_cast<size_t>(b) * u;
    const size_t last = std::min(pools.unlabelled.size(), first + u);
    const size_t n = (last - first) + k;  // this batch's size
    internal::Rng rng(MixSeed(labelled_seed, static_cast<uint64_t>(b)));
    const std::vector<size_t> picks = DrawDistinct(&rng, pools.labelled.size(), k);
    // Slot j of the k labelled samples goes to position floor(j * n / k).
    size_t next_unlabelled = first;
    size_t next_labelled = 0;
    for (size_t pos = 0; pos < n; ++pos) {
      const bool labelled_slot = next_labelled < k && pos == next_labelled * n / k;
      if (labelled_slot) {
        plan.order.push_back(pools.labelled[picks[next_labelled++]]);
      } else {
        plan.order.push_back(pools.unlabelled[next_unlabelled++]);
      }
    }
  }
  return plan;
}

}  // namespace mosaic::data
