#include "mosaic/geo/scene_session.h"

#include <algorithm>
#include <cmath>

#include "geo/scene_session_impl.h"

namespace mosaic::geo {
namespace {

using internal::PassSpec;

// Checks the options that matter before any output is involved.
Status ValidateSessionOptions(const ScenePredictOptions& o) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument(what); };
  if (o.model.empty()) return bad("--model: no model bundle given");
  if (o.batch_size < 1 || o.batch_size > 4096) {
    return bad("--batch-size: expected 1..4096, got " + std::to_string(o.batch_size));
  }
  if (o.reader_threads < 1 || o.reader_threads > 64) {
    return bad("--reader-threads: expected 1..64, got " + std::to_string(o.reader_threads));
  }
  if (o.queue_depth < 1 || o.queue_depth > 256) {
    return bad("--queue-depth: expected 1..256, got " + std::to_string(o.queue_depth));
  }
  if (o.num_threads < 0)
    return bad("--threads: expected >= 0, got " + std::to_string(o.num_threads));
  if (o.stride_px < 0)
    return bad("--stride: expected >= 0 pixels, got " + std::to_string(o.stride_px));
  if (!(o.max_nodata_fraction >= 0.0 && o.max_nodata_fraction <= 1.0)) {
    return bad("--max-nodata: expected a fraction in [0, 1]");
  }
  if (!(o.gaussian_sigma > 0.0 && o.gaussian_sigma <= 10.0)) {
    return bad("--gaussian-sigma: expected a fraction of the patch in (0, 10]");
  }
  if (o.strip_width_px < 256 || o.strip_width_px % 256 != 0) {
    return bad("--strip-width: expected a multiple of 256 pixels, got " +
               std::to_string(o.strip_width_px));
  }
  if (o.precision != "fp32" && o.precision != "bf16" && o.precision != "fp16") {
    return bad("--precision '" + o.precision + "': expected fp32, bf16 or fp16");
  }
  return Status::OK();
}

Status CheckWindow(int64_t x0, int64_t y0, int64_t w, int64_t h, int64_t width, int64_t height) {
  if (w < 1 || h < 1 || x0 < 0 || y0 < 0 || x0 + w > width || y0 + h > height) {
    return Status::InvalidArgument("window " + std::to_string(x0) + "," + std::to_string(y0) + " " +
                                   std::to_string(w) + "x" + std::to_string(h) +
                                   ": expected a non-empty window inside the " +
                                   std::to_string(width) + "x" + std::to_string(height) + " grid");
  }
  return Status::OK();
}

}  // namespace

namespace internal {
StatusOr<std::unique_ptr<PatchClassifier>> OpenClassifier(const ScenePredictOptions& options) {
  ClassifierOptions classifier_options;
  classifier_options.device = options.device;
  classifier_options.num_threads = options.num_threads;
  classifier_options.precision = options.precision;
  return PatchClassifier::Open(options.model, classifier_options);
}

std::array<double, 6> CoarseGeotransform(const ScenePlan& plan, int64_t stride) {
  std::array<double, 6> gt = plan.grid.geotransform;
  gt[1] *= static_cast<double>(stride);
  gt[5] *= static_cast<double>(stride);
  return gt;
}
}  // namespace internal

SceneSession::SceneSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SceneSession::~SceneSession() = default;

StatusOr<std::unique_ptr<SceneSession>> SceneSession::Open(const SceneInputs& inputs,
                                                           const ScenePredictOptions& options) {
  MOSAIC_RETURN_IF_ERROR(ValidateSessionOptions(options));
  StatusOr<std::unique_ptr<PatchClassifier>> classifier = internal::OpenClassifier(options);
  if (!classifier.ok()) return classifier.status();
  return internal::SessionAccess::Open(inputs, options, std::move(*classifier));
}

StatusOr<std::unique_ptr<SceneSession>> internal::SessionAccess::Open(
    const SceneInputs& inputs, const ScenePredictOptions& options,
    std::shared_ptr<const PatchClassifier> classifier) {
  if (classifier == nullptr) return Status::InvalidArgument("no model");
  ScenePredictOptions checked = options;
  checked.model = "(opened)";  // the model is given; the other options still count
  MOSAIC_RETURN_IF_ERROR(ValidateSessionOptions(checked));
  auto impl = std::make_unique<SceneSession::Impl>();
  impl->classifier = std::move(classifier);
  const ModelManifest& manifest = impl->classifier->manifest();

  PassSpec& pass = impl->pass;
  pass.grid = options.grid;
  pass.patch = manifest.patch_size_px;
  pass.stride = options.stride_px > 0 ? options.stride_px : std::max<int64_t>(1, pass.patch / 2);
  if (pass.stride > pass.patch) {
    return Status::InvalidArgument("--stride " + std::to_string(pass.stride) +
                                   ": expected 1..patch size (" + std::to_string(pass.patch) +
                                   " px)");
  }
  pass.edges = options.edges;
  pass.blend = options.blend;
  pass.gaussian_sigma = options.gaussian_sigma;
  pass.max_nodata_fraction = options.max_nodata_fraction;
  pass.head = options.head;
  pass.batch_size = options.batch_size;
  pass.reader_threads = options.reader_threads;
  pass.queue_depth = options.queue_depth;
  pass.strip_width_px = options.strip_width_px;

  StatusOr<internal::ScenePlan> plan =
      internal::PlanScene(inputs, manifest, options.head, options.s2_nodata);
  if (!plan.ok()) return plan.status();
  impl->plan = std::move(*plan);
  const internal::SceneGrid& grid = impl->plan.grid;
  if (options.grid == OutputGrid::kDense && options.edges == EdgeMode::kShift &&
      (grid.width < pass.patch || grid.height < pass.patch)) {
    impl->plan.notices.push_back("the scene (" + std::to_string(grid.width) + " x " +
                                 std::to_string(grid.height) + " px) is smaller than a patch (" +
                                 std::to_string(pass.patch) +
                                 " px) along an axis: patches reflect past its edges there");
  }
  impl->output_geotransform = options.grid == OutputGrid::kDense
                                  ? impl->plan.grid.geotransform
                                  : internal::CoarseGeotransform(impl->plan, pass.stride);
  const bool both = !impl->plan.s1.empty() && !impl->plan.s2.empty() &&
                    (options.head == HeadChoice::kAuto || options.head == HeadChoice::kFused);
  impl->embedding_dim = both ? 2 * manifest.projection_dim : manifest.projection_dim;
  return std::unique_ptr<SceneSession>(new SceneSession(std::move(impl)));
}

const ModelManifest& SceneSession::manifest() const { return impl_->classifier->manifest(); }
int64_t SceneSession::width() const { return internal::OutputWidth(impl_->plan, impl_->pass); }
int64_t SceneSession::height() const { return internal::OutputHeight(impl_->plan, impl_->pass); }
std::array<double, 6> SceneSession::geotransform() const { return impl_->output_geotransform; }
std::string SceneSession::crs_wkt() const { return impl_->plan.grid.crs_wkt; }
int64_t SceneSession::stride_px() const { return impl_->pass.stride; }
const std::vector<std::string>& SceneSession::notices() const { return impl_->plan.notices; }
int64_t SceneSession::embedding_dim() const { return impl_->embedding_dim; }

Status SceneSession::PredictWindow(int64_t x0, int64_t y0, int64_t w, int64_t h, float* out) const {
  MOSAIC_RETURN_IF_ERROR(CheckWindow(x0, y0, w, h, width(), height()));
  const int64_t classes = static_cast<int64_t>(manifest().class_names.size());
  std::fill(out, out + classes * w * h, std::nanf(""));
  internal::MemorySink sink(classes, x0, y0, w, h, out);
  PassSpec pass = impl_->pass;
  pass.window = internal::PassWindow{x0, y0, w, h};
  pass.reader_threads = 1;
  pass.probabilities = &sink;
  internal::PassStats stats;
  return internal::RunScenePass(impl_->plan, *impl_->classifier, pass, nullptr, &stats);
}

Status SceneSession::EmbedWindow(int64_t x0, int64_t y0, int64_t w, int64_t h, float* out) const {
  PassSpec pass = impl_->pass;
  pass.grid = OutputGrid::kCoarse;
  MOSAIC_RETURN_IF_ERROR(CheckWindow(x0, y0, w, h, internal::OutputWidth(impl_->plan, pass),
                                     internal::OutputHeight(impl_->plan, pass)));
  const int64_t dim = impl_->embedding_dim;
  std::fill(out, out + dim * w * h, std::nanf(""));
  internal::MemorySink sink(dim, x0, y0, w, h, out);
  pass.window = internal::PassWindow{x0, y0, w, h};
  pass.reader_threads = 1;
  pass.embeddings = &sink;
  pass.embedding_dim = dim;
  internal::PassStats stats;
  return internal::RunScenePass(impl_->plan, *impl_->classifier, pass, nullptr, &stats);
}

}  // namespace mosaic::geo
