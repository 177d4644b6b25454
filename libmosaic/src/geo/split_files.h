// Split lists (BigEarthNet's train.csv / val.csv / test.csv and the like).
#ifndef MOSAIC_GEO_SPLIT_FILES_H_
#define MOSAIC_GEO_SPLIT_FILES_H_

#include <map>
#include <string>

#include "mosaic/geo/dataset_options.h"
#include "mosaic/status.h"

namespace mosaic::geo::internal {

// Reads options.split_files, or when that is empty the files train.csv,
// val.csv ("validation") and test.csv that exist in `root`, into id -> split.
// NotFound / Corruption name the file; an id listed in two splits is Corruption.
StatusOr<std::map<std::string, std::string>> LoadSplitFiles(const DatasetOptions& options,
                                                            const std::string& root);

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_SPLIT_FILES_H_
