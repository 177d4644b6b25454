// Sentinel-2 L2A rendering: per-class spectra with within-class variation,
// each band at its native resolution, optionally under clouds.
#ifndef MOSAIC_SYNTH_S2_SPECTRA_H_
#define MOSAIC_SYNTH_S2_SPECTRA_H_

#include <cstdint>
#include <vector>

#include "mosaic/synth/scene_generator.h"
#include "synth/clouds.h"
#include "synth/land_cover.h"

namespace mosaic::synth {

// The 12 bands B01..B12 (no B10) in BigEarthNet order. 10 m bands are drawn per
// pixel; 20 m and 60 m bands are the mean of the noise-free 10 m signal over
// their 2x2 / 6x6 block, plus noise. REQUIRES: width and height multiples of 6.
std::vector<S2Band> RenderS2(const LandCover& land_cover, const CloudLayer& clouds, uint64_t seed);

}  // namespace mosaic::synth

#endif  // MOSAIC_SYNTH_S2_SPECTRA_H_
