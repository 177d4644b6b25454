// Raster class codes of the supported datasets and how they map to the label
// sets of mosaic/label_sets.h. Pure tables: GDAL-free, torch-free, thread-safe.
#ifndef MOSAIC_GEO_CLASS_CODES_H_
#define MOSAIC_GEO_CLASS_CODES_H_

#include <string>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::geo {

// CORINE Land Cover level-3 code (111 ... 523) of a BigEarthNet-43 class name;
// NotFound for other names.
MOSAIC_EXPORT StatusOr<int> ClcCodeOf43Class(const std::string& name);

// The BigEarthNet-43 class name of a CLC code, or NotFound (e.g. 335 glaciers,
// 999 no data: codes that BigEarthNet does not use).
MOSAIC_EXPORT StatusOr<std::string> BigEarthNet43ClassOfClcCode(int code);

// Index in BigEarthNet19Classes() of a CLC code; -1 for the codes that the
// 19-class nomenclature drops; NotFound for codes outside the 43 classes.
MOSAIC_EXPORT StatusOr<int> BigEarthNet19IndexOfClcCode(int code);

// The BigEarthNet-43 class the synthetic-data writers use to stand for a
// BigEarthNet-19 class (e.g. "Arable land" -> "Non-irrigated arable land");
// MapBigEarthNet43To19 maps it back. NotFound for names outside the 19 classes.
MOSAIC_EXPORT StatusOr<std::string> Representative43Class(const std::string& name19);

// Index in Sen12msIgbp10Classes() of an IGBP land-cover code (1..17), using the
// standard SEN12MS / DFC2020 simplification: 1-5 forest, 6-7 shrubland, 8-9
// savanna, 10 grassland, 11 wetlands, 12 and 14 croplands, 13 urban, 15
// snow/ice, 16 barren, 17 water. -1 for codes outside 1..17 (no data).
MOSAIC_EXPORT int Sen12msIgbp10IndexOfIgbpCode(int igbp_code);

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_CLASS_CODES_H_
