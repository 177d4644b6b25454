#include "mosaic/data/loader.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <utility>

#include "data/batch_builder.h"
#include "data/rng.h"
#include "mosaic/data/batch_composition.h"

namespace mosaic::data {
namespace {

using internal::MixSeed;

constexpr uint64_t kViewSalt = 0x56494557ULL;  // "VIEW"
constexpr int kMaxWorkers = 256;

Status CheckNormalization(BandNormalization* norm, const std::vector<std::string>& bands,
                          const char* field) {
  if (norm->mean.empty() && norm->std.empty()) {
    *norm = DefaultNormalization(bands);
    return Status::OK();
  }
  if (norm->mean.size() != bands.size() || norm->std.size() != bands.size()) {
    return Status::InvalidArgument(std::string("LoaderOptions.") + field + ": expected " +
                                   std::to_string(bands.size()) + " means and stds, got " +
                                   std::to_string(norm->mean.size()) + " and " +
                                   std::to_string(norm->std.size()));
  }
  for (size_t b = 0; b < bands.size(); ++b) {
    if (!std::isfinite(norm->mean[b]) || !std::isfinite(norm->std[b]) || !(norm->std[b] > 0.0)) {
      return Status::InvalidArgument(std::string("LoaderOptions.") + field + ": band " + bands[b] +
                                     " needs a finite mean and a std > 0, got " +
                                     std::to_string(norm->mean[b]) + " and " +
                                     std::to_string(norm->std[b]));
    }
  }
  return Status::OK();
}

// Validates `options` against `dataset` and fills in the defaults (all
// indices, default normalisations).
Status ResolveOptions(const PatchDataset& dataset, LoaderOptions* options) {
  const std::string where = dataset.description();
  if (dataset.patch_size_px() < 1) {
    return Status::InvalidArgument(where + ": patch size must be >= 1 px");
  }
  if (dataset.s1_bands().empty() && dataset.s2_bands().empty()) {
    return Status::InvalidArgument(where + ": the dataset has neither S1 nor S2 bands");
  }
  if (options->batch_size < 1) {
    return Status::InvalidArgument("LoaderOptions.batch_size: expected >= 1, got " +
                                   std::to_string(options->batch_size));
  }
  if (options->num_workers < 0 || options->num_workers > kMaxWorkers) {
    return Status::InvalidArgument("LoaderOptions.num_workers: expected 0.." +
                                   std::to_string(kMaxWorkers) + ", got " +
                                   std::to_string(options->num_workers));
  }
  if (options->shard_count < 1 || options->shard_index < 0 ||
      options->shard_index >= options->shard_count) {
    return Status::InvalidArgument(
        "LoaderOptions.shard_index/shard_count: expected 0 <= index < "
        "count, got " +
        std::to_string(options->shard_index) + "/" + std::to_string(options->shard_count));
  }
  if (options->shard_count > 1 &&
      (options->batch_size % options->shard_count != 0 || !options->drop_last)) {
    return Status::InvalidArgument(
        "LoaderOptions: a sharded loader needs drop_last and a batch size (" +
        std::to_string(options->batch_size) + ") divisible by the shard count (" +
        std::to_string(options->shard_count) + ")");
  }
  if (options->labelled_per_batch < 0 || options->labelled_per_batch >= options->batch_size) {
    return Status::InvalidArgument(
        "LoaderOptions.labelled_per_batch: expected 0 <= k < batch_size (" +
        std::to_string(options->batch_size) + "), got " +
        std::to_string(options->labelled_per_batch));
  }
  if (options->prefetch_batches < 1) {
    return Status::InvalidArgument("LoaderOptions.prefetch_batches: expected >= 1, got " +
                                   std::to_string(options->prefetch_batches));
  }
  if (!options->indices.has_value()) {
    options->indices.emplace(dataset.size());
    std::iota(options->indices->begin(), options->indices->end(), size_t{0});
  }
  for (size_t index : *options->indices) {
    if (index >= dataset.size()) {
      return Status::InvalidArgument("LoaderOptions.indices: index " + std::to_string(index) +
                                     " is out of range for " + where + " (" +
                                     std::to_string(dataset.size()) + " samples)");
    }
  }
  if (!options->labelled.empty() && options->labelled.size() != dataset.size()) {
    return Status::InvalidArgument(
        "LoaderOptions.labelled: expected one entry per dataset index (" +
        std::to_string(dataset.size()) + "), got " + std::to_string(options->labelled.size()));
  }
  MOSAIC_RETURN_IF_ERROR(
      CheckNormalization(&options->s1_normalization, dataset.s1_bands(), "s1_normalization"));
  MOSAIC_RETURN_IF_ERROR(
      CheckNormalization(&options->s2_normalization, dataset.s2_bands(), "s2_normalization"));
  if (options->augment) MOSAIC_RETURN_IF_ERROR(options->augmentation.Validate());
  return Status::OK();
}

}  // namespace

uint64_t ViewSeed(uint64_t seed, int64_t epoch, size_t index, int view) {
  const uint64_t epoch_seed = MixSeed(MixSeed(seed, kViewSalt), static_cast<uint64_t>(epoch));
  return MixSeed(MixSeed(epoch_seed, static_cast<uint64_t>(index)), static_cast<uint64_t>(view));
}

// The scheduling. Workers claim batches in order (batch k before k + 1) while
// fewer than prefetch_batches batches are being built or waiting; results go
// into `ready_` keyed by batch position and the consumer takes them in order.
// Reset() bumps `generation_`: workers still building a batch of the old epoch
// notice it between samples, stop, and drop the result.
class Loader::Impl {
 public:
  Impl(std::shared_ptr<const PatchDataset> dataset, LoaderOptions options)
      : options_(std::move(options)),
        builder_(std::move(dataset), options_),
        num_batches_(CountBatches()) {
    Reset(0);
    workers_.reserve(static_cast<size_t>(options_.num_workers));
    for (int w = 0; w < options_.num_workers; ++w) {
      workers_.emplace_back([this] { WorkerLoop(); });
    }
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      generation_atomic_.fetch_add(1);
    }
    work_cv_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  void Reset(int64_t epoch) {
    std::lock_guard<std::mutex> lock(mu_);
    // Nothing of this epoch was taken yet: what is prefetched is exactly what a
    // restart would build (the usual Create(); Reset(0); ... sequence).
    if (started_ && epoch == epoch_ && next_to_deliver_ == 0 && !claiming_stopped_) return;
    started_ = true;
    epoch_ = epoch;
    ++generation_;
    generation_atomic_.store(generation_);
    order_ = PlanEpoch(CompositionInput(epoch)).order;
    ready_.clear();
    next_to_claim_ = 0;
    next_to_deliver_ = 0;
    claiming_stopped_ = false;
    failure_ = Status::OK();
    work_cv_.notify_all();
  }

  StatusOr<bool> Next(Batch* batch) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!failure_.ok()) return failure_;
    if (next_to_deliver_ >= num_batches_) return false;
    const int64_t k = next_to_deliver_++;
    StatusOr<Batch> result = Status::Internal("unset");
    if (workers_.empty()) {
      peak_buffered_ = std::max<int64_t>(peak_buffered_, 1);
      const std::vector<size_t> indices = BatchIndicesLocked(k);
      const int64_t epoch = epoch_;
      lock.unlock();  // Build() needs no lock; stats() stays responsive
      result = BuildNoThrow(epoch, k, indices, nullptr);
      lock.lock();
      if (result.ok()) ++batches_built_;
    } else {
      ready_cv_.wait(lock, [&] { return ready_.count(k) != 0; });
      auto node = ready_.extract(k);
      result = std::move(node.mapped());
      work_cv_.notify_all();  // a prefetch slot is free
    }
    if (!result.ok()) {
      failure_ = result.status();
      return failure_;
    }
    *batch = std::move(result).value();
    return true;
  }

  int64_t epoch() const {
    std::lock_guard<std::mutex> lock(mu_);
    return epoch_;
  }
  int64_t num_batches() const { return num_batches_; }
  size_t num_samples() const { return options_.indices->size(); }
  const LoaderOptions& options() const { return options_; }

  LoaderStats stats() const {
    LoaderStats stats;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats.batches_built = batches_built_;
      stats.peak_buffered_batches = peak_buffered_;
    }
    stats.samples_read = builder_.samples_read();
    stats.cache_hits = builder_.cache_hits();
    stats.cached_samples = builder_.cached_samples();
    return stats;
  }

 private:
  BatchCompositionInput CompositionInput(int64_t epoch) const {
    BatchCompositionInput in;
    in.indices = &*options_.indices;
    in.labelled = &options_.labelled;
    in.batch_size = options_.batch_size;
    in.labelled_per_batch = options_.labelled_per_batch;
    in.shuffle = options_.shuffle;
    in.drop_last = options_.drop_last;
    in.seed = options_.seed;
    in.epoch = epoch;
    return in;
  }

  int64_t CountBatches() const { return PlannedBatches(CompositionInput(0)); }

  std::vector<size_t> BatchIndicesLocked(int64_t k) const {
    // This shard's part of batch k (the whole batch when not sharded).
    const int64_t part = options_.batch_size / options_.shard_count;
    const auto begin = static_cast<size_t>(k * options_.batch_size + options_.shard_index * part);
    const size_t end = std::min(
        order_.size(),
        begin + static_cast<size_t>(options_.shard_count > 1 ? part : options_.batch_size));
    return std::vector<size_t>(order_.begin() + static_cast<std::ptrdiff_t>(begin),
                               order_.begin() + static_cast<std::ptrdiff_t>(end));
  }

  // Build() reports errors as Status; this also turns anything it could still
  // throw (std::bad_alloc copying indices, say) into one, so no exception
  // escapes a worker thread.
  StatusOr<Batch> BuildNoThrow(int64_t epoch, int64_t k, const std::vector<size_t>& indices,
                               const std::function<bool()>& cancelled) const {
    try {
      return builder_.Build(epoch, k, indices, cancelled);
    } catch (const std::exception& e) {
      return Status::Internal("building batch " + std::to_string(k) + " of epoch " +
                              std::to_string(epoch) + ": " + e.what());
    }
  }

  bool CanClaimLocked() const {
    return !claiming_stopped_ && next_to_claim_ < num_batches_ &&
           static_cast<int64_t>(ready_.size()) + in_flight_ < options_.prefetch_batches;
  }

  void WorkerLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      work_cv_.wait(lock, [&] { return stop_ || CanClaimLocked(); });
      if (stop_) return;
      const int64_t k = next_to_claim_++;
      const uint64_t generation = generation_;
      const int64_t epoch = epoch_;
      const std::vector<size_t> indices = BatchIndicesLocked(k);
      ++in_flight_;
      peak_buffered_ = std::max(peak_buffered_, static_cast<int64_t>(ready_.size()) + in_flight_);
      lock.unlock();

      StatusOr<Batch> result = BuildNoThrow(epoch, k, indices, [&] {
        return generation_atomic_.load(std::memory_order_relaxed) != generation;
      });

      lock.lock();
      --in_flight_;
      if (generation == generation_ && !stop_) {
        if (result.ok()) {
          ++batches_built_;
        } else {
          claiming_stopped_ = true;  // the epoch ends at this batch: build nothing after it
        }
        ready_.emplace(k, std::move(result));
        ready_cv_.notify_all();
      }
      work_cv_.notify_all();  // in_flight_ dropped: another batch may be claimable
    }
  }

  const LoaderOptions options_;
  const internal::BatchBuilder builder_;
  const int64_t num_batches_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // workers: a batch became claimable, or stop
  std::condition_variable ready_cv_;  // consumer: a batch became ready
  bool stop_ = false;
  bool started_ = false;  // Reset() ran once
  int64_t epoch_ = 0;
  uint64_t generation_ = 0;
  std::atomic<uint64_t> generation_atomic_{0};  // polled by Build() without the lock
  std::vector<size_t> order_;                   // this epoch's dataset indices, in order
  int64_t next_to_claim_ = 0;
  int64_t next_to_deliver_ = 0;
  int64_t in_flight_ = 0;  // batches being built, stale generations included
  bool claiming_stopped_ = false;
  std::map<int64_t, StatusOr<Batch>> ready_;
  Status failure_;  // delivered to the consumer; sticky until Reset()
  int64_t batches_built_ = 0;
  int64_t peak_buffered_ = 0;
  std::vector<std::thread> workers_;
};

StatusOr<std::unique_ptr<Loader>> Loader::Create(std::shared_ptr<const PatchDataset> dataset,
                                                 LoaderOptions options) {
  if (dataset == nullptr) return Status::InvalidArgument("Loader::Create: dataset is null");
  MOSAIC_RETURN_IF_ERROR(ResolveOptions(*dataset, &options));
  return std::unique_ptr<Loader>(
      new Loader(std::make_unique<Impl>(std::move(dataset), std::move(options))));
}

Loader::Loader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Loader::~Loader() = default;

void Loader::Reset(int64_t epoch) { impl_->Reset(epoch); }
StatusOr<bool> Loader::Next(Batch* batch) { return impl_->Next(batch); }
int64_t Loader::epoch() const { return impl_->epoch(); }
int64_t Loader::num_batches() const { return impl_->num_batches(); }
size_t Loader::num_samples() const { return impl_->num_samples(); }
const LoaderOptions& Loader::options() const { return impl_->options(); }
LoaderStats Loader::stats() const { return impl_->stats(); }

}  // namespace mosaic::data
