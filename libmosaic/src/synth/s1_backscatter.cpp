#include "synth/s1_backscatter.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "mosaic/synth/class_signatures.h"
#include "synth/noise_field.h"
#include "synth/prng.h"

namespace mosaic::synth {
namespace {

constexpr double kNeperToDb = 4.3429448190325175;  // 10 / ln(10)
// Floor of the output (dB): speckle draws can be tiny.
constexpr double kMinDb = -100.0;

struct ClassBackscatterVariation {
  float field_std_db;  // offset per field / block (crop state, soil moisture, orientation)
  float texture_db;    // smooth spatial texture amplitude (canopy gaps, wind on water)
};

// Indexed by ClassId.
constexpr std::array<ClassBackscatterVariation, kNumClasses> kVariations = {{
    {2.0f, 1.0f},  // Urban fabric: street orientation vs radar look (cardinal effect)
    {2.5f, 1.0f},  // Industrial or commercial units
    {1.5f, 0.4f},  // Arable land: bare rough soil vs crop, moisture
    {0.8f, 0.6f},  // Permanent crops
    {0.8f, 0.4f},  // Pastures
    {1.2f, 0.4f},  // Complex cultivation patterns
    {0.8f, 0.5f},  // Agriculture with natural vegetation
    {1.5f, 0.5f},  // Agro-forestry (per 20 m cell: trees or grass)
    {0.0f, 0.6f},  // Broad-leaved forest
    {0.0f, 0.6f},  // Coniferous forest
    {0.0f, 0.6f},  // Mixed forest
    {0.0f, 0.8f},  // Natural grassland
    {0.0f, 0.7f},  // Moors and heathland
    {0.0f, 0.8f},  // Transitional woodland
    {0.0f, 0.6f},  // Beaches, dunes, sands
    {0.0f, 1.0f},  // Inland wetlands
    {0.0f, 1.0f},  // Coastal wetlands
    {0.0f, 0.4f},  // Inland waters
    {0.0f, 0.4f},  // Marine waters
}};

// Streets: smooth asphalt, but the 10 m pixel still catches building corners.
constexpr float kStreetVvDb = -6.0f;
constexpr float kStreetVhDb = -15.0f;
constexpr float kStreetSlopeDbPerDeg = -0.10f;

}  // namespace

void RenderS1(const LandCover& lc, const SynthOptions& options, std::vector<float>* vv,
              std::vector<float>* vh) {
  const int64_t w = lc.width;
  const int64_t h = lc.height;
  vv->assign(static_cast<size_t>(w * h), 0.0f);
  vh->assign(static_cast<size_t>(w * h), 0.0f);

  std::vector<double> delta_theta(static_cast<size_t>(w));
  for (int64_t x = 0; x < w; ++x) {
    delta_theta[static_cast<size_t>(x)] =
        IncidenceAngleDeg(options, static_cast<double>(x)) - kReferenceIncidenceDeg;
  }
  std::vector<float> texture =
      FbmField(w, h, Hash64(StreamSeed(options.seed, Stream::kNoiseFields), 0x5331),  // "S1"
               FbmParams{32.0, 2, 0.5});
  Standardize(&texture);

  const std::vector<ClassSignature>& signatures = ClassSignatures();
  Rng rng(options.seed, Stream::kS1);
  const UnitMeanGamma speckle(options.s1_enl);
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      const size_t i = static_cast<size_t>(y * w + x);
      const uint8_t c = lc.class_id[i];
      const ClassSignature& sig = signatures[c];
      const double dtheta = delta_theta[static_cast<size_t>(x)];
      double vv_db, vh_db;
      if (lc.material[i] == static_cast<uint8_t>(Material::kStreet)) {
        vv_db = kStreetVvDb + kStreetSlopeDbPerDeg * dtheta;
        vh_db = kStreetVhDb + kStreetSlopeDbPerDeg * dtheta;
      } else {
        const double trend = sig.s1_incidence_slope_db_per_deg * dtheta;
        const double tex = kVariations[c].texture_db * texture[i];
        vv_db = sig.s1_vv_db + trend + tex;
        vh_db = sig.s1_vh_db + trend + tex;
        const uint32_t key = lc.field_key[i];
        if (key != 0 && kVariations[c].field_std_db > 0.0f) {
          const uint64_t hk = Hash64(key, options.seed, 0x5331);
          const double z1 = HashToApproxNormal(Hash64(hk, 1));
          const double z2 = HashToApproxNormal(Hash64(hk, 2));
          vv_db += kVariations[c].field_std_db * z1;
          vh_db += kVariations[c].field_std_db * (0.8 * z1 + 0.6 * z2);
        }
      }
      // 10 log10(10^(σ0_dB / 10) · G) = σ0_dB + 10 log10(G): one log, no exp.
      const double vv_speckle = speckle.Sample(rng);
      const double vh_speckle = speckle.Sample(rng);
      (*vv)[i] = static_cast<float>(std::max(kMinDb, vv_db + kNeperToDb * std::log(vv_speckle)));
      (*vh)[i] = static_cast<float>(std::max(kMinDb, vh_db + kNeperToDb * std::log(vh_speckle)));
    }
  }
}

}  // namespace mosaic::synth
