#include "synth/s2_spectra.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "mosaic/synth/class_signatures.h"
#include "synth/noise_field.h"
#include "synth/prng.h"

namespace mosaic::synth {
namespace {

using Spectrum = std::array<float, kNumS2Bands>;

constexpr std::array<const char*, kNumS2Bands> kBandNames = {
    "B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"};
constexpr std::array<int, kNumS2Bands> kBandResolutionM = {60, 10, 10, 10, 20, 20,
                                                           20, 10, 20, 60, 20, 20};

// Sensor and sub-pixel noise added to every output value: relative and absolute.
constexpr float kRelativeNoise = 0.01f;
constexpr float kAbsoluteNoise = 0.001f;

// How a class varies around its mean spectrum: reflectance = (mean + u *
// direction) * brightness * texture, where u is drawn per field (kUniform in
// [-1, 1], kBinary b - p with b ~ Bernoulli(p)) or read from a smooth field
// over stands without fields (kSmooth, standard deviation ~0.58 like kUniform).
enum class Variation : uint8_t { kUniform, kBinary, kSmooth };

struct ClassVariation {
  Variation kind;
  float p;               // kBinary only
  Spectrum direction;    // reflectance per unit of u
  float brightness_std;  // per field (or smooth, over stands)
  float texture_std;     // fine multiplicative texture (crowns, furrows, roofs)
};

// Green crop minus bare soil: the main axis of vegetation variation.
constexpr Spectrum kVigour = {-0.035f, -0.040f, -0.040f, -0.095f, -0.060f, 0.100f,
                              0.150f,  0.160f,  0.160f,  0.130f,  -0.100f, -0.140f};

constexpr Spectrum Scaled(const Spectrum& s, float f) {
  Spectrum out{};
  for (size_t b = 0; b < out.size(); ++b) out[b] = s[b] * f;
  return out;
}
constexpr Spectrum Flat(float v) {
  Spectrum out{};
  for (float& x : out) x = v;
  return out;
}

// Indexed by ClassId.
const std::array<ClassVariation, kNumClasses>& Variations() {
  static const std::array<ClassVariation, kNumClasses> kVariations = {{
      {Variation::kUniform, 0.0f, Scaled(kVigour, -0.3f), 0.08f, 0.08f},  // Urban: built vs gardens
      {Variation::kUniform, 0.0f, Flat(0.03f), 0.10f, 0.06f},  // Industrial: roof brightness
      {Variation::kUniform, 0.0f, Scaled(kVigour, 0.5f), 0.05f, 0.03f},   // Arable: soil .. crop
      {Variation::kUniform, 0.0f, Scaled(kVigour, 0.15f), 0.05f, 0.05f},  // Permanent crops
      {Variation::kUniform, 0.0f, Scaled(kVigour, 0.12f), 0.03f, 0.05f},  // Pastures
      {Variation::kUniform, 0.0f, Scaled(kVigour, 0.45f), 0.05f, 0.03f},  // Complex cultivation
      {Variation::kBinary, 0.4f, Scaled(kVigour, 0.5f), 0.05f, 0.04f},    // Agri + natural patches
      {Variation::kBinary,
       0.3f,
       {-0.020f, -0.025f, -0.030f, -0.060f, -0.040f, 0.050f, 0.090f, 0.100f, 0.100f, 0.090f,
        -0.110f, -0.100f},
       0.04f,
       0.04f},  // Agro-forestry: tree vs grass
      {Variation::kSmooth, 0.0f, Scaled(kVigour, 0.08f), 0.05f, 0.06f},  // Broad-leaved
      {Variation::kSmooth, 0.0f, Scaled(kVigour, 0.05f), 0.05f, 0.06f},  // Coniferous
      {Variation::kSmooth, 0.0f, Scaled(kVigour, 0.06f), 0.05f, 0.06f},  // Mixed
      {Variation::kSmooth, 0.0f, Scaled(kVigour, 0.12f), 0.03f, 0.05f},  // Natural grassland
      {Variation::kSmooth, 0.0f, Scaled(kVigour, 0.10f), 0.03f, 0.05f},  // Moors
      {Variation::kSmooth, 0.0f, Scaled(kVigour, 0.15f), 0.05f, 0.06f},  // Transitional woodland
      {Variation::kSmooth, 0.0f, Flat(0.04f), 0.05f, 0.03f},             // Beaches: wet .. dry sand
      {Variation::kSmooth, 0.0f, Scaled(kVigour, 0.10f), 0.03f, 0.05f},  // Inland wetlands
      {Variation::kSmooth, 0.0f, Scaled(kVigour, 0.10f), 0.05f, 0.04f},  // Coastal wetlands
      {Variation::kSmooth,
       0.0f,
       {0.006f, 0.006f, 0.010f, 0.008f, 0.006f, 0.003f, 0.002f, 0.002f, 0.0015f, 0.001f, 0.0f,
        0.0f},
       0.03f,
       0.01f},  // Inland waters: turbidity
      {Variation::kSmooth,
       0.0f,
       {0.003f, 0.003f, 0.003f, 0.002f, 0.001f, 0.0005f, 0.0005f, 0.0005f, 0.0005f, 0.0f, 0.0f,
        0.0f},
       0.03f,
       0.01f},  // Marine waters
  }};
  return kVariations;
}

// Streets between urban blocks: asphalt mixed with walls and shade.
constexpr Spectrum kStreet = {0.060f, 0.062f, 0.068f, 0.072f, 0.080f, 0.090f,
                              0.095f, 0.100f, 0.105f, 0.098f, 0.120f, 0.110f};

inline uint16_t Quantize(float reflectance) {
  const float v = reflectance * 10000.0f + 0.5f;
  if (v <= 0.0f) return 0;
  if (v >= 65535.0f) return 65535;
  return static_cast<uint16_t>(v);
}

inline float Noisy(float clean, Rng& rng) {
  return clean * (1.0f + kRelativeNoise * static_cast<float>(rng.FastNormal())) +
         kAbsoluteNoise * static_cast<float>(rng.FastNormal());
}

}  // namespace

std::vector<S2Band> RenderS2(const LandCover& lc, const CloudLayer& clouds, uint64_t seed) {
  const int64_t w = lc.width;
  const int64_t h = lc.height;

  std::array<Spectrum, kNumClasses> means{};
  for (int c = 0; c < kNumClasses; ++c) {
    for (int b = 0; b < kNumS2Bands; ++b) {
      means[static_cast<size_t>(c)][static_cast<size_t>(b)] = static_cast<float>(
          ClassSignatures()[static_cast<size_t>(c)].s2_reflectance[static_cast<size_t>(b)]);
    }
  }
  const auto& variations = Variations();

  // Smooth fields for stands without fields, and the fine texture.
  const uint64_t field_seed = Hash64(StreamSeed(seed, Stream::kNoiseFields), 0x5332);  // "S2"
  // Stand-level variation is a few hundred metres across: fine enough that a
  // class's mean over a scene is stable, coarse enough to read as stands.
  std::vector<float> stand_u = FbmField(w, h, Hash64(field_seed, 1), FbmParams{24.0, 3, 0.5});
  std::vector<float> stand_brightness =
      FbmField(w, h, Hash64(field_seed, 2), FbmParams{32.0, 3, 0.5});
  std::vector<float> texture = FbmField(w, h, Hash64(field_seed, 3), FbmParams{4.0, 2, 0.5});
  Standardize(&stand_u);
  Standardize(&stand_brightness);
  Standardize(&texture);

  std::vector<S2Band> bands(kNumS2Bands);
  for (size_t b = 0; b < bands.size(); ++b) {
    bands[b].name = kBandNames[b];
    bands[b].resolution_m = kBandResolutionM[b];
    const int64_t factor = kBandResolutionM[b] / 10;
    bands[b].width = w / factor;
    bands[b].height = h / factor;
    bands[b].data.assign(static_cast<size_t>(bands[b].width * bands[b].height), 0);
  }
  // Sums of the clean 10 m signal per 20 m / 60 m block.
  std::array<std::vector<float>, kNumS2Bands> block_sum;
  for (size_t b = 0; b < bands.size(); ++b) {
    if (kBandResolutionM[b] != 10) block_sum[b].assign(bands[b].data.size(), 0.0f);
  }

  std::vector<size_t> bands_10m, bands_20m, bands_60m;
  for (size_t b = 0; b < bands.size(); ++b) {
    (kBandResolutionM[b] == 10   ? bands_10m
     : kBandResolutionM[b] == 20 ? bands_20m
                                 : bands_60m)
        .push_back(b);
  }

  const Spectrum& cloud = CloudReflectance();
  const Spectrum& shadow_transmission = ShadowTransmission();
  Rng rng(seed, Stream::kS2);
  Spectrum spectrum{};
  // Per-field draws, cached while consecutive pixels share a field.
  uint32_t cached_key = 0;
  uint8_t cached_class = 0;
  float field_u = 0.0f;
  float field_brightness = 1.0f;
  for (int64_t y = 0; y < h; ++y) {
    const auto row_20m = static_cast<size_t>((y / 2) * (w / 2));
    const auto row_60m = static_cast<size_t>((y / 6) * (w / 6));
    for (int64_t x = 0; x < w; ++x) {
      const size_t i = static_cast<size_t>(y * w + x);
      const uint8_t c = lc.class_id[i];
      const float tex = 1.0f + variations[c].texture_std * texture[i];
      if (lc.material[i] == static_cast<uint8_t>(Material::kStreet)) {
        for (size_t b = 0; b < spectrum.size(); ++b) spectrum[b] = kStreet[b] * tex;
      } else {
        const ClassVariation& var = variations[c];
        float u;
        float brightness;
        const uint32_t key = lc.field_key[i];
        if (key != 0 && var.kind != Variation::kSmooth) {
          if (key != cached_key || c != cached_class) {
            const uint64_t hk = Hash64(key, seed);
            if (var.kind == Variation::kBinary) {
              field_u = (HashToUnit(Hash64(hk, 1)) < var.p ? 1.0f : 0.0f) - var.p;
            } else {
              field_u = static_cast<float>(2.0 * HashToUnit(Hash64(hk, 1)) - 1.0);
            }
            field_brightness =
                1.0f + var.brightness_std * static_cast<float>(HashToApproxNormal(Hash64(hk, 2)));
            cached_key = key;
            cached_class = c;
          }
          u = field_u;
          brightness = field_brightness;
        } else {
          u = std::clamp(0.58f * stand_u[i], -1.5f, 1.5f);
          brightness = 1.0f + var.brightness_std * stand_brightness[i];
        }
        const Spectrum& mean = means[c];
        const float gain = brightness * tex;
        for (size_t b = 0; b < spectrum.size(); ++b) {
          spectrum[b] = std::max(0.0f, (mean[b] + u * var.direction[b]) * gain);
        }
      }
      if (!clouds.clear()) {
        const float shade = clouds.shadow[i];
        const float alpha = clouds.opacity[i];
        const float top = clouds.brightness[i];
        for (size_t b = 0; b < spectrum.size(); ++b) {
          const float ground = spectrum[b] * (1.0f - shade * (1.0f - shadow_transmission[b]));
          spectrum[b] = (1.0f - alpha) * ground + alpha * cloud[b] * top;
        }
      }
      for (size_t b : bands_10m) bands[b].data[i] = Quantize(Noisy(spectrum[b], rng));
      const size_t i20 = row_20m + static_cast<size_t>(x / 2);
      for (size_t b : bands_20m) block_sum[b][i20] += spectrum[b];
      const size_t i60 = row_60m + static_cast<size_t>(x / 6);
      for (size_t b : bands_60m) block_sum[b][i60] += spectrum[b];
    }
  }
  for (size_t b = 0; b < bands.size(); ++b) {
    if (kBandResolutionM[b] == 10) continue;
    const int64_t factor = kBandResolutionM[b] / 10;
    const float inv_count = 1.0f / static_cast<float>(factor * factor);
    for (size_t j = 0; j < bands[b].data.size(); ++j) {
      bands[b].data[j] = Quantize(Noisy(block_sum[b][j] * inv_count, rng));
    }
  }
  return bands;
}

}  // namespace mosaic::synth
