// WriteBigEarthNetV1: a synthetic scene in the BigEarthNet v1.0 layout.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "geo/bigearthnet_names.h"
#include "geo/gdal_env.h"
#include "geo/python_json.h"
#include "geo/staging_dir.h"
#include "geo/synthetic_patches.h"
#include "mosaic/geo/bigearthnet_writer.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

ordered_json Coordinate(double value) {
  if (value == std::floor(value) && std::abs(value) < 9.0e15) {
    return ordered_json(static_cast<int64_t>(value));
  }
  return ordered_json(value);
}

// The "coordinates" object; real S1 files name the last key "lly" (sic).
ordered_json Coordinates(const GeoReference& georef, const internal::PatchPlan& patch,
                         const char* last_key) {
  const double ulx = internal::PatchUlx(georef, patch);
  const double uly = internal::PatchUly(georef, patch);
  const double size_m = 10.0 * static_cast<double>(internal::kBigEarthNetPatchPx);
  ordered_json coordinates = ordered_json::object();
  coordinates["ulx"] = Coordinate(ulx);
  coordinates["uly"] = Coordinate(uly);
  coordinates["lrx"] = Coordinate(ulx + size_m);
  coordinates[last_key] = Coordinate(uly - size_m);
  return coordinates;
}

Status WriteJson(const fs::path& path, const ordered_json& json) {
  std::ofstream out(path, std::ios::binary);
  out << internal::PythonStyleJson(json);
  out.close();
  if (!out) return Status::IOError(path.string() + ": write failed");
  return Status::OK();
}

Status WriteLines(const fs::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary);
  for (const std::string& line : lines) out << line << "\n";
  out.close();
  if (!out) return Status::IOError(path.string() + ": write failed");
  return Status::OK();
}

}  // namespace

StatusOr<WrittenDataset> WriteBigEarthNetV1(const synth::SyntheticScene& scene,
                                            const std::string& output_dir,
                                            const BigEarthNetWriteOptions& options) {
  StatusOr<std::vector<internal::PatchPlan>> plans = internal::PlanPatches(scene, options);
  if (!plans.ok()) return plans.status();
  StatusOr<std::string> wkt = internal::EpsgToWkt(options.georef.epsg);
  if (!wkt.ok()) return wkt.status().WithContext("BigEarthNet writer georeference");
  StatusOr<internal::StagingDir> staging = internal::StagingDir::Create(output_dir);
  if (!staging.ok()) return staging.status();
  const fs::path root = staging->path();
  const fs::path s2_root = root / "BigEarthNet-v1.0";
  const fs::path s1_root = root / "BigEarthNet-S1-v1.0";

  const auto [s2_date, s2_time] = internal::ProductDateTime(options.s2_product);
  const auto [s1_date, s1_time] = internal::ProductDateTime(options.s1_product);
  std::string l1c = options.s2_product;
  if (const size_t at = l1c.find("MSIL2A"); at != std::string::npos) l1c.replace(at, 6, "MSIL1C");
  const std::string tile_source = l1c + "_N9999_R000_T" + options.tile + "_SYNTHETIC.SAFE";

  WrittenDataset written;
  written.root = fs::path(output_dir).lexically_normal().string();
  std::map<std::string, std::vector<std::string>> split_lists;
  for (const internal::PatchPlan& plan : *plans) {
    WrittenPatch patch = internal::DescribePatch(plan);
    patch.id = internal::PatchName(options.s2_product, plan.col, plan.row);
    patch.s2v1_name = patch.id;
    patch.s1_name =
        internal::PatchName(options.s1_product + "_" + options.tile, plan.col, plan.row);

    const fs::path s2_dir = s2_root / patch.id;
    const fs::path s1_dir = s1_root / patch.s1_name;
    std::error_code ec;
    fs::create_directories(s2_dir, ec);
    fs::create_directories(s1_dir, ec);
    if (ec) return Status::IOError(s1_dir.string() + ": cannot create folder: " + ec.message());
    MOSAIC_RETURN_IF_ERROR(
        internal::WriteS2PatchBands(scene, plan, options.georef, *wkt, s2_dir.string(), patch.id));
    MOSAIC_RETURN_IF_ERROR(internal::WriteS1PatchBands(scene, plan, options.georef, *wkt,
                                                       s1_dir.string(), patch.s1_name));

    ordered_json s2_json = ordered_json::object();
    s2_json["labels"] = patch.labels43;
    s2_json["coordinates"] = Coordinates(options.georef, plan, "lry");
    s2_json["projection"] = *wkt;
    s2_json["tile_source"] = tile_source;
    s2_json["acquisition_date"] = s2_date.empty() ? "" : s2_date + " " + s2_time;
    MOSAIC_RETURN_IF_ERROR(WriteJson(s2_dir / (patch.id + "_labels_metadata.json"), s2_json));

    ordered_json s1_json = ordered_json::object();
    s1_json["labels"] = patch.labels43;
    s1_json["coordinates"] = Coordinates(options.georef, plan, "lly");
    s1_json["projection"] = *wkt;
    s1_json["corresponding_s2_patch"] = patch.id;
    s1_json["scene_source"] = options.s1_product + "_SYNTHETIC";
    s1_json["acquisition_time"] = s1_date.empty() ? "" : s1_date + "T" + s1_time;
    MOSAIC_RETURN_IF_ERROR(WriteJson(s1_dir / (patch.s1_name + "_labels_metadata.json"), s1_json));

    split_lists[patch.split].push_back(patch.id);
    written.patches.push_back(std::move(patch));
  }
  MOSAIC_RETURN_IF_ERROR(WriteLines(root / "train.csv", split_lists["train"]));
  MOSAIC_RETURN_IF_ERROR(WriteLines(root / "val.csv", split_lists["validation"]));
  MOSAIC_RETURN_IF_ERROR(WriteLines(root / "test.csv", split_lists["test"]));
  MOSAIC_RETURN_IF_ERROR(staging->Commit());
  return written;
}

}  // namespace mosaic::geo
