// BigEarthNet v2.0 (reBEN) reader (layout: docs/datasets.md, "BigEarthNet v2.0").
#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "geo/bigearthnet_names.h"
#include "geo/file_util.h"
#include "geo/raster_patch_dataset.h"
#include "geo/table.h"
#include "mosaic/geo/class_codes.h"
#include "mosaic/geo/datasets.h"
#include "mosaic/label_sets.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;
using internal::BandSource;
using internal::PatchSources;

constexpr int64_t kPatchSizePx = 120;

StatusOr<std::string> FindMetadata(const std::string& root, const DatasetOptions& options) {
  std::error_code ec;
  if (!options.metadata_path.empty()) {
    const std::string path = internal::ResolvePath(root, options.metadata_path);
    if (!fs::is_regular_file(path, ec)) {
      return Status::NotFound(path + ": no such metadata file (metadata_path)");
    }
    return path;
  }
  const std::string parquet = (fs::path(root) / "metadata.parquet").string();
  const std::string csv = (fs::path(root) / "metadata.csv").string();
  const bool has_parquet_driver = HasGdalDriver("Parquet");
  if (has_parquet_driver && fs::is_regular_file(parquet, ec)) return parquet;
  if (fs::is_regular_file(csv, ec)) return csv;
  if (fs::is_regular_file(parquet, ec)) {
    return Status::Unsupported(parquet +
                               ": this GDAL has no Parquet driver; convert it to metadata.csv "
                               "(see docs/datasets.md) or use GDAL >= 3.8 built with Arrow");
  }
  return Status::NotFound(root + ": no metadata.csv" +
                          (has_parquet_driver ? " or metadata.parquet" : "") +
                          " (expected the BigEarthNet v2.0 metadata table)");
}

StatusOr<internal::Table> ReadMetadata(const std::string& path) {
  if (internal::EndsWith(path, ".csv") || internal::EndsWith(path, ".CSV")) {
    return internal::ReadCsvTable(path);
  }
  return internal::ReadOgrTable(path);
}

// Labels from a reference map of CLC codes: a class counts when it covers
// more than `min_fraction` of the pixels (any pixel when 0). Codes outside the
// 43 BigEarthNet classes (e.g. no data) are ignored.
StatusOr<std::vector<uint8_t>> ReferenceMapLabels(const std::string& path, double min_fraction) {
  std::vector<float> codes(static_cast<size_t>(kPatchSizePx * kPatchSizePx));
  BandReadOptions read;
  read.out_width = kPatchSizePx;
  read.out_height = kPatchSizePx;
  read.resampling = Resampling::kNearest;
  read.expected_width = kPatchSizePx;
  read.expected_height = kPatchSizePx;
  StatusOr<int64_t> replaced = ReadRasterBands(path, {1}, {0.0f}, read, codes.data());
  if (!replaced.ok()) return replaced.status();
  std::vector<int64_t> counts(BigEarthNet19Classes().size(), 0);
  for (float code : codes) {
    StatusOr<int> index = BigEarthNet19IndexOfClcCode(static_cast<int>(code));
    if (index.ok() && *index >= 0) ++counts[static_cast<size_t>(*index)];
  }
  std::vector<uint8_t> labels(counts.size(), 0);
  for (size_t i = 0; i < counts.size(); ++i) {
    const double fraction = static_cast<double>(counts[i]) / static_cast<double>(codes.size());
    labels[i] = counts[i] > 0 && fraction > min_fraction ? 1 : 0;
  }
  return labels;
}

}  // namespace

StatusOr<std::unique_ptr<data::PatchDataset>> OpenBigEarthNetV2(const std::string& root,
                                                                const DatasetOptions& options) {
  StatusOr<internal::PixelSettings> settings = internal::ResolvePixelSettings(options);
  if (!settings.ok()) return settings.status();
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Status::NotFound(root + ": no such folder (expected a BigEarthNet v2.0 root)");
  }
  StatusOr<std::string> metadata_path = FindMetadata(root, options);
  if (!metadata_path.ok()) return metadata_path.status();
  StatusOr<internal::Table> table = ReadMetadata(*metadata_path);
  if (!table.ok()) return table.status();

  StatusOr<int> patch_col = table->RequireColumn("patch_id");
  if (!patch_col.ok()) return patch_col.status();
  StatusOr<int> labels_col = table->RequireColumn("labels");
  if (!labels_col.ok() && !options.labels_from_reference_maps) return labels_col.status();
  StatusOr<int> split_col = table->RequireColumn("split");
  if (!split_col.ok()) return split_col.status();
  int s1_col = -1;
  if (options.read_s1) {
    StatusOr<int> col = table->RequireColumn("s1_name");
    if (!col.ok()) return col.status();
    s1_col = *col;
  }
  int snow_col = -1;
  int cloud_col = -1;
  if (options.exclude_snow_cloud_shadow) {
    StatusOr<int> snow = table->RequireColumn("contains_seasonal_snow");
    if (!snow.ok()) return snow.status();
    StatusOr<int> cloud = table->RequireColumn("contains_cloud_or_shadow");
    if (!cloud.ok()) return cloud.status();
    snow_col = *snow;
    cloud_col = *cloud;
  }

  const fs::path s2_dir = fs::path(root) / "BigEarthNet-S2";
  const fs::path s1_dir = fs::path(root) / "BigEarthNet-S1";
  const fs::path maps_dir = fs::path(root) / "Reference_Maps";
  const std::vector<std::string> s1_bands = internal::DeliveredS1Bands(options);
  const std::vector<std::string> s2_bands = internal::DeliveredS2Bands(options);
  const auto& classes = BigEarthNet19Classes();

  std::vector<data::PatchRecord> records;
  std::vector<PatchSources> sources;
  std::set<std::string> seen;
  for (size_t r = 0; r < table->rows.size(); ++r) {
    const std::vector<std::string>& row = table->rows[r];
    if (options.exclude_snow_cloud_shadow) {
      StatusOr<bool> snow = internal::ParseBool(row[static_cast<size_t>(snow_col)]);
      StatusOr<bool> cloud = internal::ParseBool(row[static_cast<size_t>(cloud_col)]);
      if (!snow.ok()) return snow.status().WithContext(table->Where(r));
      if (!cloud.ok()) return cloud.status().WithContext(table->Where(r));
      if (*snow || *cloud) continue;
    }
    data::PatchRecord record;
    record.id = row[static_cast<size_t>(*patch_col)];
    record.split = row[static_cast<size_t>(*split_col)];
    StatusOr<std::string> s2_product = internal::ProductOfPatchName(record.id, 2);
    if (!s2_product.ok()) return s2_product.status().WithContext(table->Where(r));
    if (!seen.insert(record.id).second) {
      return Status::Corruption(table->Where(r) + ": patch_id '" + record.id + "' is repeated");
    }
    const fs::path s2_patch_dir = s2_dir / *s2_product / record.id;
    if (options.labels_from_reference_maps) {
      const fs::path map = maps_dir / *s2_product / record.id / (record.id + "_reference_map.tif");
      StatusOr<std::vector<uint8_t>> labels =
          ReferenceMapLabels(map.string(), options.reference_map_min_fraction);
      if (!labels.ok()) return labels.status();
      record.labels = std::move(*labels);
    } else {
      StatusOr<std::vector<std::string>> names =
          internal::ParseLabelList(row[static_cast<size_t>(*labels_col)]);
      if (!names.ok()) return names.status().WithContext(table->Where(r));
      record.labels.assign(classes.size(), 0);
      for (const std::string& name : *names) {
        const auto it = std::find(classes.begin(), classes.end(), name);
        if (it == classes.end()) {
          return Status::InvalidArgument(table->Where(r) + ": unknown label '" + name +
                                         "', expected one of the 19 BigEarthNet classes");
        }
        record.labels[static_cast<size_t>(it - classes.begin())] = 1;
      }
    }
    PatchSources patch;
    for (const std::string& band : s2_bands) {
      const int64_t size = kPatchSizePx * 10 / FindBand(band)->native_resolution_m;
      patch.s2.push_back(
          {(s2_patch_dir / (record.id + "_" + band + ".tif")).string(), 1, size, size});
    }
    if (options.read_s1) {
      const std::string s1_name = row[static_cast<size_t>(s1_col)];
      StatusOr<std::string> s1_product = internal::ProductOfPatchName(s1_name, 3);
      if (!s1_product.ok()) return s1_product.status().WithContext(table->Where(r));
      for (const std::string& band : s1_bands) {
        patch.s1.push_back(
            {(s1_dir / *s1_product / s1_name / (s1_name + "_" + band + ".tif")).string(), 1,
             kPatchSizePx, kPatchSizePx});
      }
    }
    records.push_back(std::move(record));
    sources.push_back(std::move(patch));
  }
  if (records.empty()) {
    return Status::InvalidArgument(*metadata_path + ": no patches" +
                                   (options.exclude_snow_cloud_shadow
                                        ? " left after excluding snow, cloud and shadow"
                                        : " listed"));
  }
  return std::unique_ptr<data::PatchDataset>(new internal::RasterPatchDataset(
      "BigEarthNet v2.0 at " + root, classes, s1_bands, s2_bands, kPatchSizePx,
      std::move(*settings), std::move(records), std::move(sources)));
}

}  // namespace mosaic::geo
