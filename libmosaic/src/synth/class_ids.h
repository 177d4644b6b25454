// Canonical class ids of the generator: indexes into BigEarthNet19Classes()
// and ClassSignatures(). Scenes map them to the caller's class order at the end.
#ifndef MOSAIC_SYNTH_CLASS_IDS_H_
#define MOSAIC_SYNTH_CLASS_IDS_H_

#include <array>
#include <cstdint>

namespace mosaic::synth {

enum ClassId : uint8_t {
  kUrbanFabric = 0,
  kIndustrial = 1,
  kArable = 2,
  kPermanentCrops = 3,
  kPastures = 4,
  kComplexCultivation = 5,
  kAgriWithNatural = 6,  // "Land principally occupied by agriculture, with ..."
  kAgroForestry = 7,
  kBroadLeaved = 8,
  kConiferous = 9,
  kMixedForest = 10,
  kNaturalGrassland = 11,
  kMoors = 12,
  kTransitionalWoodland = 13,
  kBeaches = 14,
  kInlandWetlands = 15,
  kCoastalWetlands = 16,
  kInlandWaters = 17,
  kMarineWaters = 18,
};

inline constexpr int kNumClasses = 19;

// Which classes a scene may draw.
using ClassMask = std::array<bool, kNumClasses>;

}  // namespace mosaic::synth

#endif  // MOSAIC_SYNTH_CLASS_IDS_H_
