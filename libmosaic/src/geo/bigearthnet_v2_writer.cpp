// WriteBigEarthNetV2: a synthetic scene in the BigEarthNet v2.0 (reBEN) layout.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "geo/bigearthnet_names.h"
#include "geo/gdal_env.h"
#include "geo/geotiff_writer.h"
#include "geo/scene_checks.h"
#include "geo/staging_dir.h"
#include "geo/synthetic_patches.h"
#include "geo/table.h"
#include "mosaic/geo/bigearthnet_writer.h"
#include "mosaic/geo/class_codes.h"
#include "mosaic/label_sets.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;

const std::vector<internal::ColumnSpec>& MetadataColumns() {
  using internal::ColumnType;
  static const std::vector<internal::ColumnSpec> kColumns = {
      {"patch_id", ColumnType::kString},
      {"labels", ColumnType::kStringList},
      {"split", ColumnType::kString},
      {"country", ColumnType::kString},
      {"s1_name", ColumnType::kString},
      {"s2v1_name", ColumnType::kString},
      {"contains_seasonal_snow", ColumnType::kBoolean},
      {"contains_cloud_or_shadow", ColumnType::kBoolean},
  };
  return kColumns;
}

// The patch's reference map: the CLC code of each pixel's class (through the
// class's Representative43Class).
StatusOr<std::vector<uint16_t>> ReferenceMap(const synth::SyntheticScene& scene,
                                             const internal::PatchPlan& patch) {
  StatusOr<std::vector<int>> to19 = internal::SceneClassesTo19(scene);
  if (!to19.ok()) return to19.status();
  std::vector<uint16_t> code_of_class;
  for (int index : *to19) {
    const std::string& name19 = BigEarthNet19Classes()[static_cast<size_t>(index)];
    StatusOr<int> code = ClcCodeOf43Class(*Representative43Class(name19));
    if (!code.ok()) return code.status();
    code_of_class.push_back(static_cast<uint16_t>(*code));
  }
  const std::vector<uint8_t> classes =
      internal::CropWindow(scene.land_cover, scene.width, patch.x0, patch.y0,
                           internal::kBigEarthNetPatchPx, internal::kBigEarthNetPatchPx);
  std::vector<uint16_t> codes(classes.size());
  for (size_t i = 0; i < classes.size(); ++i) codes[i] = code_of_class[classes[i]];
  return codes;
}

}  // namespace

StatusOr<WrittenDataset> WriteBigEarthNetV2(const synth::SyntheticScene& scene,
                                            const std::string& output_dir,
                                            const BigEarthNetWriteOptions& options) {
  StatusOr<std::vector<internal::PatchPlan>> plans = internal::PlanPatches(scene, options);
  if (!plans.ok()) return plans.status();
  StatusOr<std::string> wkt = internal::EpsgToWkt(options.georef.epsg);
  if (!wkt.ok()) return wkt.status().WithContext("BigEarthNet writer georeference");
  StatusOr<internal::StagingDir> staging = internal::StagingDir::Create(output_dir);
  if (!staging.ok()) return staging.status();
  const fs::path root = staging->path();

  WrittenDataset written;
  written.root = fs::path(output_dir).lexically_normal().string();
  std::vector<std::vector<std::string>> rows;
  for (const internal::PatchPlan& plan : *plans) {
    WrittenPatch patch = internal::DescribePatch(plan);
    patch.id = internal::PatchName(options.s2_product_v2, plan.col, plan.row);
    patch.s2v1_name = internal::PatchName(options.s2_product, plan.col, plan.row);
    patch.s1_name =
        internal::PatchName(options.s1_product + "_" + options.tile, plan.col, plan.row);

    const fs::path s2_dir = root / "BigEarthNet-S2" / options.s2_product_v2 / patch.id;
    const fs::path s1_dir = root / "BigEarthNet-S1" / options.s1_product / patch.s1_name;
    const fs::path map_dir = root / "Reference_Maps" / options.s2_product_v2 / patch.id;
    for (const fs::path& dir : {s2_dir, s1_dir, map_dir}) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) return Status::IOError(dir.string() + ": cannot create folder: " + ec.message());
    }
    MOSAIC_RETURN_IF_ERROR(
        internal::WriteS2PatchBands(scene, plan, options.georef, *wkt, s2_dir.string(), patch.id));
    MOSAIC_RETURN_IF_ERROR(internal::WriteS1PatchBands(scene, plan, options.georef, *wkt,
                                                       s1_dir.string(), patch.s1_name));
    StatusOr<std::vector<uint16_t>> codes = ReferenceMap(scene, plan);
    if (!codes.ok()) return codes.status();
    internal::RasterGrid grid;
    grid.width = internal::kBigEarthNetPatchPx;
    grid.height = internal::kBigEarthNetPatchPx;
    grid.origin_x = internal::PatchUlx(options.georef, plan);
    grid.origin_y = internal::PatchUly(options.georef, plan);
    grid.pixel_size = 10.0;
    grid.crs_wkt = *wkt;
    MOSAIC_RETURN_IF_ERROR(internal::WriteGeoTiff(
        (map_dir / (patch.id + "_reference_map.tif")).string(), grid, internal::PixelType::kUInt16,
        {{codes->data(), ""}}, internal::TiffLayout()));

    rows.push_back({patch.id, nlohmann::json(patch.labels19).dump(), patch.split, options.country,
                    patch.s1_name, patch.s2v1_name, "False",
                    patch.contains_cloud_or_shadow ? "True" : "False"});
    written.patches.push_back(std::move(patch));
  }

  std::vector<std::string> names;
  for (const internal::ColumnSpec& column : MetadataColumns()) names.push_back(column.name);
  {
    const fs::path csv = root / "metadata.csv";
    std::ofstream out(csv, std::ios::binary);
    out << internal::FormatCsv(names, rows);
    out.close();
    if (!out) return Status::IOError(csv.string() + ": write failed");
  }
  if (options.write_parquet && HasGdalDriver("Parquet")) {
    MOSAIC_RETURN_IF_ERROR(internal::WriteOgrTable((root / "metadata.parquet").string(), "Parquet",
                                                   MetadataColumns(), rows));
    written.wrote_parquet = true;
  }
  MOSAIC_RETURN_IF_ERROR(staging->Commit());
  return written;
}

}  // namespace mosaic::geo
