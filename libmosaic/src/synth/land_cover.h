// The land-cover map of a synthetic scene: which class each 10 m pixel is,
// which field / block / stand it belongs to (for per-parcel variation), and
// whether it is a street.
#ifndef MOSAIC_SYNTH_LAND_COVER_H_
#define MOSAIC_SYNTH_LAND_COVER_H_

#include <cstdint>
#include <vector>

#include "synth/class_ids.h"

namespace mosaic::synth {

enum class Material : uint8_t {
  kSurface = 0,  // the class's own surface
  kStreet = 1,   // asphalt between urban blocks (still labelled with the block's class)
};

struct LandCover {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> class_id;    // [height * width] canonical ClassId
  std::vector<uint32_t> field_key;  // [height * width] parcel / block id, 0 = none
  std::vector<uint8_t> material;    // [height * width] Material
};

// Draws a land-cover map with spatial structure: agricultural parcels split
// into fields, forest and natural-vegetation stands from thresholded noise
// (with transitional-woodland patches), towns of street blocks, an optional
// sea with beach and coastal wetlands, rivers and lakes with wetland fringes.
// Only classes with available[c] appear. REQUIRES: some class is available.
// always_draw_structures: the sea, a town, a river and a lake are drawn
// whenever their classes are available (otherwise each is a random draw).
LandCover GenerateLandCover(int64_t width, int64_t height, uint64_t seed,
                            const ClassMask& available, bool always_draw_structures);

}  // namespace mosaic::synth

#endif  // MOSAIC_SYNTH_LAND_COVER_H_
