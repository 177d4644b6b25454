// Sentinel-1 σ0 rendering: per-class backscatter, incidence-angle trend,
// per-field and texture variation, and multiplicative gamma speckle.
#ifndef MOSAIC_SYNTH_S1_BACKSCATTER_H_
#define MOSAIC_SYNTH_S1_BACKSCATTER_H_

#include <cstdint>
#include <vector>

#include "mosaic/synth/scene_generator.h"
#include "synth/land_cover.h"

namespace mosaic::synth {

// Fills vv and vh ([height * width], σ0 in dB) for the land cover. Per pixel:
//   σ0_dB = class σ0 + slope · (θ(column) − 37.5°) + field offset + texture
//   σ0    = 10^(σ0_dB / 10) · G,  G ~ Gamma(shape = ENL, mean 1)
// and the output is 10 · log10(σ0). Uses only Stream::kS1 and its own noise
// fields, so clouds or other S2 settings never change it.
void RenderS1(const LandCover& land_cover, const SynthOptions& options, std::vector<float>* vv,
              std::vector<float>* vh);

}  // namespace mosaic::synth

#endif  // MOSAIC_SYNTH_S1_BACKSCATTER_H_
