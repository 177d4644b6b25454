// Augmentations that turn one co-located Sentinel-1 / Sentinel-2 patch into
// the augmented, normalised views the contrastive terms compare.
//
// One modality of one view is rendered in this order (RenderView):
//   1. geometry      random resized crop (bilinear, back to the patch size),
//                    then horizontal flip, vertical flip, rot90
//   2. radiometry    S2: brightness/contrast jitter on reflectance
//                    S1: multiplicative speckle and additive noise in dB
//   3. normalisation (x - mean[band]) / std[band]
//   4. band dropout  one band set to 0 (= its mean after normalisation)
// The geometric transform of a view is either shared by S1 and S2 (the two
// images of the location stay pixel-aligned, as the inter-modal term wants) or
// drawn independently per modality (AugmentOptions::shared_geometry).
//
// Randomness: SampleViewParams draws every random choice of a view from one
// 64-bit seed with a portable generator, each augmentation from its own
// sub-stream; the per-pixel noise fields are drawn from seeds stored in the
// ViewParams. The same seed therefore gives the same view on every platform and
// whichever thread renders it, and disabling one augmentation does not change
// the draws of the others.
//
// Images are float32 [C, S, S] tensors (CHW, contiguous, square: S = patch side
// in pixels); S1 in dB (σ0), S2 in L2A reflectance ×10000.
// Thread-safety: every function may run on several threads at once; the only
// shared state is a process-wide, thread-safe cache of the S1 noise tables
// (built on first use, ~10 ms per distinct number of looks).
#ifndef MOSAIC_DATA_AUGMENT_H_
#define MOSAIC_DATA_AUGMENT_H_

#include <torch/torch.h>

#include <cstdint>

#include "mosaic/bands.h"
#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::data {

// What augmentations a training view gets, and how strong they are. Every
// probability is per view (and, for band dropout, per modality of the view).
// The defaults are a SimCLR-like starting point for 120 px BigEarthNet patches,
// not tuned values.
struct MOSAIC_EXPORT AugmentOptions {
  // --- Geometry
  double hflip_probability = 0.5;
  double vflip_probability = 0.5;
  // With this probability the view is turned by k quarter turns, k uniform in {1, 2, 3}.
  double rot90_probability = 0.5;
  // Random resized crop (torchvision's RandomResizedCrop): a box of
  // scale * S^2 pixels with aspect ratio width/height drawn log-uniformly from
  // [ratio_min, ratio_max], resized back to S x S with bilinear interpolation.
  double crop_probability = 1.0;
  double crop_scale_min = 0.5;  // fraction of the patch area, in (0, 1]
  double crop_scale_max = 1.0;
  double crop_ratio_min = 3.0 / 4.0;  // width / height, > 0
  double crop_ratio_max = 4.0 / 3.0;
  // true: S1 and S2 of a view get the same geometric transform (stay aligned).
  // false: each modality draws its own.
  bool shared_geometry = true;

  // --- Sentinel-2 brightness / contrast jitter (per view, same factors for all bands):
  //   x' = ((x - m_band) * contrast + m_band) * brightness
  // m_band is the band's mean over the (cropped) view; brightness is drawn from
  // U[1 - s2_brightness, 1 + s2_brightness] and contrast from
  // U[1 - s2_contrast, 1 + s2_contrast]. So the band mean scales by
  // `brightness` and the band std by `brightness * contrast`. No clipping.
  double s2_jitter_probability = 0.8;
  double s2_brightness = 0.4;  // in [0, 1)
  double s2_contrast = 0.4;    // in [0, 1)

  // --- Sentinel-1 noise (on σ0 in dB)
  // Multiplicative speckle: linear power times g, g ~ Gamma(looks, 1/looks)
  // (mean 1), independently per pixel and band, back to dB. Computed as the
  // equivalent x_dB + 10 log10(g).
  double s1_speckle_probability = 0.5;
  double s1_speckle_looks = 4.0;  // >= 1 (equivalent number of looks); more = weaker
  // Additive Gaussian noise in dB, N(0, s1_noise_std_db^2) per pixel and band.
  // Both noise fields are drawn by inverse-CDF sampling from tables of the
  // exact quantiles (8192 intervals, linear in between; the outermost
  // 1/16386 of probability on each side is clipped), ~20x faster than
  // drawing exact variates per pixel.
  double s1_noise_probability = 0.5;
  double s1_noise_std_db = 0.5;  // >= 0

  // --- Band dropout: with this probability (per modality and view) one band,
  // uniform among the modality's bands, is set to 0 after normalisation.
  // Never applied to a modality with a single band.
  double band_dropout_probability = 0.1;

  // Options under which every augmentation is off (every probability 0): the
  // views are only normalised. For evaluation.
  static AugmentOptions None();

  // OK, or InvalidArgument naming the first field out of range.
  Status Validate() const;
};

// A geometric transform, applied as: crop -> bilinear resize to S x S ->
// horizontal flip -> vertical flip -> rot90. Pixel units of the source patch.
struct GeometricParams {
  // Crop box; crop_height_px == 0 (and crop_width_px == 0) means the whole
  // patch (no crop, no resampling).
  int64_t crop_top_px = 0;
  int64_t crop_left_px = 0;
  int64_t crop_height_px = 0;
  int64_t crop_width_px = 0;
  bool flip_horizontal = false;  // mirror columns (x -> S-1-x)
  bool flip_vertical = false;    // mirror rows (y -> S-1-y)
  // Quarter turns counter-clockwise, 0..3, as torch::rot90(image, rot90, {1, 2}).
  int rot90 = 0;

  // True when the transform leaves every pixel where it is.
  bool IsIdentity(int64_t size_px) const;
};

// Every random choice of one view of one location. Default-constructed: no
// augmentation at all (identity geometry, factors 1, no noise, no dropout).
struct ViewParams {
  GeometricParams s1_geometry;
  GeometricParams s2_geometry;
  double s2_brightness = 1.0;     // factor; 1 = unchanged
  double s2_contrast = 1.0;       // factor; 1 = unchanged
  double s1_speckle_looks = 0.0;  // 0 = no speckle
  double s1_noise_std_db = 0.0;   // 0 = no additive noise
  uint64_t s1_noise_seed = 0;     // seeds the per-pixel speckle and noise fields
  int64_t s1_dropped_band = -1;   // -1 = none
  int64_t s2_dropped_band = -1;
};

// Draws one view's parameters from `seed`. Pass 0 for the band count of an
// absent modality. REQUIRES: options.Validate().ok(), patch_size_px >= 1.
MOSAIC_EXPORT ViewParams SampleViewParams(const AugmentOptions& options, int64_t patch_size_px,
                                          int64_t s1_bands, int64_t s2_bands, uint64_t seed);

// --- The single steps, each returning a new [C, S, S] float32 tensor. They are
// the building blocks of RenderView and compute exactly what it computes (up to
// float rounding where RenderView fuses a step with normalisation). Each throws
// c10::Error if `image` is not a 3-D float32 square tensor or a parameter is
// out of range.

// Step 1 on any image (S1 or S2). The crop box must lie inside the patch.
MOSAIC_EXPORT torch::Tensor ApplyGeometry(const torch::Tensor& image,
                                          const GeometricParams& geometry);
// S2 jitter as documented in AugmentOptions, with the given factors (> 0).
MOSAIC_EXPORT torch::Tensor JitterS2(const torch::Tensor& reflectance, double brightness,
                                     double contrast);
// S1 speckle with Gamma(looks, 1/looks) noise (looks >= 1) from `seed`.
MOSAIC_EXPORT torch::Tensor SpeckleS1(const torch::Tensor& sigma0_db, double looks, uint64_t seed);
// S1 additive Gaussian noise of std `std_db` (>= 0) from `seed`.
MOSAIC_EXPORT torch::Tensor AddNoiseS1(const torch::Tensor& sigma0_db, double std_db,
                                       uint64_t seed);
// (x - mean[c]) / std[c]; `normalization` has one mean and one std > 0 per band.
MOSAIC_EXPORT torch::Tensor NormalizeBands(const torch::Tensor& image,
                                           const BandNormalization& normalization);
// A copy with band `band` (0 <= band < C) set to 0.
MOSAIC_EXPORT torch::Tensor DropBand(const torch::Tensor& image, int64_t band);

// Steps 1-4 for one modality of one view: reads the raw patch `raw`
// ([C, S, S] float32 contiguous, physical units) and writes the normalised,
// augmented view into `out`, which must be a contiguous float32 [C, S, S]
// tensor that does not overlap `raw` (typically one row of a batch tensor;
// its storage is written in place). Throws c10::Error on bad shapes.
MOSAIC_EXPORT void RenderView(Modality modality, const ViewParams& params,
                              const BandNormalization& normalization, const torch::Tensor& raw,
                              const torch::Tensor& out);

}  // namespace mosaic::data

#endif  // MOSAIC_DATA_AUGMENT_H_
