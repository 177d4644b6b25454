// Writing a synthetic scene as a patch dataset in the exact on-disk layouts of
// BigEarthNet v1.0 and BigEarthNet v2.0 (reBEN), so that the readers of
// mosaic/geo/datasets.h can be proven on data whose truth is known.
//
// The scene is cut into 120 x 120 px (1.2 km) patches from its upper-left
// corner (a remainder narrower than a patch is dropped). Labels of a patch are
// synth::WindowLabels(scene, x0, y0, 120, label_min_fraction); the scene's
// class names must be BigEarthNet-19 names. v2.0 metadata lists those names;
// v1 JSON files list, for each, its Representative43Class() (class_codes.h),
// which the v1 reader maps back. Splits are assigned deterministically: patches
// are ordered by a hash of (split_seed, column, row) and the first
// train_fraction of them (rounded) are "train", the next validation_fraction
// "validation", the rest "test".
//
// Output is all-or-nothing (staging folder renamed at the end); `output_dir`
// must not exist. Thread-safe for different output folders.
#ifndef MOSAIC_GEO_BIGEARTHNET_WRITER_H_
#define MOSAIC_GEO_BIGEARTHNET_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/geo/scene_writer.h"
#include "mosaic/status.h"
#include "mosaic/synth/scene_generator.h"

namespace mosaic::geo {

struct BigEarthNetWriteOptions {
  GeoReference georef;  // where the scene lies (patch coordinates, CRS)
  double label_min_fraction = 0.01;
  double train_fraction = 0.6;
  double validation_fraction = 0.2;
  uint64_t split_seed = 0;
  // Name parts (see docs/datasets.md for how names are formed).
  std::string s2_product = "S2A_MSIL2A_20170613T101031";  // v1 S2 patch-name prefix
  std::string s2_product_v2 = "S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP";  // v2 product
  std::string s1_product = "S1A_IW_GRDH_1SDV_20170613T165043";
  std::string tile = "33UUP";
  std::string country = "Synthetic";  // v2 metadata "country"
  // v2: also write metadata.parquet when this GDAL has the Parquet driver.
  bool write_parquet = true;
};

// The truth about one written patch.
struct WrittenPatch {
  std::string id;         // v1: S2 patch name; v2: patch_id
  std::string s1_name;    // S1 patch name
  std::string s2v1_name;  // v1 S2 patch name (equals id for v1)
  int64_t x0_px = 0;      // upper-left pixel in the scene's 10 m grid
  int64_t y0_px = 0;
  std::vector<std::string> labels19;      // BigEarthNet-19 names, in that nomenclature's order
  std::vector<std::string> labels43;      // v1 JSON names (one per labels19 entry)
  std::string split;                      // "train", "validation" or "test"
  bool contains_cloud_or_shadow = false;  // any cloud/shadow pixel in the scene's mask
};

struct WrittenDataset {
  std::string root;
  std::vector<WrittenPatch> patches;  // in raster order (row by row)
  bool wrote_parquet = false;
};

// BigEarthNet v1.0 layout under output_dir:
//   BigEarthNet-v1.0/<s2>/<s2>_B01.tif ... _B12.tif, _B8A.tif, <s2>_labels_metadata.json
//   BigEarthNet-S1-v1.0/<s1>/<s1>_VV.tif, _VH.tif, <s1>_labels_metadata.json
//   train.csv, val.csv, test.csv (S2 patch names, one per line)
// S2 band files are UInt16 at native resolution (120/60/20 px), S1 Float32 dB
// 120 px, uncompressed striped GeoTIFFs like the originals. JSON keys and their
// order follow the real files, including the S1 files' "lly" key.
MOSAIC_EXPORT StatusOr<WrittenDataset> WriteBigEarthNetV1(const synth::SyntheticScene& scene,
                                                          const std::string& output_dir,
                                                          const BigEarthNetWriteOptions& options);

// BigEarthNet v2.0 layout under output_dir:
//   BigEarthNet-S2/<product>/<patch_id>/<patch_id>_<band>.tif
//   BigEarthNet-S1/<s1 product>/<s1_name>/<s1_name>_VV.tif, _VH.tif
//   Reference_Maps/<product>/<patch_id>/<patch_id>_reference_map.tif (UInt16 CLC codes)
//   metadata.csv (labels as JSON arrays), metadata.parquet (see write_parquet)
MOSAIC_EXPORT StatusOr<WrittenDataset> WriteBigEarthNetV2(const synth::SyntheticScene& scene,
                                                          const std::string& output_dir,
                                                          const BigEarthNetWriteOptions& options);

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_BIGEARTHNET_WRITER_H_
