// BigEarthNet naming conventions shared by the readers and the writers.
//
// Patch names end in "_<h>_<v>": the patch's column (h, from the left, x) and
// row (v, from the top, y) in 1.2 km steps inside its Sentinel-2 tile, e.g.
// S2A_MSIL2A_20170613T101031_87_48 has ulx = tile x0 + 87 * 1200 m (checked on
// the real example, tile 33UUP: 300000 + 87 * 1200 = 404400).
//   v1 S2   <S2 product>_<h>_<v>                 S2A_MSIL2A_20170613T101031_87_48
//   v1 S1   <S1 product>_<tile>_<h>_<v>          S1A_IW_GRDH_1SDV_20170613T165043_33UUP_87_48
//   v2 S2   <S2 product v2>_<h>_<v>              S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_26_57
//   v2 S1   same as v1 S1; the v2 S1 product folder is the name minus "_<tile>_<h>_<v>".
#ifndef MOSAIC_GEO_BIGEARTHNET_NAMES_H_
#define MOSAIC_GEO_BIGEARTHNET_NAMES_H_

#include <cstdint>
#include <string>

#include "mosaic/status.h"

namespace mosaic::geo::internal {

// `name` without its last `trailing_fields` '_'-separated fields, e.g.
// ProductOfPatchName("S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_26_57", 2)
// = "S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP". InvalidArgument if the
// name has too few fields.
StatusOr<std::string> ProductOfPatchName(const std::string& name, int trailing_fields);

// "<prefix>_<h>_<v>".
std::string PatchName(const std::string& prefix, int64_t h, int64_t v);

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_BIGEARTHNET_NAMES_H_
