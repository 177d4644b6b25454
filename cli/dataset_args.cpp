#include "dataset_args.h"

#include "mosaic/bundle_format.h"
#include "mosaic/geo/datasets.h"

namespace mosaic::cli {

StatusOr<std::shared_ptr<const data::PatchDataset>> OpenDatasetForModel(const std::string& bundle,
                                                                        const std::string& spec) {
  StatusOr<ModelManifest> manifest = ReadBundleManifest(bundle);
  if (!manifest.ok()) return manifest.status();
  geo::DatasetOptions options;
  options.read_s1 = manifest->s1.present();
  options.read_s2 = manifest->s2.present();
  if (options.read_s1) options.s1_bands = manifest->s1.bands;
  if (options.read_s2) options.s2_bands = manifest->s2.bands;
  StatusOr<std::unique_ptr<data::PatchDataset>> dataset = geo::OpenDataset(spec, options);
  if (!dataset.ok()) return dataset.status();
  return std::shared_ptr<const data::PatchDataset>(std::move(*dataset));
}

}  // namespace mosaic::cli
