// Opening the dataset a command works on (geo layer; GDAL builds only).
#ifndef MOSAIC_CLI_DATASET_ARGS_H_
#define MOSAIC_CLI_DATASET_ARGS_H_

#include <memory>
#include <string>

#include "mosaic/data/patch_dataset.h"
#include "mosaic/status.h"

namespace mosaic::cli {

// Opens `spec` ("[kind:]path") reading exactly the modalities and bands the
// model in `bundle` takes, in its order.
StatusOr<std::shared_ptr<const data::PatchDataset>> OpenDatasetForModel(const std::string& bundle,
                                                                        const std::string& spec);

}  // namespace mosaic::cli

#endif  // MOSAIC_CLI_DATASET_ARGS_H_
