// PredictScene: validates options, resolves the inputs, creates the outputs,
// runs the passes (scene_pipeline.cpp) and commits the files.
#include "mosaic/geo/scene_predict.h"

#include <chrono>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "geo/scene_pipeline.h"
#include "geo/scene_raster_writer.h"
#include "geo/scene_sources.h"
#include "geo/scene_summary.h"
#include "mosaic/atomic_file.h"
#include "mosaic/version.h"

namespace mosaic::geo {
namespace {

using internal::OutputKind;
using internal::OutputRaster;
using internal::OutputRasterSpec;
using internal::PassSpec;
using internal::PassStats;
using internal::ScenePlan;

Status ValidateOptions(const ScenePredictOptions& o) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument(what); };
  if (o.model.empty()) return bad("--model: no model bundle given");
  if (o.output.empty()) return bad("--output: no output file given");
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
  if (!(o.summary_threshold >= 0.0 && o.summary_threshold <= 1.0)) {
    return bad("--summary-threshold: expected a probability in [0, 1]");
  }
  if (!(o.label_min_share >= 0.0 && o.label_min_share <= 1.0)) {
    return bad("--label-min-share: expected a fraction in [0, 1]");
  }
  if (o.precision != "fp32" && o.precision != "bf16" && o.precision != "fp16") {
    return bad("--precision '" + o.precision + "': expected fp32, bf16 or fp16");
  }
  std::set<std::string> paths;
  for (const std::string* p : {&o.output, &o.topk_output, &o.embedding_output, &o.summary_output}) {
    if (p->empty()) continue;
    if (!paths.insert(*p).second) return bad("output file " + *p + " is named twice");
  }
  return Status::OK();
}

std::array<double, 6> CoarseGeotransform(const ScenePlan& plan, int64_t stride) {
  std::array<double, 6> gt = plan.grid.geotransform;
  gt[1] *= static_cast<double>(stride);
  gt[5] *= static_cast<double>(stride);
  return gt;
}

std::map<std::string, std::string> CommonMetadata(const ModelManifest& m, const PassSpec& pass,
                                                  const ScenePredictOptions& o) {
  return {{"MOSAIC_VERSION", MOSAIC_VERSION_STRING},
          {"MOSAIC_MODEL", m.name},
          {"MOSAIC_PATCH_SIZE", std::to_string(pass.patch)},
          {"MOSAIC_STRIDE", std::to_string(pass.stride)},
          {"MOSAIC_GRID", OutputGridName(pass.grid)},
          {"MOSAIC_BLEND", BlendWindowName(o.blend)},
          {"MOSAIC_EDGES", EdgeModeName(o.edges)},
          {"MOSAIC_MAX_NODATA", std::to_string(o.max_nodata_fraction)}};
}

}  // namespace

StatusOr<ScenePredictResult> PredictScene(const SceneInputs& inputs,
                                          const ScenePredictOptions& options,
                                          const SceneProgress& progress) {
  const auto started = std::chrono::steady_clock::now();
  MOSAIC_RETURN_IF_ERROR(ValidateOptions(options));
  // Refuse existing outputs before any expensive work.
  MOSAIC_RETURN_IF_ERROR(internal::CheckOutputPath("--output", options.output, options.overwrite));
  if (!options.topk_output.empty()) {
    MOSAIC_RETURN_IF_ERROR(
        internal::CheckOutputPath("--topk-output", options.topk_output, options.overwrite));
  }
  if (!options.embedding_output.empty()) {
    MOSAIC_RETURN_IF_ERROR(internal::CheckOutputPath("--embedding-output", options.embedding_output,
                                                     options.overwrite));
  }
  if (!options.summary_output.empty()) {
    MOSAIC_RETURN_IF_ERROR(
        internal::CheckOutputPath("--summary", options.summary_output, options.overwrite));
  }

  ClassifierOptions classifier_options;
  classifier_options.device = options.device;
  classifier_options.num_threads = options.num_threads;
  classifier_options.precision = options.precision;
  StatusOr<std::unique_ptr<PatchClassifier>> classifier =
      PatchClassifier::Open(options.model, classifier_options);
  if (!classifier.ok()) return classifier.status();
  const ModelManifest& manifest = (*classifier)->manifest();
  const int64_t classes = static_cast<int64_t>(manifest.class_names.size());

  PassSpec pass;
  pass.grid = options.grid;
  pass.patch = manifest.patch_size_px;
  pass.stride = options.stride_px > 0 ? options.stride_px : std::max<int64_t>(1, pass.patch / 2);
  if (pass.stride > pass.patch) {
    return Status::InvalidArgument("--stride " + std::to_string(pass.stride) +
                                   ": expected 1..patch size (" + std::to_string(pass.patch) +
                                   " px)");
  }
  if (!options.topk_output.empty() &&
      (options.topk < 1 || options.topk > std::min<int64_t>(classes, 255))) {
    return Status::InvalidArgument("--topk " + std::to_string(options.topk) + ": expected 1.." +
                                   std::to_string(std::min<int64_t>(classes, 255)));
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

  StatusOr<ScenePlan> plan = internal::PlanScene(inputs, manifest, options.head, options.s2_nodata);
  if (!plan.ok()) return plan.status();

  ScenePredictResult result;
  result.notices = plan->notices;
  result.width = internal::OutputWidth(*plan, pass);
  result.height = internal::OutputHeight(*plan, pass);
  const bool dense = options.grid == OutputGrid::kDense;

  auto raster_spec = [&](const std::string& option, const std::string& path, OutputKind kind,
                         int64_t width, int64_t height, const std::array<double, 6>& gt,
                         std::vector<std::string> descriptions) {
    OutputRasterSpec spec;
    spec.option = option;
    spec.path = path;
    spec.kind = kind;
    spec.width = width;
    spec.height = height;
    spec.geotransform = gt;
    spec.crs_wkt = plan->grid.crs_wkt;
    spec.band_descriptions = std::move(descriptions);
    spec.metadata = CommonMetadata(manifest, pass, options);
    spec.format = options.format;
    spec.overviews = options.overviews;
    spec.overwrite = options.overwrite;
    return spec;
  };
  const std::array<double, 6> output_gt =
      dense ? plan->grid.geotransform : CoarseGeotransform(*plan, pass.stride);

  std::vector<std::unique_ptr<OutputRaster>> rasters;
  auto create = [&](const OutputRasterSpec& spec) -> StatusOr<OutputRaster*> {
    StatusOr<std::unique_ptr<OutputRaster>> raster = OutputRaster::Create(spec);
    if (!raster.ok()) return raster.status();
    rasters.push_back(std::move(*raster));
    return rasters.back().get();
  };

  // Probabilities (and top-k, summary) on the chosen grid.
  OutputRasterSpec prob_spec =
      raster_spec("--output", options.output,
                  options.type == ProbabilityType::kByte ? OutputKind::kProbabilityByte
                                                         : OutputKind::kProbabilityFloat,
                  result.width, result.height, output_gt, manifest.class_names);
  StatusOr<OutputRaster*> prob = create(prob_spec);
  if (!prob.ok()) return prob.status();
  pass.probabilities = *prob;
  if (!options.topk_output.empty()) {
    std::vector<std::string> names;
    for (int k = 1; k <= options.topk; ++k) names.push_back("top-" + std::to_string(k) + " class");
    OutputRasterSpec spec = raster_spec("--topk-output", options.topk_output, OutputKind::kLabels,
                                        result.width, result.height, output_gt, names);
    for (int64_t c = 0; c < classes; ++c) {
      spec.metadata["CLASS_" + std::to_string(c + 1)] = manifest.class_names[c];
    }
    StatusOr<OutputRaster*> topk = create(spec);
    if (!topk.ok()) return topk.status();
    pass.topk = *topk;
    pass.topk_k = options.topk;
  }
  std::unique_ptr<internal::SceneSummary> summary;
  if (!options.summary_output.empty()) {
    const double area_km2 = std::abs(output_gt[1] * output_gt[5]) / 1e6;
    summary = std::make_unique<internal::SceneSummary>(manifest.class_names,
                                                       options.summary_threshold, area_km2);
    pass.summary = summary.get();
  }

  // Embeddings: on the coarse grid, in this pass or a second one.
  PassSpec embed_pass = pass;
  const bool both = !plan->s1.empty() && !plan->s2.empty() &&
                    (options.head == HeadChoice::kAuto || options.head == HeadChoice::kFused);
  const int64_t embedding_dim = both ? 2 * manifest.projection_dim : manifest.projection_dim;
  if (!options.embedding_output.empty()) {
    embed_pass.grid = OutputGrid::kCoarse;
    std::vector<std::string> names;
    for (int64_t d = 0; d < embedding_dim; ++d) names.push_back("embedding " + std::to_string(d));
    OutputRasterSpec spec = raster_spec(
        "--embedding-output", options.embedding_output, OutputKind::kEmbedding,
        internal::OutputWidth(*plan, embed_pass), internal::OutputHeight(*plan, embed_pass),
        CoarseGeotransform(*plan, pass.stride), names);
    spec.metadata["MOSAIC_GRID"] = "coarse";
    spec.metadata["MOSAIC_EMBEDDING"] =
        both ? "fused [s1, s2] / sqrt(2)" : (plan->s2.empty() ? "s1" : "s2");
    StatusOr<OutputRaster*> embed = create(spec);
    if (!embed.ok()) return embed.status();
    if (dense) {
      embed_pass.probabilities = nullptr;
      embed_pass.topk = nullptr;
      embed_pass.summary = nullptr;
      embed_pass.embeddings = *embed;
      embed_pass.embedding_dim = embedding_dim;
    } else {
      pass.embeddings = *embed;
      pass.embedding_dim = embedding_dim;
    }
  }
  const bool second_pass = dense && embed_pass.embeddings != nullptr;
  pass.progress_begin = 0.0;
  pass.progress_end = second_pass ? 0.45 : 0.9;
  embed_pass.progress_begin = 0.45;
  embed_pass.progress_end = 0.9;

  PassStats stats;
  MOSAIC_RETURN_IF_ERROR(internal::RunScenePass(*plan, **classifier, pass, progress, &stats));
  if (second_pass) {
    PassStats embed_stats;
    MOSAIC_RETURN_IF_ERROR(
        internal::RunScenePass(*plan, **classifier, embed_pass, progress, &embed_stats));
    stats.read_seconds += embed_stats.read_seconds;
    stats.infer_seconds += embed_stats.infer_seconds;
    stats.write_seconds += embed_stats.write_seconds;
  }
  result.patches_inferred = stats.inferred;
  result.patches_skipped = stats.skipped;
  for (int h = 0; h < 3; ++h) result.patches_by_head[h] = stats.by_head[h];
  result.read_seconds = stats.read_seconds;
  result.infer_seconds = stats.infer_seconds;
  result.write_seconds = stats.write_seconds;

  // Finish every raster, then write the summary, then move everything into place.
  for (size_t i = 0; i < rasters.size(); ++i) {
    const double begin = 0.9 + 0.1 * static_cast<double>(i) / static_cast<double>(rasters.size());
    const double span = 0.1 / static_cast<double>(rasters.size());
    SceneProgress scaled = nullptr;
    if (progress) {
      scaled = [&, begin, span](double f, const std::string& stage) {
        return progress(begin + span * f, stage);
      };
    }
    MOSAIC_RETURN_IF_ERROR(rasters[i]->Finish(scaled));
  }
  std::optional<AtomicFileWriter> summary_file;
  if (summary != nullptr) {
    nlohmann::ordered_json extra;
    extra["model"] = manifest.name;
    extra["s2"] = inputs.s2;
    extra["s1"] = inputs.s1;
    extra["grid"] = OutputGridName(options.grid);
    extra["width"] = result.width;
    extra["height"] = result.height;
    extra["pixel_size"] = std::abs(output_gt[1]);
    const std::array<double, 6>& g = plan->grid.geotransform;
    extra["footprint"]["bbox"] = {g[0], g[3] + g[5] * static_cast<double>(plan->grid.height),
                                  g[0] + g[1] * static_cast<double>(plan->grid.width), g[3]};
    if (auto wgs84 = internal::GridExtentWgs84(plan->grid)) {
      extra["footprint"]["bbox_wgs84"] = *wgs84;
    }
    extra["patches"] = {{"inferred", result.patches_inferred},
                        {"skipped", result.patches_skipped},
                        {"fused", result.patches_by_head[0]},
                        {"s1", result.patches_by_head[1]},
                        {"s2", result.patches_by_head[2]}};
    const std::string json = summary->ToJson(options.label_min_share, extra.dump());
    StatusOr<AtomicFileWriter> file = AtomicFileWriter::Create(options.summary_output);
    if (!file.ok()) return file.status();
    summary_file.emplace(std::move(*file));
    MOSAIC_RETURN_IF_ERROR(summary_file->Append(json.data(), json.size()));
  }
  if (progress && !progress(1.0, "done")) return Status::Cancelled("cancelled");
  for (auto& raster : rasters) MOSAIC_RETURN_IF_ERROR(raster->Commit());
  if (summary_file.has_value()) MOSAIC_RETURN_IF_ERROR(summary_file->Commit());
  result.files.push_back(options.output);
  if (!options.topk_output.empty()) result.files.push_back(options.topk_output);
  if (!options.embedding_output.empty()) result.files.push_back(options.embedding_output);
  if (!options.summary_output.empty()) result.files.push_back(options.summary_output);
  result.total_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace mosaic::geo
