#include "mosaic/data/augment.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "data/noise_tables.h"
#include "data/rng.h"

namespace mosaic::data {
namespace {

using internal::MixSeed;
using internal::Rng;

// Sub-streams of a view seed: each augmentation draws from its own generator,
// so turning one off does not change what the others draw.
enum Stream : uint64_t {
  kStreamS2Geometry = 1,
  kStreamS1Geometry = 2,
  kStreamJitter = 3,
  kStreamS1Noise = 4,
  kStreamS1Dropout = 5,
  kStreamS2Dropout = 6,
  kStreamSpeckleField = 7,
  kStreamNoiseField = 8,
};

Status CheckProbability(double p, const char* name) {
  if (!(p >= 0.0 && p <= 1.0)) {
    return Status::InvalidArgument(std::string("AugmentOptions.") + name +
                                   ": expected a probability in [0, 1], got " + std::to_string(p));
  }
  return Status::OK();
}

// --- Parameter sampling -----------------------------------------------------

// torchvision's RandomResizedCrop.get_params: up to 10 tries at a box of the
// drawn area and aspect ratio, then a centre crop with the ratio clamped.
void SampleCropBox(const AugmentOptions& o, int64_t size, Rng& rng, GeometricParams* g) {
  const double area = static_cast<double>(size * size);
  const double log_ratio_min = std::log(o.crop_ratio_min);
  const double log_ratio_max = std::log(o.crop_ratio_max);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * rng.Uniform(o.crop_scale_min, o.crop_scale_max);
    const double ratio = std::exp(rng.Uniform(log_ratio_min, log_ratio_max));
    const auto w = static_cast<int64_t>(std::lround(std::sqrt(target * ratio)));
    const auto h = static_cast<int64_t>(std::lround(std::sqrt(target / ratio)));
    if (w > 0 && w <= size && h > 0 && h <= size) {
      g->crop_top_px = rng.UniformInt(size - h + 1);
      g->crop_left_px = rng.UniformInt(size - w + 1);
      g->crop_height_px = h;
      g->crop_width_px = w;
      return;
    }
  }
  int64_t w = size, h = size;  // a square patch: its own ratio is 1
  if (1.0 < o.crop_ratio_min) {
    h = std::max<int64_t>(1, std::lround(size / o.crop_ratio_min));
  } else if (1.0 > o.crop_ratio_max) {
    w = std::max<int64_t>(1, std::lround(size * o.crop_ratio_max));
  }
  g->crop_top_px = (size - h) / 2;
  g->crop_left_px = (size - w) / 2;
  g->crop_height_px = h;
  g->crop_width_px = w;
}

GeometricParams SampleGeometry(const AugmentOptions& o, int64_t size, uint64_t seed) {
  Rng rng(seed);
  GeometricParams g;
  if (rng.Bernoulli(o.crop_probability)) SampleCropBox(o, size, rng, &g);
  g.flip_horizontal = rng.Bernoulli(o.hflip_probability);
  g.flip_vertical = rng.Bernoulli(o.vflip_probability);
  if (rng.Bernoulli(o.rot90_probability)) g.rot90 = 1 + static_cast<int>(rng.UniformInt(3));
  return g;
}

int64_t SampleDroppedBand(double probability, int64_t bands, uint64_t seed) {
  if (bands < 2) return -1;
  Rng rng(seed);
  return rng.Bernoulli(probability) ? rng.UniformInt(bands) : -1;
}

// Calls f(p) for p in [0, n), eight at a time: with RelWithDebInfo's -O2,
// GCC only vectorises fixed-length blocks like these (the plain loops of the
// per-pixel affine maps stayed scalar and took ~2x longer).
template <typename F>
inline void ForEachPixel(int64_t n, F&& f) {
  int64_t p = 0;
  for (; p + 8 <= n; p += 8) {
    for (int k = 0; k < 8; ++k) f(p + k);
  }
  for (; p < n; ++p) f(p);
}

// --- Kernels on raw [C, S, S] float buffers -----------------------------------

// One output coordinate of a bilinear resize: value = (1 - w1) src[i0] + w1 src[i1].
struct Tap {
  int64_t i0;
  int64_t i1;
  float w1;
};

// Taps resizing [start, start + len) to `size` samples with the half-pixel
// convention of torch's bilinear interpolate (align_corners = false).
std::vector<Tap> AxisTaps(int64_t start, int64_t len, int64_t size) {
  std::vector<Tap> taps(static_cast<size_t>(size));
  const float scale = static_cast<float>(len) / static_cast<float>(size);
  for (int64_t o = 0; o < size; ++o) {
    const float real = std::max(scale * (static_cast<float>(o) + 0.5f) - 0.5f, 0.0f);
    const int64_t i = std::min(static_cast<int64_t>(real), len - 1);
    const int64_t next = i < len - 1 ? 1 : 0;
    const float w1 = std::min(std::max(real - static_cast<float>(i), 0.0f), 1.0f);
    taps[static_cast<size_t>(o)] = {start + i, start + i + next, w1};
  }
  return taps;
}

bool CropIsWholePatch(const GeometricParams& g, int64_t size) {
  return g.crop_height_px == 0 || (g.crop_top_px == 0 && g.crop_left_px == 0 &&
                                   g.crop_height_px == size && g.crop_width_px == size);
}

void CheckGeometry(const GeometricParams& g, int64_t size) {
  TORCH_CHECK(g.rot90 >= 0 && g.rot90 <= 3, "GeometricParams: rot90 must be 0..3, got ", g.rot90);
  if (g.crop_height_px == 0 && g.crop_width_px == 0) return;
  TORCH_CHECK(g.crop_height_px >= 1 && g.crop_width_px >= 1 && g.crop_top_px >= 0 &&
                  g.crop_left_px >= 0 && g.crop_top_px + g.crop_height_px <= size &&
                  g.crop_left_px + g.crop_width_px <= size,
              "GeometricParams: crop box (top ", g.crop_top_px, ", left ", g.crop_left_px,
              ", height ", g.crop_height_px, ", width ", g.crop_width_px,
              ") does not lie inside the ", size, " x ", size, " px patch");
}

// out[i][j] = src[row_taps[i].i0][col_taps[j].i0] for one band: a pure
// permutation (no crop), values copied exactly.
void GatherBand(const float* src, int64_t size, const std::vector<Tap>& row_taps,
                const std::vector<Tap>& col_taps, float* out) {
  for (int64_t i = 0; i < size; ++i) {
    const float* in_row = src + row_taps[static_cast<size_t>(i)].i0 * size;
    float* out_row = out + i * size;
    for (int64_t j = 0; j < size; ++j) out_row[j] = in_row[col_taps[static_cast<size_t>(j)].i0];
  }
}

// out[i][j] = bilinear sample of one band at (row_taps[i], col_taps[j]),
// separably: first every source row in [row_lo, row_hi] is interpolated along
// x into `rows` ((row_hi - row_lo + 1) x size floats), then output rows blend
// two of those rows (a contiguous loop the compiler vectorises).
void BilinearBand(const float* src, int64_t size, const std::vector<Tap>& row_taps,
                  const std::vector<Tap>& col_taps, int64_t row_lo, int64_t row_hi, float* rows,
                  float* out) {
  for (int64_t r = row_lo; r <= row_hi; ++r) {
    const float* in = src + r * size;
    float* h = rows + (r - row_lo) * size;
    for (int64_t j = 0; j < size; ++j) {
      const Tap& c = col_taps[static_cast<size_t>(j)];
      h[j] = in[c.i0] + c.w1 * (in[c.i1] - in[c.i0]);
    }
  }
  for (int64_t i = 0; i < size; ++i) {
    const Tap& t = row_taps[static_cast<size_t>(i)];
    const float* top = rows + (t.i0 - row_lo) * size;
    const float* bottom = rows + (t.i1 - row_lo) * size;
    const float w = t.w1;
    float* o = out + i * size;
    ForEachPixel(size, [&](int64_t j) { o[j] = top[j] + w * (bottom[j] - top[j]); });
  }
}

// out = transpose(in) for a size x size band, in cache-friendly blocks.
void TransposeBand(const float* in, int64_t size, float* out) {
  constexpr int64_t kBlock = 16;
  for (int64_t i0 = 0; i0 < size; i0 += kBlock) {
    for (int64_t j0 = 0; j0 < size; j0 += kBlock) {
      const int64_t i1 = std::min(size, i0 + kBlock), j1 = std::min(size, j0 + kBlock);
      for (int64_t i = i0; i < i1; ++i) {
        for (int64_t j = j0; j < j1; ++j) out[i * size + j] = in[j * size + i];
      }
    }
  }
}

// Crop + resize + flips + rot90 from src into dst (both [channels, size, size]).
//
// After rot90 by k, output (i, j) reads the flipped image at (a, b):
//   k=0 (i, j)   k=1 (j, S-1-i)   k=2 (S-1-i, S-1-j)   k=3 (S-1-j, i)
// and the flips map (a, b) to the resized crop at (u, v) = (S-1-a if vflip,
// S-1-b if hflip). Tables row_taps[t] / col_taps[t] give the source taps of
// u and v as functions of one index t. For even k, output (i, j) is the
// bilinear sample at (row_taps[i], col_taps[j]); for odd k ("transposed") it is
// the sample at (row_taps[j], col_taps[i]), i.e. the transpose of the even
// case, which is computed first and then transposed.
void ResampleInto(const float* src, int64_t channels, int64_t size, const GeometricParams& g,
                  float* dst) {
  const int64_t plane = size * size;
  const bool whole = CropIsWholePatch(g, size);
  if (whole && !g.flip_horizontal && !g.flip_vertical && g.rot90 == 0) {
    std::memcpy(dst, src, sizeof(float) * static_cast<size_t>(channels * plane));
    return;
  }
  const int64_t top = whole ? 0 : g.crop_top_px;
  const int64_t height = whole ? size : g.crop_height_px;
  const std::vector<Tap> row_taps_by_u = AxisTaps(top, height, size);
  const std::vector<Tap> col_taps_by_v =
      AxisTaps(whole ? 0 : g.crop_left_px, whole ? size : g.crop_width_px, size);

  const bool transposed = g.rot90 % 2 == 1;
  std::vector<Tap> row_taps(static_cast<size_t>(size)), col_taps(static_cast<size_t>(size));
  for (int64_t t = 0; t < size; ++t) {
    const int64_t r = size - 1 - t;
    int64_t a = t, b = t;  // a: row of the flipped image, b: its column
    switch (g.rot90) {
      case 1:
        a = t, b = r;
        break;  // a indexed by j, b by i
      case 2:
        a = r, b = r;
        break;
      case 3:
        a = r, b = t;
        break;  // a indexed by j, b by i
      default:
        break;
    }
    const int64_t u = g.flip_vertical ? size - 1 - a : a;
    const int64_t v = g.flip_horizontal ? size - 1 - b : b;
    row_taps[static_cast<size_t>(t)] = row_taps_by_u[static_cast<size_t>(u)];
    col_taps[static_cast<size_t>(t)] = col_taps_by_v[static_cast<size_t>(v)];
  }

  std::vector<float> rows(whole ? 0 : static_cast<size_t>(height * size));
  std::vector<float> unturned(transposed ? static_cast<size_t>(plane) : 0);
  for (int64_t c = 0; c < channels; ++c) {
    const float* s = src + c * plane;
    float* d = dst + c * plane;
    float* target = transposed ? unturned.data() : d;
    if (whole) {
      GatherBand(s, size, row_taps, col_taps, target);
    } else {
      BilinearBand(s, size, row_taps, col_taps, top, top + height - 1, rows.data(), target);
    }
    if (transposed) TransposeBand(unturned.data(), size, d);
  }
}

// Per-band mean/std as float32 arrays, or identity when `normalization` is null.
struct BandAffine {
  std::vector<double> mean, std;
};

BandAffine AffineOf(const BandNormalization* normalization, int64_t channels) {
  BandAffine affine;
  if (normalization == nullptr) {
    affine.mean.assign(static_cast<size_t>(channels), 0.0);
    affine.std.assign(static_cast<size_t>(channels), 1.0);
    return affine;
  }
  TORCH_CHECK(static_cast<int64_t>(normalization->mean.size()) == channels &&
                  static_cast<int64_t>(normalization->std.size()) == channels,
              "BandNormalization: expected ", channels, " means and stds, got ",
              normalization->mean.size(), " and ", normalization->std.size());
  for (int64_t c = 0; c < channels; ++c) {
    const double sd = normalization->std[static_cast<size_t>(c)];
    TORCH_CHECK(std::isfinite(sd) && sd > 0.0, "BandNormalization: std of band ", c,
                " must be finite and > 0, got ", sd);
  }
  affine.mean = normalization->mean;
  affine.std = normalization->std;
  return affine;
}

// Sum of n floats: eight independent float accumulators over blocks of 256
// values (so the adds pipeline instead of waiting on one another), block sums
// added in double.
double BandSum(const float* x, int64_t n) {
  constexpr int64_t kBlock = 256;
  double total = 0.0;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t p = start;
    for (; p + 8 <= end; p += 8) {
      for (int k = 0; k < 8; ++k) acc[k] += x[p + k];
    }
    double block = 0.0;
    for (; p < end; ++p) block += x[p];
    for (float a : acc) block += a;
    total += block;
  }
  return total;
}

// S2 jitter fused with normalisation: per band one affine map
//   z = (((x - m) c + m) b - mean) / std = x * (c b / std) + (m (1 - c) b - mean) / std.
void JitterNormalizeInPlace(float* x, int64_t channels, int64_t plane, double brightness,
                            double contrast, const BandAffine& affine) {
  for (int64_t c = 0; c < channels; ++c) {
    float* band = x + c * plane;
    const double m = contrast != 1.0 ? BandSum(band, plane) / static_cast<double>(plane) : 0.0;
    const double sd = affine.std[static_cast<size_t>(c)];
    const auto scale = static_cast<float>(contrast * brightness / sd);
    const auto shift = static_cast<float>(
        (m * (1.0 - contrast) * brightness - affine.mean[static_cast<size_t>(c)]) / sd);
    ForEachPixel(plane, [&](int64_t p) { band[p] = band[p] * scale + shift; });
  }
}

// S1 speckle and additive noise (in dB) fused with normalisation. Pixels are
// visited band by band, row-major, one draw per pixel from each field's own
// generator, so each noise field is a fixed function of its seed. The draws are
// inverse-CDF lookups in exact quantile tables (data/noise_tables.h).
void NoiseNormalizeInPlace(float* x, int64_t channels, int64_t plane, double looks, double std_db,
                           uint64_t seed, const BandAffine& affine) {
  const std::shared_ptr<const internal::QuantileTable> speckle_db =
      looks > 0.0 ? internal::SpeckleDbTable(looks) : nullptr;
  const internal::QuantileTable* normal = std_db > 0.0 ? &internal::StandardNormalTable() : nullptr;
  Rng speckle(MixSeed(seed, kStreamSpeckleField));
  Rng noise(MixSeed(seed, kStreamNoiseField));
  const auto noise_std = static_cast<float>(std_db);
  for (int64_t c = 0; c < channels; ++c) {
    float* band = x + c * plane;
    const auto mean = static_cast<float>(affine.mean[static_cast<size_t>(c)]);
    const auto inv_std = static_cast<float>(1.0 / affine.std[static_cast<size_t>(c)]);
    for (int64_t p = 0; p < plane; ++p) {
      float v = band[p];
      if (speckle_db != nullptr) v += speckle_db->Sample(speckle.Next());
      if (normal != nullptr) v += noise_std * normal->Sample(noise.Next());
      band[p] = (v - mean) * inv_std;
    }
  }
}

// TORCH_CHECKs a [C, S, S] float32 image; returns S.
int64_t CheckImage(const torch::Tensor& image, const char* what) {
  TORCH_CHECK(image.defined(), what, ": expected a [C, S, S] tensor, got an undefined tensor");
  TORCH_CHECK(image.dim() == 3 && image.size(1) == image.size(2), what,
              ": expected a square [C, S, S] image, got shape ", image.sizes());
  TORCH_CHECK(image.scalar_type() == torch::kFloat, what, ": expected float32, got ",
              image.scalar_type());
  TORCH_CHECK(image.device().is_cpu(), what, ": expected a CPU tensor");
  return image.size(1);
}

}  // namespace

// --- AugmentOptions -----------------------------------------------------------

AugmentOptions AugmentOptions::None() {
  AugmentOptions o;
  o.hflip_probability = o.vflip_probability = o.rot90_probability = 0.0;
  o.crop_probability = 0.0;
  o.s2_jitter_probability = 0.0;
  o.s1_speckle_probability = o.s1_noise_probability = 0.0;
  o.band_dropout_probability = 0.0;
  return o;
}

Status AugmentOptions::Validate() const {
  MOSAIC_RETURN_IF_ERROR(CheckProbability(hflip_probability, "hflip_probability"));
  MOSAIC_RETURN_IF_ERROR(CheckProbability(vflip_probability, "vflip_probability"));
  MOSAIC_RETURN_IF_ERROR(CheckProbability(rot90_probability, "rot90_probability"));
  MOSAIC_RETURN_IF_ERROR(CheckProbability(crop_probability, "crop_probability"));
  MOSAIC_RETURN_IF_ERROR(CheckProbability(s2_jitter_probability, "s2_jitter_probability"));
  MOSAIC_RETURN_IF_ERROR(CheckProbability(s1_speckle_probability, "s1_speckle_probability"));
  MOSAIC_RETURN_IF_ERROR(CheckProbability(s1_noise_probability, "s1_noise_probability"));
  MOSAIC_RETURN_IF_ERROR(CheckProbability(band_dropout_probability, "band_dropout_probability"));
  if (!(crop_scale_min > 0.0 && crop_scale_min <= crop_scale_max && crop_scale_max <= 1.0)) {
    return Status::InvalidArgument(
        "AugmentOptions.crop_scale_min/max: expected 0 < min <= max <= 1, got " +
        std::to_string(crop_scale_min) + " and " + std::to_string(crop_scale_max));
  }
  if (!(crop_ratio_min > 0.0 && crop_ratio_min <= crop_ratio_max &&
        std::isfinite(crop_ratio_max))) {
    return Status::InvalidArgument(
        "AugmentOptions.crop_ratio_min/max: expected 0 < min <= max, got " +
        std::to_string(crop_ratio_min) + " and " + std::to_string(crop_ratio_max));
  }
  if (!(s2_brightness >= 0.0 && s2_brightness < 1.0)) {
    return Status::InvalidArgument("AugmentOptions.s2_brightness: expected [0, 1), got " +
                                   std::to_string(s2_brightness));
  }
  if (!(s2_contrast >= 0.0 && s2_contrast < 1.0)) {
    return Status::InvalidArgument("AugmentOptions.s2_contrast: expected [0, 1), got " +
                                   std::to_string(s2_contrast));
  }
  if (!(s1_speckle_looks >= 1.0 && std::isfinite(s1_speckle_looks))) {
    return Status::InvalidArgument("AugmentOptions.s1_speckle_looks: expected >= 1, got " +
                                   std::to_string(s1_speckle_looks));
  }
  if (!(s1_noise_std_db >= 0.0 && std::isfinite(s1_noise_std_db))) {
    return Status::InvalidArgument("AugmentOptions.s1_noise_std_db: expected >= 0, got " +
                                   std::to_string(s1_noise_std_db));
  }
  return Status::OK();
}

bool GeometricParams::IsIdentity(int64_t size_px) const {
  return CropIsWholePatch(*this, size_px) && !flip_horizontal && !flip_vertical && rot90 == 0;
}

ViewParams SampleViewParams(const AugmentOptions& options, int64_t patch_size_px, int64_t s1_bands,
                            int64_t s2_bands, uint64_t seed) {
  ViewParams p;
  p.s2_geometry = SampleGeometry(options, patch_size_px, MixSeed(seed, kStreamS2Geometry));
  p.s1_geometry = options.shared_geometry
                      ? p.s2_geometry
                      : SampleGeometry(options, patch_size_px, MixSeed(seed, kStreamS1Geometry));

  Rng jitter(MixSeed(seed, kStreamJitter));
  if (jitter.Bernoulli(options.s2_jitter_probability)) {
    p.s2_brightness = jitter.Uniform(1.0 - options.s2_brightness, 1.0 + options.s2_brightness);
    p.s2_contrast = jitter.Uniform(1.0 - options.s2_contrast, 1.0 + options.s2_contrast);
  }

  Rng noise(MixSeed(seed, kStreamS1Noise));
  if (noise.Bernoulli(options.s1_speckle_probability))
    p.s1_speckle_looks = options.s1_speckle_looks;
  if (noise.Bernoulli(options.s1_noise_probability)) p.s1_noise_std_db = options.s1_noise_std_db;
  p.s1_noise_seed = noise.Next();

  p.s1_dropped_band = SampleDroppedBand(options.band_dropout_probability, s1_bands,
                                        MixSeed(seed, kStreamS1Dropout));
  p.s2_dropped_band = SampleDroppedBand(options.band_dropout_probability, s2_bands,
                                        MixSeed(seed, kStreamS2Dropout));
  return p;
}

// --- Single steps --------------------------------------------------------------

torch::Tensor ApplyGeometry(const torch::Tensor& image, const GeometricParams& geometry) {
  const int64_t size = CheckImage(image, "ApplyGeometry");
  CheckGeometry(geometry, size);
  const torch::Tensor src = image.contiguous();
  torch::Tensor out = torch::empty_like(src);
  ResampleInto(src.data_ptr<float>(), src.size(0), size, geometry, out.data_ptr<float>());
  return out;
}

torch::Tensor JitterS2(const torch::Tensor& reflectance, double brightness, double contrast) {
  CheckImage(reflectance, "JitterS2");
  TORCH_CHECK(brightness > 0.0 && contrast > 0.0, "JitterS2: factors must be > 0, got brightness ",
              brightness, " and contrast ", contrast);
  torch::Tensor out = reflectance.contiguous().clone();
  const int64_t channels = out.size(0);
  JitterNormalizeInPlace(out.data_ptr<float>(), channels, out.size(1) * out.size(2), brightness,
                         contrast, AffineOf(nullptr, channels));
  return out;
}

torch::Tensor SpeckleS1(const torch::Tensor& sigma0_db, double looks, uint64_t seed) {
  CheckImage(sigma0_db, "SpeckleS1");
  TORCH_CHECK(looks >= 1.0 && std::isfinite(looks), "SpeckleS1: looks must be >= 1, got ", looks);
  torch::Tensor out = sigma0_db.contiguous().clone();
  const int64_t channels = out.size(0);
  NoiseNormalizeInPlace(out.data_ptr<float>(), channels, out.size(1) * out.size(2), looks, 0.0,
                        seed, AffineOf(nullptr, channels));
  return out;
}

torch::Tensor AddNoiseS1(const torch::Tensor& sigma0_db, double std_db, uint64_t seed) {
  CheckImage(sigma0_db, "AddNoiseS1");
  TORCH_CHECK(std_db >= 0.0 && std::isfinite(std_db), "AddNoiseS1: std_db must be >= 0, got ",
              std_db);
  torch::Tensor out = sigma0_db.contiguous().clone();
  const int64_t channels = out.size(0);
  NoiseNormalizeInPlace(out.data_ptr<float>(), channels, out.size(1) * out.size(2), 0.0, std_db,
                        seed, AffineOf(nullptr, channels));
  return out;
}

torch::Tensor NormalizeBands(const torch::Tensor& image, const BandNormalization& normalization) {
  CheckImage(image, "NormalizeBands");
  torch::Tensor out = image.contiguous().clone();
  const int64_t channels = out.size(0);
  JitterNormalizeInPlace(out.data_ptr<float>(), channels, out.size(1) * out.size(2), 1.0, 1.0,
                         AffineOf(&normalization, channels));
  return out;
}

torch::Tensor DropBand(const torch::Tensor& image, int64_t band) {
  CheckImage(image, "DropBand");
  TORCH_CHECK(band >= 0 && band < image.size(0), "DropBand: band ", band, " is not in [0, ",
              image.size(0), ")");
  torch::Tensor out = image.contiguous().clone();
  out[band].zero_();
  return out;
}

// --- The whole view -------------------------------------------------------------

void RenderView(Modality modality, const ViewParams& params, const BandNormalization& normalization,
                const torch::Tensor& raw, const torch::Tensor& out) {
  const int64_t size = CheckImage(raw, "RenderView: raw");
  CheckImage(out, "RenderView: out");
  TORCH_CHECK(out.sizes() == raw.sizes(), "RenderView: out has shape ", out.sizes(),
              ", raw has shape ", raw.sizes());
  TORCH_CHECK(raw.is_contiguous() && out.is_contiguous(),
              "RenderView: raw and out must be contiguous");
  const int64_t channels = raw.size(0);
  const int64_t plane = size * size;
  const BandAffine affine = AffineOf(&normalization, channels);
  const bool is_s1 = modality == Modality::kS1;
  const GeometricParams& geometry = is_s1 ? params.s1_geometry : params.s2_geometry;
  CheckGeometry(geometry, size);

  float* dst = out.data_ptr<float>();
  ResampleInto(raw.data_ptr<float>(), channels, size, geometry, dst);
  int64_t dropped = -1;
  if (is_s1 && params.s1_speckle_looks == 0.0 && params.s1_noise_std_db == 0.0) {
    JitterNormalizeInPlace(dst, channels, plane, 1.0, 1.0, affine);  // vectorised affine only
    dropped = params.s1_dropped_band;
  } else if (is_s1) {
    NoiseNormalizeInPlace(dst, channels, plane, params.s1_speckle_looks, params.s1_noise_std_db,
                          params.s1_noise_seed, affine);
    dropped = params.s1_dropped_band;
  } else {
    JitterNormalizeInPlace(dst, channels, plane, params.s2_brightness, params.s2_contrast, affine);
    dropped = params.s2_dropped_band;
  }
  if (dropped >= 0) {
    TORCH_CHECK(dropped < channels, "RenderView: dropped band ", dropped, " is not in [0, ",
                channels, ")");
    std::fill(dst + dropped * plane, dst + (dropped + 1) * plane, 0.0f);
  }
}

}  // namespace mosaic::data
