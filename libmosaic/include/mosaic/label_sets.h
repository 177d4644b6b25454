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

// SEN12MS simplified IGBP scheme (10 classes), in its standard order.
MOSAIC_EXPORT const std::vector<std::string>& Sen12msIgbp10Classes();

// "bigearthnet19" or "sen12ms-igbp10"; NotFound otherwise, naming the valid sets.
MOSAIC_EXPORT StatusOr<std::vector<std::string>> LabelSet(const std::string& name);

}  // namespace mosaic

#endif  // MOSAIC_LABEL_SETS_H_
