// Opening patch datasets stored on disk as PatchDatasets (GDAL-backed).
//
// Every reader scans the dataset's metadata when it opens (folder listings,
// label files, metadata tables) and reads pixels only in Read(). The returned
// dataset is immutable and thread-safe as PatchDataset requires: Read() opens
// its own GDAL handles on every call. Every band is delivered on the 10 m patch
// grid (BigEarthNet 120 x 120, SEN12MS 256 x 256, CSV as configured); S1 in
// dB, S2 in L2A reflectance x 10000, as float32. Layouts, options and label
// derivation are documented in docs/datasets.md.
//
// Errors are one Status whose message names the file or folder at fault and
// what was expected: NotFound (missing folder, band file, metadata column),
// Corruption (unparsable JSON/CSV/TIFF, wrong raster size), InvalidArgument
// (bad options, unknown class name, empty dataset).
#ifndef MOSAIC_GEO_DATASETS_H_
#define MOSAIC_GEO_DATASETS_H_

#include <memory>
#include <string>
#include <vector>

#include "mosaic/data/patch_dataset.h"
#include "mosaic/export.h"
#include "mosaic/geo/dataset_options.h"
#include "mosaic/status.h"

namespace mosaic::geo {

// BigEarthNet v1.0: `root` holds an S2 folder (BigEarthNet-v1.0 or
// BigEarthNet-S2*) and/or an S1 folder (BigEarthNet-S1*) of patch folders
// <patch>/<patch>_<band>.tif + <patch>_labels_metadata.json. S1 patches are
// paired with S2 patches through `corresponding_s2_patch`. Records are sorted
// by S2 patch name (the record id); labels are the 19 BigEarthNet classes
// mapped from the 43 CORINE names.
MOSAIC_EXPORT StatusOr<std::unique_ptr<data::PatchDataset>> OpenBigEarthNetV1(
    const std::string& root, const DatasetOptions& options);

// BigEarthNet v2.0 (reBEN): `root` holds BigEarthNet-S2/, BigEarthNet-S1/,
// optionally Reference_Maps/, and metadata.parquet or metadata.csv. Records
// follow the metadata's row order; ids are patch_id; labels are the 19 classes.
MOSAIC_EXPORT StatusOr<std::unique_ptr<data::PatchDataset>> OpenBigEarthNetV2(
    const std::string& root, const DatasetOptions& options);

// SEN12MS: `root` holds ROIs<year>_<season>/{s1,s2,lc}_<scene>/ folders of
// 256 x 256 patches. Labels are the 10 simplified IGBP classes derived from
// the land-cover patches. Record ids are "ROIs<year>_<season>_<scene>_p<n>".
MOSAIC_EXPORT StatusOr<std::unique_ptr<data::PatchDataset>> OpenSen12ms(
    const std::string& root, const DatasetOptions& options);

// A CSV file with columns s1_path, s2_path, labels (';'-separated class
// names) and split (optional: id). Relative paths are resolved against the
// CSV's folder.
MOSAIC_EXPORT StatusOr<std::unique_ptr<data::PatchDataset>> OpenCsvDataset(
    const std::string& csv_path, const DatasetOptions& options);

enum class DatasetKind { kBigEarthNetV1, kBigEarthNetV2, kSen12ms, kCsv };

// "bigearthnet-v1", "bigearthnet-v2", "sen12ms", "csv".
MOSAIC_EXPORT const char* DatasetKindName(DatasetKind kind);
MOSAIC_EXPORT std::vector<std::string> DatasetKindNames();

// Guesses the layout at `path`: a .csv file => csv; a folder with
// metadata.parquet/metadata.csv and BigEarthNet-S2 or BigEarthNet-S1 =>
// bigearthnet-v2; a folder with a BigEarthNet-S1*/-S2*/-v1* folder =>
// bigearthnet-v1; a folder with ROIs* folders => sen12ms. InvalidArgument
// naming the path otherwise.
MOSAIC_EXPORT StatusOr<DatasetKind> DetectDatasetKind(const std::string& path);

// Opens "<kind>:<path>" (kind as DatasetKindName) or a bare "<path>" whose
// kind is detected. For the CLI and front ends.
MOSAIC_EXPORT StatusOr<std::unique_ptr<data::PatchDataset>> OpenDataset(
    const std::string& spec, const DatasetOptions& options);

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_DATASETS_H_
