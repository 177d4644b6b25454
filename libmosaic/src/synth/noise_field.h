// Smooth random fields (multi-octave value noise) and quantile thresholds.
// They give the land cover, textures and clouds spatial structure: blobs a few
// hundred metres across with wiggly edges, never pixel noise.
#ifndef MOSAIC_SYNTH_NOISE_FIELD_H_
#define MOSAIC_SYNTH_NOISE_FIELD_H_

#include <cstdint>
#include <vector>

namespace mosaic::synth {

struct FbmParams {
  double cell_px = 64.0;     // lattice spacing of the coarsest octave (feature size)
  int octaves = 4;           // each further octave halves the spacing (stops at 2 px)
  double persistence = 0.5;  // amplitude ratio between successive octaves
};

// Fractal value noise on a width x height pixel grid, row-major, values in
// [0, 1] (concentrated around 0.5). Bilinear interpolation with a smoothstep
// fade between lattice values drawn from Hash64(seed, octave, ix, iy).
std::vector<float> FbmField(int64_t width, int64_t height, uint64_t seed, const FbmParams& params);

// The same noise along a line (coastlines, river widths).
std::vector<float> Fbm1D(int64_t length, uint64_t seed, const FbmParams& params);

// Rescales a field in place to mean 0 and standard deviation 1 (a constant
// field becomes all zeros).
void Standardize(std::vector<float>* field);

// A threshold t such that about `fraction_above` of the values (of those with
// mask[i] != 0 when a mask is given) satisfy value > t. Uses a 4096-bin
// histogram, so the achieved fraction is within a fraction of a percent.
// fraction_above <= 0 gives a t above every value, >= 1 one below every value.
float ThresholdAbove(const std::vector<float>& field, double fraction_above,
                     const std::vector<uint8_t>* mask = nullptr);

}  // namespace mosaic::synth

#endif  // MOSAIC_SYNTH_NOISE_FIELD_H_
