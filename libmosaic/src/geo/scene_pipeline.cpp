#include "geo/scene_pipeline.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <thread>
#include <tuple>
#include <utility>

#include "geo/ordered_queue.h"
#include "geo/scene_tiling.h"

namespace mosaic::geo::internal {
namespace {

using Clock = std::chrono::steady_clock;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr int kHeadSkipped = -1;
constexpr int64_t kBlockRows = 256;  // output rows handed to GDAL at once (one tile row)

// out[x] += scale * in[x] for x < n (the blending's inner loop).
void AddScaled(float scale, const float* __restrict in, int64_t n, float* __restrict out) {
  for (int64_t x = 0; x < n; ++x) out[x] += scale * in[x];
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

HeadChoice HeadOfIndex(int index) {
  return index == 0 ? HeadChoice::kFused : index == 1 ? HeadChoice::kS1 : HeadChoice::kS2;
}

// The patch layout of a pass: origins along each axis, the strips, and the
// patch rows [row_begin, row_end) that are run in every strip.
struct Layout {
  std::vector<int64_t> xs, ys;  // patch origins (dense) or per-cell patch origins (coarse)
  std::vector<Strip> strips;
  int64_t row_begin = 0;
  int64_t row_end = 0;
  int64_t rows = 0;  // row_end - row_begin
  int64_t total_jobs = 0;
};

// The index range of the patches along one axis whose extent [o, o + patch)
// meets [begin, end).
std::pair<int64_t, int64_t> OverlappingPatches(const std::vector<int64_t>& origins, int64_t patch,
                                               int64_t begin, int64_t end) {
  int64_t first = -1, last = -1;
  for (size_t i = 0; i < origins.size(); ++i) {
    if (origins[i] < end && origins[i] + patch > begin) {
      if (first < 0) first = static_cast<int64_t>(i);
      last = static_cast<int64_t>(i);
    }
  }
  return {first, last + 1};
}

Layout MakeLayout(const ScenePlan& plan, const PassSpec& spec) {
  Layout layout;
  const int64_t W = plan.grid.width, H = plan.grid.height;
  const bool dense = spec.grid == OutputGrid::kDense;
  if (dense) {
    // Shifting needs a scene at least one patch wide; smaller scenes reflect.
    const EdgeMode x_edges = W >= spec.patch ? spec.edges : EdgeMode::kReflect;
    const EdgeMode y_edges = H >= spec.patch ? spec.edges : EdgeMode::kReflect;
    layout.xs = DensePatchOrigins(W, spec.patch, spec.stride, x_edges);
    layout.ys = DensePatchOrigins(H, spec.patch, spec.stride, y_edges);
  } else {
    const int64_t cw = CoarseCellCount(W, spec.stride), ch = CoarseCellCount(H, spec.stride);
    for (int64_t c = 0; c < cw; ++c)
      layout.xs.push_back(CoarsePatchOrigin(c, spec.patch, spec.stride));
    for (int64_t c = 0; c < ch; ++c)
      layout.ys.push_back(CoarsePatchOrigin(c, spec.patch, spec.stride));
  }
  layout.row_begin = 0;
  layout.row_end = static_cast<int64_t>(layout.ys.size());
  if (spec.window.has_value()) {
    // One strip whose core is the window; the patch rows and columns that cover it.
    const PassWindow& w = *spec.window;
    Strip strip;
    strip.core_begin = w.x0;
    strip.core_end = w.x0 + w.width;
    if (dense) {
      std::tie(strip.first_patch, strip.end_patch) =
          OverlappingPatches(layout.xs, spec.patch, w.x0, w.x0 + w.width);
      std::tie(layout.row_begin, layout.row_end) =
          OverlappingPatches(layout.ys, spec.patch, w.y0, w.y0 + w.height);
    } else {
      strip.first_patch = w.x0;
      strip.end_patch = w.x0 + w.width;
      layout.row_begin = w.y0;
      layout.row_end = w.y0 + w.height;
    }
    layout.strips = {strip};
  } else if (dense) {
    layout.strips = DenseStrips(layout.xs, spec.patch, W, spec.strip_width_px);
  } else {
    layout.strips = CoarseStrips(static_cast<int64_t>(layout.xs.size()),
                                 std::max<int64_t>(1, spec.strip_width_px / spec.stride));
  }
  layout.rows = layout.row_end - layout.row_begin;
  layout.total_jobs = layout.rows * static_cast<int64_t>(layout.strips.size());
  return layout;
}

// std::allocator that leaves new elements uninitialised on resize(): patch
// buffers are overwritten right away, and zero-filling them first would be
// one more pass over every input value.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using PatchValues = std::vector<float, UninitializedAllocator<float>>;  // [n, C, P, P]

// Patch buffers of the jobs between the reader and the model. They come back
// as soon as their batch is inferred, not with the job after the writer, so
// only the jobs waiting for inference hold input (a 2048 px strip's patch row
// is ~27 MB of it). Each modality has its own pool: in a shared one an S1
// request took a free S2-sized buffer whenever one was the only fit, the next
// S2 request then had to allocate, and over a full 10980² tile every buffer in
// flight ended up S2-sized (heaptrack: 270 instead of 175 MB of patch buffers,
// peak heap 744 instead of 643 MB).
class PatchValuesPool {
 public:
  // The smallest free buffer that holds `values` floats, else the largest
  // (groups of different patch counts differ in size, so a small one is not
  // grown needlessly).
  PatchValues Take(size_t values) {
    PatchValues taken;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      size_t best = 0;
      for (size_t i = 1; i < free_.size(); ++i) {
        const size_t have = free_[i].capacity(), chosen = free_[best].capacity();
        const bool fits = have >= values, chosen_fits = chosen >= values;
        if (fits ? (!chosen_fits || have < chosen) : (!chosen_fits && have > chosen)) best = i;
      }
      if (!free_.empty()) {
        taken = std::move(free_[best]);
        free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(best));
      }
    }
    taken.reserve(values);  // sized once, so that appending patches never reallocates
    return taken;
  }
  void Give(PatchValues values) {
    if (values.capacity() == 0) return;
    values.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(values));
  }

 private:
  std::mutex mutex_;
  std::vector<PatchValues> free_;
};

// A modality's per-band normalisation as float32 (as PatchClassifier applies it).
struct BandStatistics {
  std::vector<float> mean, std;
};

BandStatistics Float32Statistics(const BandNormalization& n) {
  BandStatistics stats;
  for (double m : n.mean) stats.mean.push_back(static_cast<float>(m));
  for (double s : n.std) stats.std.push_back(static_cast<float>(s));
  return stats;
}

// One patch row of one strip, from the reader to the consumer.
struct RowJob {
  int64_t strip = 0;
  int64_t row = 0;
  int64_t window_x0 = 0;
  int64_t window_width = 0;
  std::vector<uint8_t> input_invalid;  // dense: [patch, window_width], 1 = nodata in every modality
  std::vector<int> head;               // per patch: 0 fused, 1 S1, 2 S2, kHeadSkipped
  struct Group {
    std::vector<int64_t> patches;  // indices into the row
    PatchValues s1, s2;            // [n, C, P, P], from the PatchValuesPool
  } groups[3];
  std::vector<float> probabilities;  // [patches, classes]
  std::vector<float> embeddings;     // [patches, embedding_dim]
};
using JobPtr = std::unique_ptr<RowJob>;

// Finished jobs come back here with their buffers' capacity intact, so that
// patch rows after the first few allocate nothing (fresh multi-megabyte
// buffers cost page faults on every use).
class JobPool {
 public:
  JobPtr Take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_.empty()) return std::make_unique<RowJob>();
    JobPtr job = std::move(free_.back());
    free_.pop_back();
    return job;
  }
  void Give(JobPtr job) {
    for (RowJob::Group& g : job->groups) {
      g.patches.clear();
      g.s1.clear();
      g.s2.clear();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(job));
  }

 private:
  std::mutex mutex_;
  std::vector<JobPtr> free_;
};

// What a reader thread keeps between its jobs: the last window it read, so
// that the next patch row of the same strip only reads the rows it adds.
struct ReaderState {
  std::vector<float> s1, s2;         // [bands, P, window width]
  std::vector<uint8_t> inv1, inv2;   // [P, window width]
  std::vector<float> scratch;        // new rows, [bands, rows, window width]
  std::vector<uint8_t> scratch_inv;  // [rows, window width]
  bool valid = false;
  int64_t strip = -1;
  int64_t x0 = 0, y0 = 0, width = 0;
};

// Shared between the stages: the first error stops everything.
class PipelineState {
 public:
  void Fail(const Status& status) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error_.ok()) error_ = status;
    stop_ = true;
  }
  bool stopped() const { return stop_; }
  Status error() {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
  }

 private:
  std::mutex mutex_;
  Status error_;
  std::atomic<bool> stop_{false};
};

class ScenePass {
 public:
  ScenePass(const ScenePlan& plan, const PatchClassifier& classifier, const PassSpec& spec)
      : plan_(plan),
        classifier_(classifier),
        spec_(spec),
        layout_(MakeLayout(plan, spec)),
        weights_(BlendWeights(spec.blend, spec.patch, spec.gaussian_sigma)),
        classes_(static_cast<int64_t>(classifier.manifest().class_names.size())),
        s1_stats_(Float32Statistics(classifier.manifest().s1.normalization)),
        s2_stats_(Float32Statistics(classifier.manifest().s2.normalization)),
        read_queue_(spec.queue_depth),
        result_queue_(spec.queue_depth) {}

  Status Run(const SceneProgress& progress, PassStats* stats);

 private:
  Status ReadJob(SceneReader& reader, int64_t seq, RowJob* job, ReaderState& state);
  Status InferJob(RowJob* job);
  void ReaderLoop();
  void InferenceLoop();
  Status ConsumeDense(const RowJob& job);
  Status ConsumeCoarse(const RowJob& job);
  Status FlushDenseRows(int64_t end_row);
  Status EmitRow(const float* probabilities, int64_t stride, const float* embeddings);
  Status WriteBlock();
  void StartStrip(int64_t strip);

  const ScenePlan& plan_;
  const PatchClassifier& classifier_;
  const PassSpec& spec_;
  const Layout layout_;
  const std::vector<float> weights_;
  const int64_t classes_;
  const BandStatistics s1_stats_, s2_stats_;
  OrderedQueue<JobPtr> read_queue_;
  OrderedQueue<JobPtr> result_queue_;
  JobPool pool_;
  PatchValuesPool s1_values_, s2_values_;
  PipelineState state_;
  std::atomic<int64_t> next_job_{0};
  std::mutex stats_mutex_;
  PassStats stats_;

  // Consumer state for the current strip.
  int64_t strip_ = -1;
  int64_t core_begin_ = 0, core_width_ = 0;
  int64_t window_x0_ = 0, window_width_ = 0;
  std::vector<float> accumulator_;  // dense ring: [patch rows][classes][window_width]
  std::vector<float> weight_sum_;   // [patch rows][window_width]
  std::vector<float> profile_;    // one patch row's horizontal profile: [classes + 1][window_width]
  std::vector<uint8_t> invalid_;  // [patch rows][window_width]
  int64_t next_flush_row_ = 0;
  // Output rows waiting to be written: [bands][kBlockRows][core_width].
  std::vector<float> block_probabilities_, block_topk_, block_embeddings_;
  std::vector<float> row_values_;  // one finished row: [classes][core_width]
  std::vector<float> reciprocal_;  // per column of that row: 1 / weight sum, NaN = nodata
  int64_t block_y0_ = 0, block_rows_ = 0;
};

// Reads one modality's window into `values`/`invalid`, reusing the rows that
// the previous window of this thread (state.x0, state.y0, same width) already
// holds: they move up, and only the new rows below them are read.
template <typename ReadFn>
Status ReadWindowReusingRows(const ReadFn& read, const Window& window, int64_t bands, bool reuse,
                             int64_t previous_y0, std::vector<float>& values,
                             std::vector<uint8_t>& invalid, ReaderState& state) {
  const int64_t w = window.width, h = window.height;
  values.resize(static_cast<size_t>(bands * w * h));
  invalid.resize(static_cast<size_t>(w * h));
  const int64_t shift = window.y0 - previous_y0;
  if (!reuse || shift <= 0 || shift >= h) return read(window, values.data(), invalid.data());
  const int64_t kept = h - shift;
  for (int64_t b = 0; b < bands; ++b) {
    float* plane = values.data() + b * w * h;
    std::memmove(plane, plane + shift * w, static_cast<size_t>(kept * w) * sizeof(float));
  }
  std::memmove(invalid.data(), invalid.data() + shift * w, static_cast<size_t>(kept * w));
  const Window fresh{window.x0, window.y0 + kept, w, shift};
  state.scratch.resize(static_cast<size_t>(bands * w * shift));
  state.scratch_inv.resize(static_cast<size_t>(w * shift));
  MOSAIC_RETURN_IF_ERROR(read(fresh, state.scratch.data(), state.scratch_inv.data()));
  for (int64_t b = 0; b < bands; ++b) {
    std::copy(state.scratch.begin() + b * w * shift, state.scratch.begin() + (b + 1) * w * shift,
              values.begin() + b * w * h + kept * w);
  }
  std::copy(state.scratch_inv.begin(), state.scratch_inv.end(), invalid.begin() + kept * w);
  return Status::OK();
}

Status ScenePass::ReadJob(SceneReader& reader, int64_t seq, RowJob* job, ReaderState& state) {
  const int64_t P = spec_.patch;
  job->strip = seq / layout_.rows;
  job->row = layout_.row_begin + seq % layout_.rows;
  const Strip& strip = layout_.strips[job->strip];
  const int64_t first = strip.first_patch, end = strip.end_patch;
  job->window_x0 = layout_.xs[first];
  job->window_width = layout_.xs[end - 1] + P - job->window_x0;
  const Window window{job->window_x0, layout_.ys[job->row], job->window_width, P};
  const int64_t pixels = window.width * window.height;
  const bool has_s1 = !plan_.s1.empty(), has_s2 = !plan_.s2.empty();
  const int64_t c1 = static_cast<int64_t>(plan_.s1.size()),
                c2 = static_cast<int64_t>(plan_.s2.size());
  const bool reuse = state.valid && state.strip == job->strip && state.x0 == window.x0 &&
                     state.width == window.width;
  const int64_t previous_y0 = state.y0;
  state.valid = false;  // until both modalities are read
  if (has_s1) {
    auto read = [&](const Window& w, float* v, uint8_t* i) { return reader.ReadS1(w, v, i); };
    MOSAIC_RETURN_IF_ERROR(
        ReadWindowReusingRows(read, window, c1, reuse, previous_y0, state.s1, state.inv1, state));
  }
  if (has_s2) {
    auto read = [&](const Window& w, float* v, uint8_t* i) { return reader.ReadS2(w, v, i); };
    MOSAIC_RETURN_IF_ERROR(
        ReadWindowReusingRows(read, window, c2, reuse, previous_y0, state.s2, state.inv2, state));
  }
  state.valid = true;
  state.strip = job->strip;
  state.x0 = window.x0;
  state.y0 = window.y0;
  state.width = window.width;
  const std::vector<float>& s1 = state.s1;
  const std::vector<float>& s2 = state.s2;
  const std::vector<uint8_t>& inv1 = state.inv1;
  const std::vector<uint8_t>& inv2 = state.inv2;
  if (spec_.grid == OutputGrid::kDense) {
    job->input_invalid.assign(static_cast<size_t>(pixels), 1);
    for (int64_t i = 0; i < pixels; ++i) {
      const bool s1_missing = !has_s1 || inv1[i] != 0;
      const bool s2_missing = !has_s2 || inv2[i] != 0;
      job->input_invalid[i] = s1_missing && s2_missing ? 1 : 0;
    }
  }
  const int64_t count = end - first;
  job->head.assign(static_cast<size_t>(count), kHeadSkipped);
  const double limit = spec_.max_nodata_fraction * static_cast<double>(P * P);
  auto invalid_count = [&](const std::vector<uint8_t>& inv, int64_t lx) {
    int64_t n = 0;
    for (int64_t y = 0; y < P; ++y) {
      const uint8_t* row = inv.data() + y * window.width + lx;
      for (int64_t x = 0; x < P; ++x) n += row[x];
    }
    return n;
  };
  // Copies one patch out of the window, normalised as PatchClassifier would
  // (same float32 operations, so the same bits) in the same pass.
  auto append_patch = [&](PatchValues& dst, const std::vector<float>& src,
                          const BandStatistics& stats, int64_t lx) {
    const int64_t channels = static_cast<int64_t>(stats.mean.size());
    const size_t offset = dst.size();
    dst.resize(offset + static_cast<size_t>(channels * P * P));
    float* out = dst.data() + offset;
    for (int64_t c = 0; c < channels; ++c) {
      const float mean = stats.mean[c], std = stats.std[c];
      for (int64_t y = 0; y < P; ++y) {
        const float* row = src.data() + c * pixels + y * window.width + lx;
        float* to = out + (c * P + y) * P;
        for (int64_t x = 0; x < P; ++x) to[x] = (row[x] - mean) / std;
      }
    }
  };
  int64_t per_head[3] = {0, 0, 0};
  for (int64_t i = 0; i < count; ++i) {
    const int64_t lx = layout_.xs[first + i] - job->window_x0;
    const bool s1_ok = has_s1 && static_cast<double>(invalid_count(inv1, lx)) <= limit;
    const bool s2_ok = has_s2 && static_cast<double>(invalid_count(inv2, lx)) <= limit;
    int head = kHeadSkipped;
    switch (spec_.head) {
      case HeadChoice::kAuto:
        head = s1_ok && s2_ok ? 0 : s2_ok ? 2 : s1_ok ? 1 : kHeadSkipped;
        break;
      case HeadChoice::kFused:
        head = s1_ok && s2_ok ? 0 : kHeadSkipped;
        break;
      case HeadChoice::kS1:
        head = s1_ok ? 1 : kHeadSkipped;
        break;
      case HeadChoice::kS2:
        head = s2_ok ? 2 : kHeadSkipped;
        break;
    }
    job->head[i] = head;
    if (head != kHeadSkipped) ++per_head[head];
  }
  for (int g = 0; g < 3; ++g) {
    RowJob::Group& group = job->groups[g];
    group.patches.reserve(static_cast<size_t>(per_head[g]));
    if (per_head[g] == 0) continue;
    if (g != 2) group.s1 = s1_values_.Take(static_cast<size_t>(per_head[g] * c1 * P * P));
    if (g != 1) group.s2 = s2_values_.Take(static_cast<size_t>(per_head[g] * c2 * P * P));
  }
  for (int64_t i = 0; i < count; ++i) {
    const int head = job->head[i];
    if (head == kHeadSkipped) continue;
    const int64_t lx = layout_.xs[first + i] - job->window_x0;
    RowJob::Group& group = job->groups[head];
    group.patches.push_back(i);
    if (head != 2) append_patch(group.s1, s1, s1_stats_, lx);
    if (head != 1) append_patch(group.s2, s2, s2_stats_, lx);
  }
  return Status::OK();
}

Status ScenePass::InferJob(RowJob* job) {
  const int64_t P = spec_.patch;
  const int64_t count = static_cast<int64_t>(job->head.size());
  const int64_t dim = spec_.embedding_dim;
  job->probabilities.assign(static_cast<size_t>(count * classes_), kNaN);
  if (spec_.embeddings != nullptr) job->embeddings.assign(static_cast<size_t>(count * dim), kNaN);
  std::vector<float> probabilities, embeddings;
  for (int g = 0; g < 3; ++g) {
    const RowJob::Group& group = job->groups[g];
    const int64_t n = static_cast<int64_t>(group.patches.size());
    const int64_t c1 = static_cast<int64_t>(plan_.s1.size()),
                  c2 = static_cast<int64_t>(plan_.s2.size());
    // Equal batches of at most batch_size: 17 patches run as 9 + 8, not 16 + 1,
    // since a batch of one costs nearly as much as a full one.
    const int64_t batches = (n + spec_.batch_size - 1) / std::max<int64_t>(1, spec_.batch_size);
    const int64_t even = batches > 0 ? (n + batches - 1) / batches : 0;
    for (int64_t begin = 0; begin < n; begin += even) {
      const int64_t size = std::min(even, n - begin);
      PatchBatch batch;
      batch.count = size;
      batch.height = P;
      batch.width = P;
      batch.values_checked = true;  // the reader replaced every invalid value
      batch.normalized = true;      // ... and normalised the patches
      if (!group.s1.empty()) batch.s1 = group.s1.data() + begin * c1 * P * P;
      if (!group.s2.empty()) batch.s2 = group.s2.data() + begin * c2 * P * P;
      MOSAIC_RETURN_IF_ERROR(
          classifier_.Infer(batch, HeadOfIndex(g), &probabilities,
                            spec_.embeddings != nullptr ? &embeddings : nullptr));
      const int64_t got_dim = size > 0 ? static_cast<int64_t>(embeddings.size()) / size : 0;
      for (int64_t k = 0; k < size; ++k) {
        const int64_t patch = group.patches[begin + k];
        std::copy(probabilities.begin() + k * classes_, probabilities.begin() + (k + 1) * classes_,
                  job->probabilities.begin() + patch * classes_);
        // Cells whose head gives another embedding than the raster's stay nodata.
        if (spec_.embeddings != nullptr && got_dim == dim) {
          std::copy(embeddings.begin() + k * dim, embeddings.begin() + (k + 1) * dim,
                    job->embeddings.begin() + patch * dim);
        }
      }
    }
    s1_values_.Give(std::move(job->groups[g].s1));  // inputs are no longer needed
    s2_values_.Give(std::move(job->groups[g].s2));
    job->groups[g].s1 = {};
    job->groups[g].s2 = {};
  }
  return Status::OK();
}

void ScenePass::ReaderLoop() {
  PassStats local;
  {
    StatusOr<std::unique_ptr<SceneReader>> reader = SceneReader::Open(plan_);
    if (!reader.ok()) {
      state_.Fail(reader.status());
      read_queue_.Close();
      result_queue_.Close();
      return;
    }
    ReaderState state;
    while (!state_.stopped()) {
      const int64_t seq = next_job_++;
      if (seq >= layout_.total_jobs) break;
      JobPtr job = pool_.Take();
      const auto start = Clock::now();
      Status status = ReadJob(**reader, seq, job.get(), state);
      local.read_seconds += Seconds(start);
      if (!status.ok()) {
        state_.Fail(status);
        break;
      }
      if (!read_queue_.Push(seq, std::move(job))) break;
    }
  }  // the reader (and its GDAL handles) is closed on this thread
  if (state_.stopped()) {
    read_queue_.Close();
    result_queue_.Close();
  }
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.read_seconds += local.read_seconds;
}

void ScenePass::InferenceLoop() {
  for (int64_t seq = 0; seq < layout_.total_jobs; ++seq) {
    JobPtr job;
    if (!read_queue_.Pop(&job)) break;
    const auto start = Clock::now();
    Status status = InferJob(job.get());
    stats_.infer_seconds += Seconds(start);  // only this thread writes it while running
    if (!status.ok()) {
      state_.Fail(status);
      break;
    }
    if (!result_queue_.Push(seq, std::move(job))) break;
  }
  if (state_.stopped()) {
    read_queue_.Close();
    result_queue_.Close();
  }
}

void ScenePass::StartStrip(int64_t strip) {
  strip_ = strip;
  const Strip& s = layout_.strips[strip];
  core_begin_ = s.core_begin;
  core_width_ = s.core_end - s.core_begin;
  window_x0_ = layout_.xs[s.first_patch];
  window_width_ = layout_.xs[s.end_patch - 1] + spec_.patch - window_x0_;
  if (spec_.grid == OutputGrid::kDense) {
    const size_t ring = static_cast<size_t>(spec_.patch * window_width_);
    accumulator_.assign(ring * static_cast<size_t>(classes_), 0.0f);
    weight_sum_.assign(ring, 0.0f);
    invalid_.assign(ring, 0);
  }
  // Rows are emitted from the first patch row of the strip on.
  next_flush_row_ = spec_.grid == OutputGrid::kDense
                        ? std::max<int64_t>(0, layout_.ys[layout_.row_begin])
                        : layout_.row_begin;
  block_y0_ = next_flush_row_;
  block_rows_ = 0;
  if (spec_.probabilities != nullptr || spec_.topk != nullptr) {
    block_probabilities_.assign(static_cast<size_t>(classes_ * kBlockRows * core_width_), kNaN);
  }
  if (spec_.topk != nullptr)
    block_topk_.assign(static_cast<size_t>(spec_.topk_k * kBlockRows * core_width_), 0.0f);
  if (spec_.embeddings != nullptr) {
    block_embeddings_.assign(static_cast<size_t>(spec_.embedding_dim * kBlockRows * core_width_),
                             kNaN);
  }
}

Status ScenePass::WriteBlock() {
  if (block_rows_ == 0) return Status::OK();
  // The block buffers are laid out for kBlockRows rows; a short last block is
  // compacted band by band before writing.
  auto write = [&](BlockSink* raster, std::vector<float>& block, int64_t bands) -> Status {
    if (raster == nullptr) return Status::OK();
    std::vector<float> packed;
    float* data = block.data();
    if (block_rows_ < kBlockRows) {
      packed.resize(static_cast<size_t>(bands * block_rows_ * core_width_));
      for (int64_t b = 0; b < bands; ++b) {
        std::copy(block.begin() + b * kBlockRows * core_width_,
                  block.begin() + (b * kBlockRows + block_rows_) * core_width_,
                  packed.begin() + b * block_rows_ * core_width_);
      }
      data = packed.data();
    }
    return raster->Write(core_begin_, block_y0_, core_width_, block_rows_, data);
  };
  MOSAIC_RETURN_IF_ERROR(write(spec_.probabilities, block_probabilities_, classes_));
  MOSAIC_RETURN_IF_ERROR(write(spec_.topk, block_topk_, spec_.topk_k));
  MOSAIC_RETURN_IF_ERROR(write(spec_.embeddings, block_embeddings_, spec_.embedding_dim));
  block_y0_ += block_rows_;
  block_rows_ = 0;
  return Status::OK();
}

// Appends one finished output row: probabilities [classes] strided by
// `stride` per class (NaN = nodata), embeddings [dim][core_width] or null.
Status ScenePass::EmitRow(const float* probabilities, int64_t stride, const float* embeddings) {
  const int64_t plane = kBlockRows * core_width_;
  const int64_t row = block_rows_;
  // FlushDenseRows computes its rows in place (stride = plane); others are copied in.
  const bool has_block = !block_probabilities_.empty();
  const bool in_place =
      has_block && probabilities == block_probabilities_.data() + row * core_width_;
  if (has_block && !in_place) {
    for (int64_t c = 0; c < classes_; ++c) {
      std::copy(probabilities + c * stride, probabilities + c * stride + core_width_,
                block_probabilities_.begin() + c * plane + row * core_width_);
    }
  }
  std::vector<int> order(static_cast<size_t>(classes_));
  const bool per_pixel = spec_.summary != nullptr || spec_.topk != nullptr;
  for (int64_t x = 0; per_pixel && x < core_width_; ++x) {
    const float* p = probabilities + x;
    if (spec_.summary != nullptr) spec_.summary->AddPixel(p, stride);
    if (spec_.topk != nullptr) {
      const bool nodata = std::isnan(p[0]);
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(order.begin(), order.begin() + spec_.topk_k, order.end(),
                        [&](int a, int b) { return p[a * stride] > p[b * stride]; });
      for (int k = 0; k < spec_.topk_k; ++k) {
        block_topk_[k * plane + row * core_width_ + x] =
            nodata ? 0.0f : static_cast<float>(order[k] + 1);
      }
    }
  }
  if (embeddings != nullptr) {
    for (int64_t d = 0; d < spec_.embedding_dim; ++d) {
      std::copy(embeddings + d * core_width_, embeddings + (d + 1) * core_width_,
                block_embeddings_.begin() + d * plane + row * core_width_);
    }
  }
  ++block_rows_;
  if (block_rows_ == kBlockRows) return WriteBlock();
  return Status::OK();
}

Status ScenePass::FlushDenseRows(int64_t end_row) {
  const int64_t P = spec_.patch;
  const int64_t H = plan_.grid.height;
  end_row = std::min(end_row, H);
  row_values_.resize(static_cast<size_t>(classes_ * core_width_));
  reciprocal_.resize(static_cast<size_t>(core_width_));
  for (; next_flush_row_ < end_row; ++next_flush_row_) {
    const int64_t slot = next_flush_row_ % P;
    float* acc = accumulator_.data() + slot * classes_ * window_width_;
    float* wsum = weight_sum_.data() + slot * window_width_;
    uint8_t* inv = invalid_.data() + slot * window_width_;
    // 1 / weight, NaN for nodata (NaN then carries through the products).
    const int64_t offset = core_begin_ - window_x0_;
    for (int64_t x = 0; x < core_width_; ++x) {
      const float w = wsum[offset + x];
      reciprocal_[x] = w <= 0.0f || inv[offset + x] != 0 ? kNaN : 1.0f / w;
    }
    // Straight into the output block when there is one (no copy in EmitRow).
    const bool into_block = !block_probabilities_.empty();
    float* row =
        into_block ? block_probabilities_.data() + block_rows_ * core_width_ : row_values_.data();
    const int64_t stride = into_block ? kBlockRows * core_width_ : core_width_;
    for (int64_t c = 0; c < classes_; ++c) {
      const float* a = acc + c * window_width_ + offset;
      float* out = row + c * stride;
      for (int64_t x = 0; x < core_width_; ++x) out[x] = a[x] * reciprocal_[x];
    }
    MOSAIC_RETURN_IF_ERROR(EmitRow(row, stride, nullptr));
    std::fill(acc, acc + classes_ * window_width_, 0.0f);
    std::fill(wsum, wsum + window_width_, 0.0f);
    std::fill(inv, inv + window_width_, uint8_t{0});
  }
  return Status::OK();
}

Status ScenePass::ConsumeDense(const RowJob& job) {
  const int64_t P = spec_.patch;
  const int64_t H = plan_.grid.height;
  const int64_t y0 = layout_.ys[job.row];
  // Rows above this patch row get no more contributions.
  MOSAIC_RETURN_IF_ERROR(FlushDenseRows(y0));
  const Strip& strip = layout_.strips[job.strip];
  for (int64_t r = 0; r < P && y0 + r < H; ++r) {
    if (y0 + r < 0) continue;
    const int64_t slot = (y0 + r) % P;
    std::copy(job.input_invalid.begin() + r * window_width_,
              job.input_invalid.begin() + (r + 1) * window_width_,
              invalid_.begin() + slot * window_width_);
  }
  // The window is separable: patch i adds p_i[c] * w[r] * w[x - lx_i] to
  // pixel (y0 + r, x). Every patch of this row shares w[r], so the row's
  // horizontal profile, profile[c][x] = sum_i p_i[c] * w[x - lx_i] (and the
  // same for the weights), is built once and added to each of the P ring
  // rows scaled by w[r]: half the work of adding patch by patch.
  const int64_t width = window_width_;
  profile_.assign(static_cast<size_t>((classes_ + 1) * width), 0.0f);
  float* weight_profile = profile_.data() + classes_ * width;
  int64_t lo = width, hi = 0;  // the profile's non-zero columns
  for (size_t i = 0; i < job.head.size(); ++i) {
    if (job.head[i] == kHeadSkipped) continue;
    const float* p = job.probabilities.data() + static_cast<int64_t>(i) * classes_;
    const int64_t lx = layout_.xs[strip.first_patch + static_cast<int64_t>(i)] - window_x0_;
    for (int64_t c = 0; c < classes_; ++c)
      AddScaled(p[c], weights_.data(), P, profile_.data() + c * width + lx);
    AddScaled(1.0f, weights_.data(), P, weight_profile + lx);
    lo = std::min(lo, lx);
    hi = std::max(hi, lx + P);
  }
  for (int64_t r = 0; r < P && y0 + r < H && lo < hi; ++r) {
    const int64_t slot = (y0 + r) % P;
    float* acc = accumulator_.data() + slot * classes_ * width;
    const float wy = weights_[r];
    for (int64_t c = 0; c < classes_; ++c) {
      AddScaled(wy, profile_.data() + c * width + lo, hi - lo, acc + c * width + lo);
    }
    AddScaled(wy, weight_profile + lo, hi - lo, weight_sum_.data() + slot * width + lo);
  }
  if (job.row + 1 == layout_.row_end) {
    const int64_t end = spec_.window.has_value() ? spec_.window->y0 + spec_.window->height : H;
    MOSAIC_RETURN_IF_ERROR(FlushDenseRows(end));
    MOSAIC_RETURN_IF_ERROR(WriteBlock());
  }
  return Status::OK();
}

Status ScenePass::ConsumeCoarse(const RowJob& job) {
  // Patch i of the row is output cell core_begin + i.
  row_values_.resize(static_cast<size_t>(classes_ * core_width_));
  std::vector<float> embeddings;
  for (int64_t x = 0; x < core_width_; ++x) {
    for (int64_t c = 0; c < classes_; ++c) {
      row_values_[c * core_width_ + x] = job.probabilities[x * classes_ + c];
    }
  }
  if (spec_.embeddings != nullptr) {
    const int64_t dim = spec_.embedding_dim;
    embeddings.resize(static_cast<size_t>(dim * core_width_));
    for (int64_t x = 0; x < core_width_; ++x) {
      for (int64_t d = 0; d < dim; ++d)
        embeddings[d * core_width_ + x] = job.embeddings[x * dim + d];
    }
  }
  MOSAIC_RETURN_IF_ERROR(
      EmitRow(row_values_.data(), core_width_, embeddings.empty() ? nullptr : embeddings.data()));
  if (job.row + 1 == layout_.row_end) MOSAIC_RETURN_IF_ERROR(WriteBlock());
  return Status::OK();
}

Status ScenePass::Run(const SceneProgress& progress, PassStats* stats) {
  std::vector<std::thread> readers;
  const int reader_count = std::max(1, spec_.reader_threads);
  for (int i = 0; i < reader_count; ++i) readers.emplace_back([this] { ReaderLoop(); });
  std::thread inference([this] { InferenceLoop(); });

  Status status;
  for (int64_t seq = 0; seq < layout_.total_jobs; ++seq) {
    JobPtr job;
    if (!result_queue_.Pop(&job)) break;
    const auto start = Clock::now();
    if (job->strip != strip_) StartStrip(job->strip);
    for (int head : job->head) {
      if (head == kHeadSkipped) {
        ++stats_.skipped;
      } else {
        ++stats_.inferred;
        ++stats_.by_head[head];
      }
    }
    status = spec_.grid == OutputGrid::kDense ? ConsumeDense(*job) : ConsumeCoarse(*job);
    pool_.Give(std::move(job));
    stats_.write_seconds += Seconds(start);
    if (!status.ok()) {
      state_.Fail(status);
      break;
    }
    const double done = static_cast<double>(seq + 1) / static_cast<double>(layout_.total_jobs);
    if (progress &&
        !progress(spec_.progress_begin + (spec_.progress_end - spec_.progress_begin) * done,
                  "predict")) {
      state_.Fail(Status::Cancelled("cancelled"));
      break;
    }
  }
  if (state_.stopped()) {
    read_queue_.Close();
    result_queue_.Close();
  }
  for (std::thread& t : readers) t.join();
  inference.join();
  MOSAIC_RETURN_IF_ERROR(state_.error());
  *stats = stats_;
  return Status::OK();
}

}  // namespace

int64_t OutputWidth(const ScenePlan& plan, const PassSpec& spec) {
  return spec.grid == OutputGrid::kDense ? plan.grid.width
                                         : CoarseCellCount(plan.grid.width, spec.stride);
}

int64_t OutputHeight(const ScenePlan& plan, const PassSpec& spec) {
  return spec.grid == OutputGrid::kDense ? plan.grid.height
                                         : CoarseCellCount(plan.grid.height, spec.stride);
}

Status RunScenePass(const ScenePlan& plan, const PatchClassifier& classifier, const PassSpec& spec,
                    const SceneProgress& progress, PassStats* stats) {
  auto pass = std::make_unique<ScenePass>(plan, classifier, spec);
  return pass->Run(progress, stats);
}

}  // namespace mosaic::geo::internal
