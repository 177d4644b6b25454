// PredictScene: validates options, resolves the inputs, creates the outputs,
// runs the passes (scene_pipeline.cpp) and commits the files.
#include "mosaic/geo/scene_predict.h"

#include <chrono>
#include <cmath>
#include <set>

#include <gdal.h>

#include <nlohmann/json.hpp>

#include "geo/scene_pipeline.h"
#include "geo/scene_raster_writer.h"
#include "geo/scene_session_impl.h"
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

// The output options; SceneSession::Open checks the others.
Status ValidateOutputOptions(const ScenePredictOptions& o) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument(what); };
  if (o.output.empty()) return bad("--output: no output file given");
  if (!(o.summary_threshold >= 0.0 && o.summary_threshold <= 1.0)) {
    return bad("--summary-threshold: expected a probability in [0, 1]");
  }
  if (!(o.label_min_share >= 0.0 && o.label_min_share <= 1.0)) {
    return bad("--label-min-share: expected a fraction in [0, 1]");
  }
  if (o.compress != "zstd" && o.compress != "deflate" && o.compress != "lzw" &&
      o.compress != "none") {
    return bad("--compress '" + o.compress + "': expected zstd, deflate, lzw or none");
  }
  if (o.gdal_cache_mb < 0) return bad("--gdal-cache: expected >= 0 MiB");
  if (o.encode_threads < 0 || o.encode_threads > 64) {
    return bad("--encode-threads: expected 0 (one per CPU core) to 64, got " +
               std::to_string(o.encode_threads));
  }
  std::set<std::string> paths;
  for (const std::string* p : {&o.output, &o.topk_output, &o.embedding_output, &o.summary_output}) {
    if (p->empty()) continue;
    if (!paths.insert(*p).second) return bad("output file " + *p + " is named twice");
  }
  return Status::OK();
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
  return internal::SessionAccess::Predict(inputs, options, nullptr, progress);
}

// PredictScene's body; `shared_classifier` (ScenePredictor) replaces opening
// options.model when it is not null.
StatusOr<ScenePredictResult> internal::SessionAccess::Predict(
    const SceneInputs& inputs, const ScenePredictOptions& options,
    std::shared_ptr<const PatchClassifier> shared_classifier, const SceneProgress& progress) {
  const auto started = std::chrono::steady_clock::now();
  MOSAIC_RETURN_IF_ERROR(ValidateOutputOptions(options));
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

  if (options.gdal_cache_mb > 0) GDALSetCacheMax64(options.gdal_cache_mb * 1024 * 1024);
  StatusOr<std::unique_ptr<SceneSession>> session =
      shared_classifier != nullptr ? Open(inputs, options, std::move(shared_classifier))
                                   : SceneSession::Open(inputs, options);
  if (!session.ok()) return session.status();
  const SceneSession::Impl& opened = *(*session)->impl_;
  const PatchClassifier* classifier = opened.classifier.get();
  const ModelManifest& manifest = classifier->manifest();
  const int64_t classes = static_cast<int64_t>(manifest.class_names.size());
  if (!options.topk_output.empty() &&
      (options.topk < 1 || options.topk > std::min<int64_t>(classes, 255))) {
    return Status::InvalidArgument("--topk " + std::to_string(options.topk) + ": expected 1.." +
                                   std::to_string(std::min<int64_t>(classes, 255)));
  }
  PassSpec pass = opened.pass;
  const ScenePlan* plan = &opened.plan;

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
    spec.compress = options.compress;
    spec.encode_threads = options.encode_threads;
    return spec;
  };
  const std::array<double, 6> output_gt = opened.output_geotransform;

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
  const int64_t embedding_dim = opened.embedding_dim;
  if (!options.embedding_output.empty()) {
    embed_pass.grid = OutputGrid::kCoarse;
    std::vector<std::string> names;
    for (int64_t d = 0; d < embedding_dim; ++d) names.push_back("embedding " + std::to_string(d));
    OutputRasterSpec spec = raster_spec(
        "--embedding-output", options.embedding_output, OutputKind::kEmbedding,
        internal::OutputWidth(*plan, embed_pass), internal::OutputHeight(*plan, embed_pass),
        internal::CoarseGeotransform(*plan, pass.stride), names);
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

  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  result.open_seconds = since(started);
  PassStats stats;
  MOSAIC_RETURN_IF_ERROR(internal::RunScenePass(*plan, *classifier, pass, progress, &stats));
  if (second_pass) {
    PassStats embed_stats;
    MOSAIC_RETURN_IF_ERROR(
        internal::RunScenePass(*plan, *classifier, embed_pass, progress, &embed_stats));
    stats.read_seconds += embed_stats.read_seconds;
    stats.infer_seconds += embed_stats.infer_seconds;
    stats.write_seconds += embed_stats.write_seconds;
  }
  if (stats.inferred == 0) {
    // An all-nodata output is of no use to anyone: say so instead.
    return Status::InvalidArgument(
        "no patch of the scene has enough valid pixels (at most " +
        std::to_string(static_cast<int>(options.max_nodata_fraction * 100.0)) +
        " % nodata per patch and modality, --max-nodata): nothing to predict; check the inputs' "
        "nodata values and the validity mask");
  }
  result.patches_inferred = stats.inferred;
  result.patches_skipped = stats.skipped;
  for (int h = 0; h < 3; ++h) result.patches_by_head[h] = stats.by_head[h];
  result.read_seconds = stats.read_seconds;
  result.infer_seconds = stats.infer_seconds;
  result.write_seconds = stats.write_seconds;

  // Finish every raster, then write the summary, then move everything into place.
  const auto finishing = Clock::now();
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
  result.finish_seconds = since(finishing);
  result.total_seconds = since(started);
  return result;
}

}  // namespace mosaic::geo
