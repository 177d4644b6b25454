// Label-aware batch composition for low-label pre-training: every batch
// carries a fixed number of labelled samples beside the unlabelled ones, so
// that the supervised contrastive term has pairs to work on even when only
// 1 % of the samples are labelled (with plain shuffling and 20 labelled
// samples among 2000, almost every batch of 32 holds at most one, and a
// multi-label SupCon anchor needs a second labelled sample to have a
// positive other than its own views).
//
// The plan of an epoch (docs/method.md, "Batch composition"):
//   * the unlabelled samples U of the loader's index subset are visited once
//     per epoch, in a permutation drawn from (seed, epoch), u = B - k of them
//     per batch (B the batch size, k = min(labelled_per_batch, |L|));
//   * each batch b adds k labelled samples, drawn from the labelled pool L
//     without replacement within the batch and independently for every batch
//     (so with replacement across batches: a small pool is revisited many
//     times per epoch), from a generator seeded by (seed, epoch, b);
//   * the k labelled samples are interleaved at positions floor(j * n / k)
//     (n the batch's size, j = 0..k-1), so when a batch is split into S equal
//     data-parallel parts each part holds k / S of them (rounded) rather than
//     one rank holding all.
// The number of batches per epoch is ceil(|U| / u) (floor with drop_last).
// Composition is off, and the plain shuffled order is used, when
// labelled_per_batch is 0, when every sample is labelled (U empty) or when
// none is (L empty).
//
// Everything is a pure function of its arguments, computed on the consumer's
// thread, so the batches do not depend on the number of workers, and every
// data-parallel rank computes the same plan and takes its own part.
//
// Thread-safety: pure functions; may be called concurrently.
#ifndef MOSAIC_DATA_BATCH_COMPOSITION_H_
#define MOSAIC_DATA_BATCH_COMPOSITION_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mosaic/export.h"

namespace mosaic::data {

struct BatchCompositionInput {
  // The loader's index subset (dataset indices; duplicates are kept as
  // separate entries) and the label mask indexed by dataset index (empty =
  // every sample labelled).
  const std::vector<size_t>* indices = nullptr;
  const std::vector<bool>* labelled = nullptr;
  int64_t batch_size = 32;         // B >= 1
  int64_t labelled_per_batch = 0;  // k, 0 <= k < B
  bool shuffle = true;             // false: U in the order of `indices`
  bool drop_last = false;
  uint64_t seed = 0;
  int64_t epoch = 0;
};

struct EpochPlan {
  // True when the batches are composed as above, false for the plain order.
  bool composed = false;
  // Labelled samples per batch actually used (min(k, |L|)), 0 when not composed.
  int64_t labelled_per_batch = 0;
  int64_t num_batches = 0;
  // The batches concatenated: batch b is [b * B, min((b + 1) * B, size())).
  // Every batch but the last holds exactly B samples.
  std::vector<size_t> order;
};

// The plan of one epoch. REQUIRES: input.indices set, 1 <= batch_size and
// 0 <= labelled_per_batch < batch_size (the Loader validates this), the mask
// empty or covering every index.
MOSAIC_EXPORT EpochPlan PlanEpoch(const BatchCompositionInput& input);

// The number of batches PlanEpoch returns for this input (it does not depend
// on the epoch), without building the order.
MOSAIC_EXPORT int64_t PlannedBatches(const BatchCompositionInput& input);

}  // namespace mosaic::data

#endif  // MOSAIC_DATA_BATCH_COMPOSITION_H_
