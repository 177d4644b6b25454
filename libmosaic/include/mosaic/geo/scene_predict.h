// The scene engine: tiles whole Sentinel-2 (+ Sentinel-1) scenes through a
// model bundle and writes georeferenced multi-label probability rasters.
//
// The engine streams: the scene is processed in vertical strips (at most
// `strip_width_px` wide) and, within a strip, patch row by patch row; reader
// threads read windows through GDAL (S1 is warped onto the S2 grid on the fly
// by a warped VRT, never copied whole), one inference thread runs batches
// through the PatchClassifier, and the calling thread blends the overlapping
// patch predictions and writes finished rows. Memory is bounded by the strip
// width, not by the scene size.
//
// Output is all-or-nothing: every file is written under a temporary name next
// to its destination and renamed only when complete; on error or cancellation
// nothing is left behind and an existing destination is untouched.
//
// See docs/scene-engine.md for the tiling, blending and nodata rules.
#ifndef MOSAIC_GEO_SCENE_PREDICT_H_
#define MOSAIC_GEO_SCENE_PREDICT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/patch_classifier.h"
#include "mosaic/status.h"

namespace mosaic::geo {

// Where the scene comes from.
struct SceneInputs {
  // Sentinel-2 L2A reflectance ×10000 (any numeric type). One entry: a
  // multi-band raster, a VRT, or a Sentinel-2 product that GDAL's SENTINEL2
  // driver opens (MTD_MSIL2A.xml / the .SAFE folder / a "SENTINEL2_L2A:..."
  // subdataset). Several entries: one raster per band (e.g. the product's
  // JP2 files). Empty: no S2 (the model's S1 head is used).
  // The S2 grid is the finest grid among these rasters; coarser bands are
  // resampled onto it (nearest neighbour), and all must cover the same extent.
  std::vector<std::string> s2;
  // Model band name ("B02", "B8A", ...) of each source band, in source order
  // over all s2 rasters. Empty: names are taken from band descriptions or the
  // BANDNAME metadata item ("B2" and "B02" both match), then from file names
  // (one band per file, e.g. "..._B02_10m.jp2"); a multi-band raster without
  // names is taken to hold the model's bands in the model's order when the
  // band count matches exactly. "-" marks a source band to ignore; unknown or
  // repeated names are errors.
  std::vector<std::string> s2_band_names;
  // Sentinel-1 backscatter: one raster with VV and VH, or two rasters (VV,
  // VH), in any CRS and grid; names as for S2 ("VV", "VH"; descriptions or
  // file names), else VV then VH. Empty: no S1.
  std::vector<std::string> s1;
  std::vector<std::string> s1_band_names;
  // S1 values are linear σ0 (converted to dB after warping); else dB.
  bool s1_linear = false;
  // Optional S2 validity raster, e.g. the L2A scene classification (SCL)
  // band; read on the S2 grid by nearest neighbour. A pixel whose mask value
  // is in `s2_mask_invalid_values` counts as S2 nodata (cloudy areas then
  // fall back to the S1 head).
  std::string s2_mask;
  // Default: SCL no-data (0), saturated (1), cloud shadow (3), cloud medium
  // (8) and high (9) probability, thin cirrus (10).
  std::vector<int> s2_mask_invalid_values = {0, 1, 3, 8, 9, 10};
};

enum class BlendWindow { kUniform, kHann, kGaussian };
enum class EdgeMode {
  kShift,    // the last patch of a row/column is moved inwards to end at the edge
  kReflect,  // patches continue past the edge over mirrored pixels
};
enum class OutputGrid {
  kDense,   // the S2 grid (10 m): overlapping patch predictions are blended
  kCoarse,  // one pixel per stride cell: the prediction of the patch centred on the cell
};
enum class ProbabilityType {
  kFloat32,  // 0..1, nodata -1
  kByte,     // round(p * 254) in 0..254 with scale 1/254, offset 0; nodata 255
};
enum class OutputFormat { kGTiff, kCOG };

MOSAIC_EXPORT StatusOr<BlendWindow> ParseBlendWindow(
    const std::string& name);                                             // uniform|hann|gaussian
MOSAIC_EXPORT StatusOr<EdgeMode> ParseEdgeMode(const std::string& name);  // shift|reflect
MOSAIC_EXPORT StatusOr<OutputGrid> ParseOutputGrid(const std::string& name);  // dense|coarse
MOSAIC_EXPORT StatusOr<ProbabilityType> ParseProbabilityType(
    const std::string& name);                                                     // float32|byte
MOSAIC_EXPORT StatusOr<OutputFormat> ParseOutputFormat(const std::string& name);  // gtiff|cog
MOSAIC_EXPORT const char* BlendWindowName(BlendWindow window);
MOSAIC_EXPORT const char* EdgeModeName(EdgeMode mode);
MOSAIC_EXPORT const char* OutputGridName(OutputGrid grid);

// Nodata value written for each ProbabilityType.
inline constexpr float kFloatProbabilityNodata = -1.0f;
inline constexpr int kByteProbabilityNodata = 255;

struct ScenePredictOptions {
  // --- Model and device.
  std::string model;  // bundle path
  std::string device = "cpu";
  std::string precision = "fp32";  // fp32 | bf16 | fp16 (the last two on CUDA only)
  int num_threads = 0;             // LibTorch intra-op threads; 0 = LibTorch's default
  HeadChoice head = HeadChoice::kAuto;
  int64_t batch_size = 16;  // patches per inference call
  int reader_threads = 1;   // threads reading windows through GDAL
  int queue_depth = 4;      // patch rows buffered between the stages

  // --- Tiling. The patch side is the model's (manifest patch_size_px).
  int64_t stride_px = 0;  // 0 = half the patch (50 % overlap); 1..patch size
  BlendWindow blend = BlendWindow::kHann;
  double gaussian_sigma = 0.25;  // σ of the Gaussian window as a fraction of the patch side
  EdgeMode edges = EdgeMode::kShift;
  OutputGrid grid = OutputGrid::kDense;
  // Patches with more than this share of nodata pixels in a modality do not
  // use that modality; a patch left with no usable modality is not inferred
  // and its pixels are nodata (unless other patches cover them).
  double max_nodata_fraction = 0.5;
  // S2 nodata value used when a band declares none (0 is L2A's fill); NaN disables.
  double s2_nodata = 0.0;
  // Scenes are processed in vertical strips at most this wide (a multiple of
  // 256); neighbouring strips recompute the few patches that straddle them.
  int64_t strip_width_px = 2048;
  // GDAL's block cache in MiB, set process-wide for the run (GDALSetCacheMax);
  // 0 leaves it as it is (GDAL's default is 5 % of RAM). Input tiles stay in
  // that cache, so it bounds the engine's memory on large scenes.
  int64_t gdal_cache_mb = 0;

  // --- Outputs. `output` is required; the others are written when non-empty.
  std::string output;  // per-class probability raster
  OutputFormat format = OutputFormat::kGTiff;
  ProbabilityType type = ProbabilityType::kFloat32;
  // Compression of the rasters: zstd (level 1: fast, the default), deflate
  // (readable by the widest range of TIFF software), lzw or none; with a
  // floating-point or byte predictor.
  std::string compress = "zstd";
  // Threads compressing output tiles (GDAL's GTiff NUM_THREADS); 0 = one per
  // CPU core. The file's bytes do not depend on it.
  int encode_threads = 0;
  bool overviews = false;  // build internal overviews (always for COG)
  bool overwrite = false;  // else an existing output is an error
  // Top-k label raster on the output grid: Byte, band i = 1-based class index
  // of the i-th most probable class, 0 = nodata; category names = classes.
  std::string topk_output;
  int topk = 3;
  // Embedding raster: one pixel per stride cell (the coarse grid), Float32
  // bands = the embedding ([s1, s2] / sqrt(2) when both modalities are used,
  // else the single modality's), nodata NaN. With a dense grid this is a
  // second pass over the scene on the coarse grid.
  std::string embedding_output;
  // Scene summary (JSON): per class the share of valid area with p >=
  // summary_threshold, that area in km², the mean probability; the labels
  // whose share is at least label_min_share; the footprint.
  std::string summary_output;
  double summary_threshold = 0.5;
  double label_min_share = 0.05;
};

// Progress in [0, 1] and a short stage name; return false to cancel.
using SceneProgress = std::function<bool(double fraction, const std::string& stage)>;

struct ScenePredictResult {
  int64_t width = 0;  // output grid, pixels
  int64_t height = 0;
  int64_t patches_inferred = 0;
  int64_t patches_skipped = 0;             // no usable modality
  int64_t patches_by_head[3] = {0, 0, 0};  // fused, S1 only, S2 only
  std::vector<std::string> files;          // every file written, final paths
  std::vector<std::string> notices;        // e.g. band-name assumptions, edge mode fallbacks
  // Wall-clock seconds spent per stage, summed over threads: read (GDAL, warp
  // included), infer, blend+write.
  double read_seconds = 0.0;
  double infer_seconds = 0.0;
  double write_seconds = 0.0;
  // Wall-clock seconds before the first patch row is read (checks, opening the
  // inputs, loading the model, creating the outputs) and after the last one is
  // blended (flushing and closing the rasters, COG copy, summary, renames).
  double open_seconds = 0.0;
  double finish_seconds = 0.0;
  double total_seconds = 0.0;
};

// Runs the engine. Errors (each names the file or option): InvalidArgument
// (options, missing bands, no overlap, a scene under 8 x 8 px, complex-valued
// bands, no patch with enough valid pixels, existing output without overwrite),
// NotFound / Corruption (inputs), IOError (writing), Cancelled.
MOSAIC_EXPORT StatusOr<ScenePredictResult> PredictScene(const SceneInputs& inputs,
                                                        const ScenePredictOptions& options,
                                                        const SceneProgress& progress = nullptr);

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_SCENE_PREDICT_H_
