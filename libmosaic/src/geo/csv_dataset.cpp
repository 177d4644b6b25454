// Generic CSV dataset reader (docs/datasets.md, "Generic CSV").
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "geo/file_util.h"
#include "geo/raster_patch_dataset.h"
#include "geo/table.h"
#include "mosaic/geo/datasets.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;
using internal::PatchSources;

// "B8" -> "B08", "b04" -> "B04", "vv" -> "VV"; other text unchanged.
std::string NormalizeBandName(std::string name) {
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.size() == 2 && name[0] == 'B' && std::isdigit(static_cast<unsigned char>(name[1]))) {
    name = "B0" + name.substr(1);
  }
  return name;
}

// The band names of a file in band order: its band descriptions when every band
// has one naming a known band of `modality`, else `fallback`.
StatusOr<std::vector<std::string>> FileBandNames(const std::string& path, Modality modality,
                                                 const std::vector<std::string>& fallback,
                                                 const char* option) {
  StatusOr<RasterInfo> info = ProbeRaster(path);
  if (!info.ok()) return info.status();
  std::vector<std::string> names;
  const std::vector<std::string> known = ModalityBands(modality);
  for (const std::string& description : info->band_descriptions) {
    const std::string name = NormalizeBandName(description);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      names.clear();
      break;
    }
    names.push_back(name);
  }
  if (!names.empty()) return names;
  if (static_cast<size_t>(info->band_count) != fallback.size()) {
    return Status::InvalidArgument(path + ": has " + std::to_string(info->band_count) +
                                   " bands without band-name descriptions, but " + option +
                                   " lists " + std::to_string(fallback.size()) +
                                   " band names; set " + option);
  }
  return fallback;
}

// 1-based file band of each wanted band.
StatusOr<std::vector<int>> MapBands(const std::string& path,
                                    const std::vector<std::string>& file_bands,
                                    const std::vector<std::string>& wanted) {
  std::vector<int> indices;
  for (const std::string& band : wanted) {
    const auto it = std::find(file_bands.begin(), file_bands.end(), band);
    if (it == file_bands.end()) {
      std::string have;
      for (const std::string& b : file_bands) have += (have.empty() ? "" : " ") + b;
      return Status::InvalidArgument(path + ": has no band " + band + " (its bands: " + have + ")");
    }
    indices.push_back(static_cast<int>(it - file_bands.begin()) + 1);
  }
  return indices;
}

std::string Stem(const std::string& path) { return fs::path(path).stem().string(); }

}  // namespace

StatusOr<std::unique_ptr<data::PatchDataset>> OpenCsvDataset(const std::string& csv_path,
                                                             const DatasetOptions& options) {
  StatusOr<internal::PixelSettings> settings = internal::ResolvePixelSettings(options);
  if (!settings.ok()) return settings.status();
  StatusOr<internal::Table> table = internal::ReadCsvTable(csv_path);
  if (!table.ok()) return table.status();
  StatusOr<int> labels_col = table->RequireColumn("labels");
  if (!labels_col.ok()) return labels_col.status();
  int s1_col = -1;
  int s2_col = -1;
  if (options.read_s1) {
    StatusOr<int> col = table->RequireColumn("s1_path");
    if (!col.ok()) return col.status();
    s1_col = *col;
  }
  if (options.read_s2) {
    StatusOr<int> col = table->RequireColumn("s2_path");
    if (!col.ok()) return col.status();
    s2_col = *col;
  }
  const int split_col = table->ColumnIndex("split");
  const int id_col = table->ColumnIndex("id");
  if (table->rows.empty()) {
    return Status::InvalidArgument(csv_path + ": no rows, expected one row per patch");
  }
  const std::string base = fs::path(csv_path).parent_path().string();

  // Labels and the class list.
  std::vector<std::vector<std::string>> row_labels;
  std::set<std::string> union_of_labels;
  for (size_t r = 0; r < table->rows.size(); ++r) {
    StatusOr<std::vector<std::string>> names =
        internal::ParseLabelList(table->rows[r][static_cast<size_t>(*labels_col)]);
    if (!names.ok()) return names.status().WithContext(table->Where(r));
    union_of_labels.insert(names->begin(), names->end());
    row_labels.push_back(std::move(*names));
  }
  std::vector<std::string> classes = options.class_names;
  if (classes.empty()) classes.assign(union_of_labels.begin(), union_of_labels.end());
  if (classes.empty()) return Status::InvalidArgument(csv_path + ": no labels in any row");

  // Band layout of the files, taken from the first row's files.
  const std::vector<std::string> s1_bands = internal::DeliveredS1Bands(options);
  const std::vector<std::string> s2_bands = internal::DeliveredS2Bands(options);
  auto path_at = [&](size_t r, int col) {
    return internal::ResolvePath(base, table->rows[r][static_cast<size_t>(col)]);
  };
  std::vector<int> s1_indices;
  std::vector<int> s2_indices;
  if (options.read_s1) {
    const std::vector<std::string> fallback = options.csv_s1_file_bands.empty()
                                                  ? ModalityBands(Modality::kS1)
                                                  : options.csv_s1_file_bands;
    StatusOr<std::vector<std::string>> names =
        FileBandNames(path_at(0, s1_col), Modality::kS1, fallback, "csv_s1_file_bands");
    if (!names.ok()) return names.status();
    StatusOr<std::vector<int>> indices = MapBands(path_at(0, s1_col), *names, s1_bands);
    if (!indices.ok()) return indices.status();
    s1_indices = *indices;
  }
  if (options.read_s2) {
    const std::vector<std::string> fallback = options.csv_s2_file_bands.empty()
                                                  ? ModalityBands(Modality::kS2)
                                                  : options.csv_s2_file_bands;
    StatusOr<std::vector<std::string>> names =
        FileBandNames(path_at(0, s2_col), Modality::kS2, fallback, "csv_s2_file_bands");
    if (!names.ok()) return names.status();
    StatusOr<std::vector<int>> indices = MapBands(path_at(0, s2_col), *names, s2_bands);
    if (!indices.ok()) return indices.status();
    s2_indices = *indices;
  }
  int64_t patch_size = options.csv_patch_size_px;
  if (patch_size <= 0) {
    StatusOr<RasterInfo> first =
        ProbeRaster(options.read_s2 ? path_at(0, s2_col) : path_at(0, s1_col));
    if (!first.ok()) return first.status();
    patch_size = first->width;
  }

  std::vector<data::PatchRecord> records;
  std::vector<PatchSources> sources;
  std::set<std::string> ids;
  for (size_t r = 0; r < table->rows.size(); ++r) {
    data::PatchRecord record;
    PatchSources patch;
    std::string s1_path;
    std::string s2_path;
    if (options.read_s1) {
      if (table->rows[r][static_cast<size_t>(s1_col)].empty()) {
        return Status::InvalidArgument(table->Where(r) + ": empty s1_path");
      }
      s1_path = path_at(r, s1_col);
      for (int band : s1_indices) patch.s1.push_back({s1_path, band, 0, 0});
    }
    if (options.read_s2) {
      if (table->rows[r][static_cast<size_t>(s2_col)].empty()) {
        return Status::InvalidArgument(table->Where(r) + ": empty s2_path");
      }
      s2_path = path_at(r, s2_col);
      for (int band : s2_indices) patch.s2.push_back({s2_path, band, 0, 0});
    }
    record.id = id_col >= 0 ? table->rows[r][static_cast<size_t>(id_col)]
                            : Stem(options.read_s2 ? s2_path : s1_path);
    if (!ids.insert(record.id).second) {
      return Status::InvalidArgument(table->Where(r) + ": patch id '" + record.id +
                                     "' is repeated" + (id_col >= 0 ? "" : " (add an id column)"));
    }
    if (split_col >= 0) record.split = table->rows[r][static_cast<size_t>(split_col)];
    record.labels.assign(classes.size(), 0);
    for (const std::string& name : row_labels[r]) {
      const auto it = std::find(classes.begin(), classes.end(), name);
      if (it == classes.end()) {
        return Status::InvalidArgument(table->Where(r) + ": unknown label '" + name +
                                       "' (not in class_names)");
      }
      record.labels[static_cast<size_t>(it - classes.begin())] = 1;
    }
    records.push_back(std::move(record));
    sources.push_back(std::move(patch));
  }
  return std::unique_ptr<data::PatchDataset>(new internal::RasterPatchDataset(
      "CSV dataset " + csv_path, std::move(classes), s1_bands, s2_bands, patch_size,
      std::move(*settings), std::move(records), std::move(sources)));
}

}  // namespace mosaic::geo
