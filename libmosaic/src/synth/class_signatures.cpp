#include "mosaic/synth/class_signatures.h"

#include "mosaic/label_sets.h"
#include "mosaic/synth/scene_generator.h"

namespace mosaic::synth {

// Values are typical of summer Sentinel-2 L2A and Sentinel-1 IW GRD over
// Europe (the BigEarthNet setting), rounded; docs/synthetic-data.md explains them.
const std::vector<ClassSignature>& ClassSignatures() {
  static const std::vector<ClassSignature> kSignatures = [] {
    const std::vector<std::string>& names = BigEarthNet19Classes();
    // clang-format off
    //   B01    B02    B03    B04    B05    B06    B07    B08    B8A    B09    B11    B12      VV     VH   slope
    const struct { std::array<double, kNumS2Bands> s2; double vv, vh, slope; } kTable[] = {
      // Urban fabric: roofs, paving and gardens; bright, flat; double bounce.
      {{0.075, 0.080, 0.092, 0.098, 0.118, 0.150, 0.170, 0.188, 0.196, 0.180, 0.205, 0.175},   1.5,  -9.0, -0.10},
      // Industrial or commercial units: large bright roofs, flat spectrum.
      {{0.115, 0.125, 0.135, 0.145, 0.155, 0.165, 0.175, 0.185, 0.190, 0.178, 0.215, 0.195},   3.0,  -9.5, -0.10},
      // Arable land: midway between green crops and bare soil (fields vary between them).
      {{0.0425, 0.050, 0.080, 0.0825, 0.120, 0.220, 0.265, 0.290, 0.300, 0.275, 0.250, 0.170}, -12.0, -19.0, -0.15},
      // Permanent crops: orchard and vine rows over soil or grass.
      {{0.040, 0.048, 0.075, 0.072, 0.115, 0.210, 0.250, 0.270, 0.280, 0.255, 0.245, 0.160}, -10.0, -16.0, -0.12},
      // Pastures: dense grass (S2 twin of natural grassland; moist, brighter in S1).
      {{0.030, 0.035, 0.070, 0.045, 0.105, 0.250, 0.300, 0.320, 0.330, 0.300, 0.225, 0.125}, -10.5, -17.0, -0.13},
      // Complex cultivation patterns: small fields of crops, soil and grass.
      {{0.038, 0.045, 0.075, 0.068, 0.112, 0.232, 0.278, 0.300, 0.310, 0.284, 0.240, 0.152}, -11.0, -17.5, -0.14},
      // Land principally occupied by agriculture, with natural vegetation.
      {{0.032, 0.038, 0.066, 0.055, 0.098, 0.226, 0.276, 0.298, 0.308, 0.282, 0.215, 0.125}, -10.0, -15.5, -0.12},
      // Agro-forestry: scattered trees over dry grass.
      {{0.040, 0.045, 0.068, 0.072, 0.108, 0.190, 0.225, 0.245, 0.255, 0.235, 0.255, 0.175},  -9.5, -15.0, -0.11},
      // Broad-leaved forest: strongest red edge and NIR plateau.
      {{0.022, 0.028, 0.055, 0.030, 0.085, 0.260, 0.340, 0.370, 0.380, 0.345, 0.185, 0.085},  -7.0, -12.5, -0.07},
      // Coniferous forest: dark canopy, low NIR (S1 twin of mixed forest).
      {{0.018, 0.021, 0.038, 0.022, 0.058, 0.155, 0.200, 0.220, 0.230, 0.210, 0.110, 0.050},  -7.6, -13.2, -0.07},
      // Mixed forest: between the two in S2; C-band volume scattering saturates.
      {{0.020, 0.025, 0.047, 0.026, 0.071, 0.205, 0.265, 0.290, 0.300, 0.275, 0.145, 0.066},  -7.5, -13.1, -0.07},
      // Natural grassland and sparsely vegetated areas: pastures' spectrum; dry, thin soils.
      {{0.030, 0.035, 0.070, 0.045, 0.105, 0.250, 0.300, 0.320, 0.330, 0.300, 0.225, 0.125}, -14.0, -21.5, -0.15},
      // Moors, heathland and sclerophyllous vegetation: dark dwarf shrubs.
      {{0.028, 0.032, 0.050, 0.045, 0.075, 0.150, 0.185, 0.205, 0.215, 0.195, 0.165, 0.095}, -12.5, -19.0, -0.13},
      // Transitional woodland, shrub.
      {{0.030, 0.035, 0.060, 0.045, 0.090, 0.200, 0.250, 0.270, 0.280, 0.255, 0.200, 0.105},  -8.8, -14.5, -0.09},
      // Beaches, dunes, sands: bright, rising into the SWIR; smooth and dry in S1.
      {{0.160, 0.180, 0.230, 0.280, 0.300, 0.320, 0.330, 0.340, 0.350, 0.340, 0.420, 0.350}, -16.0, -24.0, -0.18},
      // Inland wetlands: moors' spectrum; standing water adds double bounce in VV.
      {{0.028, 0.032, 0.050, 0.045, 0.075, 0.150, 0.185, 0.205, 0.215, 0.195, 0.165, 0.095},  -8.0, -18.0, -0.10},
      // Coastal wetlands: salt marsh, sparse and wet.
      {{0.045, 0.050, 0.065, 0.060, 0.085, 0.140, 0.165, 0.180, 0.185, 0.170, 0.140, 0.085},  -9.5, -18.5, -0.12},
      // Inland waters: turbid, greenish; specular (S1 twin of marine waters).
      {{0.045, 0.040, 0.055, 0.035, 0.030, 0.020, 0.018, 0.015, 0.013, 0.010, 0.006, 0.004}, -22.0, -27.5, -0.25},
      // Marine waters: clear, blue, darkest beyond the green band.
      {{0.055, 0.050, 0.038, 0.016, 0.012, 0.008, 0.007, 0.006, 0.005, 0.004, 0.003, 0.002}, -22.0, -27.5, -0.25},
    };
    // clang-format on
    std::vector<ClassSignature> out;
    for (size_t i = 0; i < names.size(); ++i) {
      out.push_back({names[i], kTable[i].s2, kTable[i].vv, kTable[i].vh, kTable[i].slope});
    }
    return out;
  }();
  return kSignatures;
}

StatusOr<ClassSignature> FindClassSignature(const std::string& class_name) {
  for (const ClassSignature& signature : ClassSignatures()) {
    if (signature.name == class_name) return signature;
  }
  return Status::NotFound("'" + class_name + "' is not a BigEarthNet-19 class");
}

const std::vector<ConfusablePair>& ConfusablePairs() {
  static const std::vector<ConfusablePair> kPairs = {
      {"Pastures", "Natural grassland and sparsely vegetated areas", Modality::kS2,
       "the same closed grass canopy in optical; pastures grow on moister, denser swards, so "
       "C-band backscatter is 3.5-4.5 dB higher than over dry, thin natural grassland soils"},
      {"Moors, heathland and sclerophyllous vegetation", "Inland wetlands", Modality::kS2,
       "heath and bog share dwarf-shrub and moss cover; standing water under wetland "
       "vegetation adds double bounce, raising VV by about 4.5 dB"},
      {"Coniferous forest", "Mixed forest", Modality::kS1,
       "C-band volume scattering saturates over closed canopies, giving the same VV and VH; "
       "broad leaves in mixed stands raise red-edge and NIR reflectance by about 30 %"},
      {"Inland waters", "Marine waters", Modality::kS1,
       "both are specular, far below land in VV and VH; optically inland water is greener and "
       "more turbid (chlorophyll, sediment), the sea bluer and darker in red and NIR"},
  };
  return kPairs;
}

double IncidenceAngleDeg(const SynthOptions& options, double column) {
  const double width = options.width_px > 0 ? static_cast<double>(options.width_px) : 1.0;
  return options.incidence_near_deg +
         (options.incidence_far_deg - options.incidence_near_deg) * (column + 0.5) / width;
}

}  // namespace mosaic::synth
