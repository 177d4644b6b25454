// GDAL vector side of geo/table.h: reading and writing tables through OGR
// (Parquet for BigEarthNet v2.0 metadata when GDAL has the driver).
#include <gdal.h>
#include <ogr_api.h>

#include <cpl_string.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "geo/gdal_env.h"
#include "geo/table.h"

namespace mosaic::geo::internal {
namespace {

struct FeatureDeleter {
  void operator()(void* feature) const {
    if (feature != nullptr) OGR_F_Destroy(static_cast<OGRFeatureH>(feature));
  }
};
using FeaturePtr = std::unique_ptr<std::remove_pointer_t<OGRFeatureH>, FeatureDeleter>;

std::string CellText(OGRFeatureH feature, OGRFieldDefnH field, int index) {
  if (!OGR_F_IsFieldSetAndNotNull(feature, index)) return "";
  if (OGR_Fld_GetType(field) == OFTStringList) {
    nlohmann::json list = nlohmann::json::array();
    char** values = OGR_F_GetFieldAsStringList(feature, index);
    for (int i = 0; values != nullptr && values[i] != nullptr; ++i) list.push_back(values[i]);
    return list.dump();
  }
  return OGR_F_GetFieldAsString(feature, index);
}

}  // namespace

StatusOr<Table> ReadOgrTable(const std::string& path) {
  EnsureGdalRegistered();
  GdalErrorCapture errors;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound(path + ": no such file");
  GdalDatasetPtr dataset(GDALOpenEx(path.c_str(),
                                    GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                                    nullptr, nullptr, nullptr));
  if (dataset == nullptr) {
    return Status::Corruption(WithGdalMessage(path + ": cannot be read as a table", errors));
  }
  if (GDALDatasetGetLayerCount(dataset.get()) < 1) {
    return Status::Corruption(path + ": holds no table (layer)");
  }
  OGRLayerH layer = GDALDatasetGetLayer(dataset.get(), 0);
  OGRFeatureDefnH definition = OGR_L_GetLayerDefn(layer);
  Table table;
  table.path = path;
  const int field_count = OGR_FD_GetFieldCount(definition);
  std::vector<OGRFieldDefnH> fields;
  for (int i = 0; i < field_count; ++i) {
    fields.push_back(OGR_FD_GetFieldDefn(definition, i));
    table.columns.push_back(OGR_Fld_GetNameRef(fields.back()));
  }
  OGR_L_ResetReading(layer);
  while (FeaturePtr feature{OGR_L_GetNextFeature(layer)}) {
    std::vector<std::string> row;
    row.reserve(fields.size());
    for (int i = 0; i < field_count; ++i) row.push_back(CellText(feature.get(), fields[i], i));
    table.rows.push_back(std::move(row));
  }
  if (errors.HasFailure()) {
    return Status::Corruption(WithGdalMessage(path + ": reading the table failed", errors));
  }
  return table;
}

Status WriteOgrTable(const std::string& path, const std::string& driver_name,
                     const std::vector<ColumnSpec>& columns,
                     const std::vector<std::vector<std::string>>& rows) {
  EnsureGdalRegistered();
  GdalErrorCapture errors;
  GDALDriverH driver = GDALGetDriverByName(driver_name.c_str());
  if (driver == nullptr) {
    return Status::Unsupported(path + ": this GDAL has no " + driver_name + " driver");
  }
  GdalDatasetPtr dataset(GDALCreate(driver, path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (dataset == nullptr) {
    return Status::IOError(WithGdalMessage(path + ": cannot create " + driver_name, errors));
  }
  const std::string layer_name = std::filesystem::path(path).stem().string();
  OGRLayerH layer =
      GDALDatasetCreateLayer(dataset.get(), layer_name.c_str(), nullptr, wkbNone, nullptr);
  if (layer == nullptr) {
    return Status::IOError(WithGdalMessage(path + ": cannot create a table", errors));
  }
  for (const ColumnSpec& column : columns) {
    const OGRFieldType type = column.type == ColumnType::kString       ? OFTString
                              : column.type == ColumnType::kStringList ? OFTStringList
                                                                       : OFTInteger;
    OGRFieldDefnH field = OGR_Fld_Create(column.name.c_str(), type);
    if (column.type == ColumnType::kBoolean) OGR_Fld_SetSubType(field, OFSTBoolean);
    const OGRErr err = OGR_L_CreateField(layer, field, TRUE);
    OGR_Fld_Destroy(field);
    if (err != OGRERR_NONE) {
      return Status::IOError(
          WithGdalMessage(path + ": cannot create column '" + column.name + "'", errors));
    }
  }
  OGRFeatureDefnH definition = OGR_L_GetLayerDefn(layer);
  for (const std::vector<std::string>& row : rows) {
    FeaturePtr feature{OGR_F_Create(definition)};
    for (size_t i = 0; i < columns.size() && i < row.size(); ++i) {
      const int index = static_cast<int>(i);
      switch (columns[i].type) {
        case ColumnType::kString:
          OGR_F_SetFieldString(feature.get(), index, row[i].c_str());
          break;
        case ColumnType::kStringList: {
          StatusOr<std::vector<std::string>> items = ParseLabelList(row[i]);
          if (!items.ok()) return items.status().WithContext(path);
          CPLStringList list;
          for (const std::string& item : *items) list.AddString(item.c_str());
          OGR_F_SetFieldStringList(feature.get(), index, list.List());
          break;
        }
        case ColumnType::kBoolean: {
          StatusOr<bool> value = ParseBool(row[i]);
          if (!value.ok()) return value.status().WithContext(path);
          OGR_F_SetFieldInteger(feature.get(), index, *value ? 1 : 0);
          break;
        }
      }
    }
    if (OGR_L_CreateFeature(layer, feature.get()) != OGRERR_NONE) {
      return Status::IOError(WithGdalMessage(path + ": cannot write a row", errors));
    }
  }
  dataset.reset();  // flushes
  if (errors.HasFailure()) {
    return Status::IOError(WithGdalMessage(path + ": writing failed", errors));
  }
  return Status::OK();
}

}  // namespace mosaic::geo::internal
