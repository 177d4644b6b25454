#include "scene_args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace mosaic::cli {

void AddInputValueOptions(CLI::Option_group* group, SceneArgs* a) {
  geo::SceneInputs& in = a->inputs;
  group->add_flag("--s1-linear", in.s1_linear, "S1 values are linear sigma0 (else dB)");
  a->mask_invalid_option =
      group
          ->add_option("--s2-mask-invalid", in.s2_mask_invalid_values,
                       "Mask values that make a pixel S2 nodata (SCL classes; the sample run: 1 2)")
          ->default_str("0 1 3 8 9 10");
}

void AddModelOptions(CLI::Option_group* model, SceneArgs* a) {
  geo::ScenePredictOptions& o = a->options;
  model->add_option("--model", o.model, "Model bundle (.mosaic)");
  model->add_option("--device", o.device, "cpu, cuda or cuda:N");
  model->add_option("--precision", o.precision, "fp32, bf16 or fp16 (bf16/fp16 on CUDA only)");
  model->add_option("--threads", o.num_threads, "LibTorch intra-op threads (0 = its default)");
  model->add_option("--head", a->head, "auto, fused, s1 or s2");
  model->add_option("--batch-size", o.batch_size, "Patches per inference call");
  model->add_option("--reader-threads", o.reader_threads, "Threads reading windows through GDAL");
  model->add_option("--queue-depth", o.queue_depth, "Patch rows buffered between the stages");
  // GDAL's own default cache (5 % of RAM) lets memory grow with the scene;
  // GDAL_CACHEMAX in the environment wins over this default.
  o.gdal_cache_mb = std::getenv("GDAL_CACHEMAX") != nullptr ? 0 : 256;
  model->add_option("--gdal-cache", o.gdal_cache_mb,
                    "GDAL block cache in MiB (0 = GDAL's setting / GDAL_CACHEMAX)");
}

void AddTilingOptions(CLI::Option_group* tiling, SceneArgs* a) {
  geo::ScenePredictOptions& o = a->options;
  tiling->add_option("--stride", o.stride_px, "Patch stride in pixels (0 = half the patch)");
  tiling->add_option("--blend", a->blend,
                     "Weights of overlapping patches: uniform, hann, gaussian");
  tiling->add_option("--gaussian-sigma", o.gaussian_sigma,
                     "Sigma of the gaussian window, as a fraction of the patch side");
  tiling->add_option("--edges", a->edges, "Scene edges: shift (last patch moves in) or reflect");
  tiling->add_option("--grid", a->grid,
                     "Output grid: dense (S2 pixels, blended) or coarse (one pixel per stride)");
  tiling->add_option("--max-nodata", o.max_nodata_fraction,
                     "Largest nodata share of a patch for a modality to be used");
  tiling->add_option("--s2-nodata", a->s2_nodata,
                     "S2 nodata when a band declares none ('none' disables)");
  tiling->add_option("--strip-width", o.strip_width_px,
                     "Width of the vertical strips processed at a time (multiple of 256 px)");
}

void AddOutputEncodingOptions(CLI::Option_group* out, SceneArgs* a) {
  geo::ScenePredictOptions& o = a->options;
  out->add_option("--format", a->format, "gtiff or cog");
  out->add_option("--compress", o.compress, "zstd (fast), deflate (most compatible), lzw or none");
  out->add_option("--encode-threads", o.encode_threads,
                  "Threads compressing output tiles (0 = one per CPU core)");
  out->add_option("--type", a->type, "float32 (0..1, nodata -1) or byte (0..254, nodata 255)");
  out->add_flag("--overviews", o.overviews, "Build internal overviews (always for cog)");
  out->add_option("--topk", o.topk, "Bands of the top-k raster");
  out->add_option("--summary-threshold", o.summary_threshold,
                  "Probability from which a pixel counts towards a class's area");
  out->add_option("--label-min-share", o.label_min_share,
                  "Smallest share of the valid area for a class to be a scene label");
}

Status ParseSceneEnums(SceneArgs* a) {
  StatusOr<HeadChoice> head = ParseHeadChoice(a->head);
  if (!head.ok()) return head.status().WithContext("--head");
  a->options.head = *head;
  StatusOr<geo::BlendWindow> blend = geo::ParseBlendWindow(a->blend);
  if (!blend.ok()) return blend.status().WithContext("--blend");
  a->options.blend = *blend;
  StatusOr<geo::EdgeMode> edges = geo::ParseEdgeMode(a->edges);
  if (!edges.ok()) return edges.status().WithContext("--edges");
  a->options.edges = *edges;
  StatusOr<geo::OutputGrid> grid = geo::ParseOutputGrid(a->grid);
  if (!grid.ok()) return grid.status().WithContext("--grid");
  a->options.grid = *grid;
  StatusOr<geo::OutputFormat> format = geo::ParseOutputFormat(a->format);
  if (!format.ok()) return format.status().WithContext("--format");
  a->options.format = *format;
  StatusOr<geo::ProbabilityType> type = geo::ParseProbabilityType(a->type);
  if (!type.ok()) return type.status().WithContext("--type");
  a->options.type = *type;
  // --s2-nodata: a number, or "none"/"nan" for no fallback nodata value.
  if (a->s2_nodata == "none" || a->s2_nodata == "nan" || a->s2_nodata == "NaN") {
    a->options.s2_nodata = std::nan("");
  } else {
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(a->s2_nodata.c_str(), &end);
    if (a->s2_nodata.empty() || *end != '\0' || errno != 0 || !std::isfinite(value)) {
      return Status::InvalidArgument("--s2-nodata '" + a->s2_nodata +
                                     "': expected a number or 'none'");
    }
    a->options.s2_nodata = value;
  }
  return Status::OK();
}

}  // namespace mosaic::cli
