// The training data loader: reads patches from a PatchDataset on worker
// threads, augments and normalises them (augment.h) and collates them into
// Batches, delivered in order through a bounded prefetch queue.
//
// Determinism: the batches of an epoch are a pure function of (dataset, options,
// epoch). The epoch's order is a permutation drawn from (seed, epoch) (or the
// given index order when shuffle is off; with labelled_per_batch, the plan of
// batch_composition.h), and every view of every sample is
// drawn from a seed derived from (seed, epoch, dataset index, view). The number
// of workers, the prefetch depth, the cache and thread timing change only speed.
//
// Errors: a failing PatchDataset::Read(), a sample whose pixel buffers do not
// match the dataset's shape, or an exception while building a batch turn into a
// non-OK Status, returned by Next() at the position of the batch that holds the
// sample; the message names the sample id and dataset index. Batches before it
// are delivered normally. Nothing is skipped silently.
//
// Usage:
//   auto loader = Loader::Create(dataset, options);   // positioned at epoch 0
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     (*loader)->Reset(epoch);
//     Batch batch;
//     for (;;) {
//       StatusOr<bool> got = (*loader)->Next(&batch);
//       if (!got.ok()) return got.status();
//       if (!*got) break;  // end of the epoch
//       Train(batch);
//     }
//   }
//
// Thread-safety: Next(), Reset() and the accessors must be called from one
// thread at a time (the consumer); the loader's own workers are internal.
// Destroying the loader at any point (mid-epoch included) stops and joins the
// workers; it waits at most for the samples being read at that moment.
#ifndef MOSAIC_DATA_LOADER_H_
#define MOSAIC_DATA_LOADER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "mosaic/bands.h"
#include "mosaic/data/augment.h"
#include "mosaic/data/batch.h"
#include "mosaic/data/patch_dataset.h"
#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::data {

struct MOSAIC_EXPORT LoaderOptions {
  // --- Parameters that affect the batches
  int64_t batch_size = 32;  // >= 1
  // true: an epoch ends with the last full batch; false: a last, smaller
  // batch holds the remaining samples.
  bool drop_last = false;
  // true: each epoch visits the samples in a seeded random permutation;
  // false: in the order of `indices`.
  bool shuffle = true;
  uint64_t seed = 0;
  // Dataset indices the loader draws from (e.g. IndicesOfSplit(dataset,
  // "train")), each visited once per epoch; duplicates are visited once per
  // occurrence. Unset: every index of the dataset. (An empty list is an empty
  // epoch, not "all".)
  std::optional<std::vector<size_t>> indices;
  // The label-fraction mask, indexed by dataset index (size == dataset.size()):
  // false marks a sample whose labels must not be used (Batch::labelled).
  // Empty: every sample is labelled.
  std::vector<bool> labelled;
  // Label-aware batch composition (mosaic/data/batch_composition.h): every
  // batch carries this many labelled samples (0 <= k < batch_size; fewer when
  // the labelled pool is smaller), drawn afresh for every batch, beside
  // batch_size - k unlabelled ones, and an epoch is one pass over the
  // unlabelled samples. 0: plain shuffling, every index once per epoch.
  int64_t labelled_per_batch = 0;
  // true: every batch carries a second, independently augmented view of each
  // modality (Batch::s1_view2 / s2_view2), as the intra-modal terms need.
  bool two_views = true;
  // false: views are only normalised (AugmentOptions::None()), for evaluation.
  bool augment = true;
  AugmentOptions augmentation;
  // Per-band normalisation of each modality (from the model manifest or
  // ComputeBandStatistics). Empty mean and std: DefaultNormalization() of the
  // dataset's bands.
  BandNormalization s1_normalization;
  BandNormalization s2_normalization;

  // --- Parameters that affect only speed and memory
  // Worker threads building batches; 0 builds each batch in the calling thread
  // inside Next().
  int num_workers = 2;
  // At most this many batches are built or waiting to be taken at any time
  // (>= 1); with workers it is also the most batches that can be built ahead.
  // Memory: a BigEarthNet batch of 32 with two views is ~52 MB of pixels, so
  // the default holds up to ~210 MB (plus the batches the consumer keeps).
  int prefetch_batches = 4;
  // Keeps decoded samples (before augmentation) in memory up to this many
  // bytes of pixels, so later epochs skip Read(). Samples are admitted
  // first-come until the budget is full, then none are evicted. 0: no cache.
  size_t cache_max_bytes = 0;
  // Data-parallel training: of every batch (batch_size samples, chosen and
  // augmented exactly as without sharding) this loader builds only part
  // shard_index of shard_count equal parts. batch_size must be divisible by
  // shard_count, and drop_last must be set when shard_count > 1.
  int shard_index = 0;
  int shard_count = 1;
};

// Counters for monitoring and tests; cumulative since Create().
struct LoaderStats {
  int64_t batches_built = 0;   // batches completed by the workers or Next()
  int64_t samples_read = 0;    // PatchDataset::Read() calls
  int64_t cache_hits = 0;      // samples served from the cache
  int64_t cached_samples = 0;  // samples in the cache now
  // The largest number of batches that were being built or waiting to be taken
  // at one moment; never exceeds prefetch_batches.
  int64_t peak_buffered_batches = 0;
};

class MOSAIC_EXPORT Loader {
 public:
  // Validates `options` against `dataset` (indices in range, mask size,
  // normalisation sizes and std > 0, augmentation ranges, sizes >= 1) and
  // returns InvalidArgument naming the field otherwise. On success the loader
  // is positioned at the start of epoch 0 and its workers start prefetching.
  // The loader shares ownership of `dataset`.
  static StatusOr<std::unique_ptr<Loader>> Create(std::shared_ptr<const PatchDataset> dataset,
                                                  LoaderOptions options);

  // Stops and joins the workers; pending batches are discarded.
  ~Loader();

  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // Starts epoch `epoch` (>= 0) from its first batch, discarding whatever was
  // prefetched (kept when it is the current epoch and no batch of it was taken
  // yet). Any epoch may be started any number of times; the same epoch gives
  // the same batches.
  void Reset(int64_t epoch);

  // Delivers the next batch of the current epoch into *batch and returns true;
  // returns false at the end of the epoch (*batch untouched). A non-OK Status
  // names the sample at fault; the epoch cannot continue after an error and
  // Next() keeps returning it until Reset().
  StatusOr<bool> Next(Batch* batch);

  int64_t epoch() const;
  // Batches per epoch, given drop_last (and labelled_per_batch).
  int64_t num_batches() const;
  // The size of the index subset (with labelled_per_batch, an epoch visits
  // each unlabelled sample once and labelled samples as often as drawn).
  size_t num_samples() const;
  const LoaderOptions& options() const;
  LoaderStats stats() const;

 private:
  class Impl;
  explicit Loader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The seed of one view of one sample: all of its augmentation randomness
// derives from this (exposed so tests and tools can reproduce a view with
// SampleViewParams). view is 0 or 1.
MOSAIC_EXPORT uint64_t ViewSeed(uint64_t seed, int64_t epoch, size_t index, int view);

}  // namespace mosaic::data

#endif  // MOSAIC_DATA_LOADER_H_
