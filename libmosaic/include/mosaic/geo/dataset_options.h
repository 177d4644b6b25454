// Options shared by the dataset readers of the geo layer (BigEarthNet v1,
// BigEarthNet v2.0 / reBEN, SEN12MS, generic CSV); see docs/datasets.md.
// A plain struct: every field has a default, fields that only one reader uses
// are grouped under that reader and ignored by the others.
#ifndef MOSAIC_GEO_DATASET_OPTIONS_H_
#define MOSAIC_GEO_DATASET_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/bands.h"
#include "mosaic/geo/raster.h"

namespace mosaic::geo {

// A text file listing the patch ids of one split, one per line (the first
// comma-separated field of each non-empty line is the id; ids that are not in
// the dataset are ignored, so a header line is harmless).
struct SplitFile {
  std::string split;  // "train", "validation", "test", ...
  std::string path;
};

struct DatasetOptions {
  // --- What to read -------------------------------------------------------
  // Modalities to deliver. A disabled modality yields empty band lists and
  // pixel buffers; at least one must be enabled.
  bool read_s1 = true;
  bool read_s2 = true;
  // Bands in channel order (names of mosaic/bands.h).
  std::vector<std::string> s1_bands = ModalityBands(Modality::kS1);  // VV VH
  std::vector<std::string> s2_bands = ModalityBands(Modality::kS2);  // the 12 L2A bands

  // --- Resampling onto the 10 m patch grid ----------------------------------
  // For S2 bands stored coarser than the patch grid (20 m, 60 m).
  Resampling s2_resampling = Resampling::kBilinear;
  // For S1 rasters whose size differs from the patch grid (rare).
  Resampling s1_resampling = Resampling::kBilinear;
  // The S1 source holds linear power σ0 instead of dB: convert with
  // 10·log10(value); values <= 0 become invalid.
  bool s1_linear_power = false;

  // --- Invalid values ---------------------------------------------------------
  // Values that are nodata, NaN or ±Inf in the source are replaced by the
  // band's fill value and counted in PatchSample::invalid_values. Empty means
  // the band's DefaultNormalization() mean, i.e. 0 after normalisation.
  // Otherwise one value per band of s1_bands / s2_bands.
  std::vector<float> s1_fill_values;
  std::vector<float> s2_fill_values;

  // --- Splits (BigEarthNet v1, SEN12MS) --------------------------------------
  // Patch id lists per split. Empty: the readers look for BigEarthNet's
  // train.csv, val.csv ("validation") and test.csv in the dataset root.
  // Patches listed nowhere get split "".
  std::vector<SplitFile> split_files;

  // --- BigEarthNet v1 ---------------------------------------------------------
  // Folders of S2 and S1 patch folders. Empty: auto-detected in the root
  // ("BigEarthNet-S2*" or "BigEarthNet-v1*", and "BigEarthNet-S1*").
  std::string bigearthnet_s2_dir;
  std::string bigearthnet_s1_dir;

  // --- BigEarthNet v2.0 (reBEN) -------------------------------------------------
  // Metadata table. Empty: <root>/metadata.parquet when GDAL has the Parquet
  // driver and the file exists, else <root>/metadata.csv.
  std::string metadata_path;
  // Derive labels from Reference_Maps (CLC codes) instead of the metadata's
  // label column; a class counts when it covers more than this fraction of the
  // patch (0 = any pixel). Reads every reference map when the dataset opens.
  bool labels_from_reference_maps = false;
  double reference_map_min_fraction = 0.0;
  // Skip patches whose metadata flags seasonal snow or cloud/shadow.
  bool exclude_snow_cloud_shadow = false;

  // --- SEN12MS ---------------------------------------------------------------
  // A simplified-IGBP class is a label when it covers at least this fraction
  // of the patch's valid land-cover pixels. Land cover is read when the
  // dataset opens.
  double sen12ms_min_label_fraction = 0.1;

  // --- Generic CSV -------------------------------------------------------------
  // Classes the labels index. Empty: the sorted union of all labels in the CSV.
  std::vector<std::string> class_names;
  // Band names of the S2 / S1 files in file order, used when a file's bands
  // carry no band-name descriptions. Empty: the 12 L2A bands / VV VH.
  std::vector<std::string> csv_s2_file_bands;
  std::vector<std::string> csv_s1_file_bands;
  // Patch side in pixels. 0: the size of the first row's S2 (else S1) raster.
  int64_t csv_patch_size_px = 0;
};

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_DATASET_OPTIONS_H_
