// Named class nomenclatures a model can be trained on. Torch-free.
#ifndef MOSAIC_LABEL_SETS_H_
#define MOSAIC_LABEL_SETS_H_

#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic {

// The 19-class BigEarthNet nomenclature (Sumbul et al., 2020), in its standard order.
MOSAIC_EXPORT const std::vector<std::string>& BigEarthNet19Classes();

// The 43 CORINE Land Cover level-3 classes of BigEarthNet v1, in their standard order.
MOSAIC_EXPORT const std::vector<std::string>& BigEarthNet43Classes();

// Maps a BigEarthNet-43 class name to its index in BigEarthNet19Classes(), or
// -1 for the classes the 19-class nomenclature drops (road/rail, port, airport,
// mineral extraction, dump, construction, green urban, sport/leisure, bare
// rock, burnt areas, intertidal flats). NotFound for a name that is not one of
// the 43 classes.
MOSAIC_EXPORT StatusOr<int> MapBigEarthNet43To19(const std::string& name);

// SEN12MS simplified IGBP scheme (10 classes), in its standard order.
MOSAIC_EXPORT const std::vector<std::string>& Sen12msIgbp10Classes();

// "bigearthnet19" or "sen12ms-igbp10"; NotFound otherwise, naming the valid sets.
MOSAIC_EXPORT StatusOr<std::vector<std::string>> LabelSet(const std::string& name);

}  // namespace mosaic

#endif  // MOSAIC_LABEL_SETS_H_
