// Batch outputs: per-scene layout and completion marker, shard reports, the
// scene labels table.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gdal.h>

#include <nlohmann/json.hpp>

#include "geo/gdal_env.h"
#include "mosaic/atomic_file.h"
#include "mosaic/geo/batch.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  StatusOr<AtomicFileWriter> file = AtomicFileWriter::Create(path);
  if (!file.ok()) return file.status();
  MOSAIC_RETURN_IF_ERROR(file->Append(text.data(), text.size()));
  return file->Commit();
}

StatusOr<Json> ReadJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open");
  Json j = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(path + ": not valid JSON");
  return j;
}

std::vector<std::string> OutputFiles(const BatchScenePaths& p) {
  std::vector<std::string> files = {p.probabilities};
  if (!p.topk.empty()) files.push_back(p.topk);
  if (!p.embeddings.empty()) files.push_back(p.embeddings);
  files.push_back(p.summary);
  return files;
}

bool IsRaster(const std::string& path) { return fs::path(path).extension() == ".tif"; }

struct RasterShape {
  int64_t width = 0, height = 0, bands = 0;
  std::vector<std::string> descriptions;
};

StatusOr<RasterShape> ReadShape(const std::string& path) {
  internal::EnsureGdalRegistered();
  internal::GdalErrorCapture errors;
  StatusOr<internal::GdalDatasetPtr> ds = internal::OpenRasterReadOnly(path, errors);
  if (!ds.ok()) return ds.status();
  RasterShape shape;
  shape.width = GDALGetRasterXSize(ds->get());
  shape.height = GDALGetRasterYSize(ds->get());
  shape.bands = GDALGetRasterCount(ds->get());
  for (int b = 1; b <= shape.bands; ++b) {
    shape.descriptions.push_back(GDALGetDescription(GDALGetRasterBand(ds->get(), b)));
  }
  return shape;
}

std::string CsvQuote(const std::string& s) {
  if (s.find_first_of(",\"\n\r;") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Number(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.6f", v);
  return buffer;
}

}  // namespace

BatchScenePaths BatchPathsFor(const std::string& out_dir, const std::string& id, int topk,
                              bool embeddings) {
  BatchScenePaths p;
  const fs::path dir = fs::path(out_dir) / "scenes" / id;
  p.dir = dir.string();
  p.probabilities = (dir / "probabilities.tif").string();
  if (topk > 0) p.topk = (dir / ("top" + std::to_string(topk) + ".tif")).string();
  if (embeddings) p.embeddings = (dir / "embeddings.tif").string();
  p.summary = (dir / "summary.json").string();
  p.done = (dir / "done.json").string();
  return p;
}

Status VerifyBatchScene(const BatchScenePaths& paths, const std::string& id,
                        const std::string& config, const std::vector<std::string>& class_names) {
  std::error_code ec;
  if (!fs::exists(paths.done, ec)) return Status::NotFound("not finished (no " + paths.done + ")");
  StatusOr<Json> done = ReadJson(paths.done);
  if (!done.ok()) return done.status();
  const Json& d = *done;
  if (!d.is_object() || d.value("id", "") != id || !d.contains("files") || !d["files"].is_array()) {
    return Status::Corruption(paths.done + ": not a completion marker of scene " + id);
  }
  if (d.value("config", "") != config) {
    return Status::InvalidArgument("finished with other options or inputs");
  }
  std::map<std::string, const Json*> recorded;
  for (const auto& f : d["files"]) {
    if (f.is_object() && f.contains("name") && f["name"].is_string()) {
      recorded[f["name"].get<std::string>()] = &f;
    }
  }
  for (const std::string& path : OutputFiles(paths)) {
    const std::string name = fs::path(path).filename().string();
    auto it = recorded.find(name);
    if (it == recorded.end()) return Status::NotFound(path + ": not in the completion marker");
    const Json& f = *it->second;
    const auto bytes = fs::file_size(path, ec);
    if (ec) return Status::NotFound(path + ": missing");
    if (static_cast<int64_t>(bytes) != f.value("bytes", int64_t{-1})) {
      return Status::Corruption(path + ": size " + std::to_string(bytes) + " bytes, expected " +
                                std::to_string(f.value("bytes", int64_t{-1})));
    }
    if (IsRaster(path)) {
      StatusOr<RasterShape> shape = ReadShape(path);
      if (!shape.ok()) return shape.status();
      if (shape->width != f.value("width", int64_t{-1}) ||
          shape->height != f.value("height", int64_t{-1}) ||
          shape->bands != f.value("bands", int64_t{-1})) {
        return Status::Corruption(path + ": size or band count differs from the marker");
      }
      if (path == paths.probabilities && shape->descriptions != class_names) {
        return Status::Corruption(path + ": band descriptions are not the model's classes");
      }
    } else {
      StatusOr<Json> summary = ReadJson(path);
      if (!summary.ok()) return summary.status();
      if (!summary->contains("classes") || !(*summary)["classes"].is_array() ||
          (*summary)["classes"].size() != class_names.size()) {
        return Status::Corruption(path + ": not a scene summary of this model");
      }
    }
  }
  return Status::OK();
}

Status WriteBatchDone(const BatchScenePaths& paths, const std::string& id,
                      const std::string& config) {
  Json d;
  d["id"] = id;
  d["config"] = config;
  d["files"] = Json::array();
  for (const std::string& path : OutputFiles(paths)) {
    std::error_code ec;
    const auto bytes = fs::file_size(path, ec);
    if (ec) return Status::IOError(path + ": " + ec.message());
    Json f;
    f["name"] = fs::path(path).filename().string();
    f["bytes"] = static_cast<int64_t>(bytes);
    if (IsRaster(path)) {
      StatusOr<RasterShape> shape = ReadShape(path);
      if (!shape.ok()) return shape.status();
      f["width"] = shape->width;
      f["height"] = shape->height;
      f["bands"] = shape->bands;
    }
    d["files"].push_back(f);
  }
  return WriteFileAtomically(paths.done, d.dump(2) + "\n");
}

Status ResetBatchScene(const BatchScenePaths& paths) {
  std::error_code ec;
  fs::create_directories(paths.dir, ec);
  if (ec) return Status::IOError("cannot create " + paths.dir + ": " + ec.message());
  fs::remove(paths.done, ec);  // first: the outputs below are no longer vouched for
  for (const auto& entry : fs::directory_iterator(paths.dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool temporary =
        name.size() > 1 && name[0] == '.' &&
        (name.find(".part-") != std::string::npos || name.find(".cog-") != std::string::npos ||
         name.find(".tmp-") != std::string::npos);
    if (temporary) fs::remove(entry.path(), ec);
  }
  if (ec) return Status::IOError("cannot list " + paths.dir + ": " + ec.message());
  for (const std::string& path : OutputFiles(paths)) {
    fs::remove(path, ec);
    fs::remove(path + ".aux.xml", ec);
  }
  return Status::OK();
}

std::string BatchReportPath(const std::string& out_dir, const BatchShard& shard,
                            const std::string& extension) {
  return (fs::path(out_dir) / "reports" /
          ("shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) +
           extension))
      .string();
}

Status WriteBatchReport(const BatchReport& report, const std::string& json_path,
                        const std::string& csv_path) {
  std::error_code ec;
  fs::create_directories(fs::path(json_path).parent_path(), ec);
  Json j;
  j["format"] = "mosaic-batch-report";
  j["shard"] = {{"index", report.shard.index}, {"count", report.shard.count}};
  j["manifest"] = report.manifest;
  j["model"] = report.model;
  j["scenes_in_shard"] = report.scenes_in_shard;
  int64_t failed = 0;
  for (const auto& r : report.scenes) failed += r.status == "failed" ? 1 : 0;
  j["scenes_processed"] = static_cast<int64_t>(report.scenes.size());
  j["scenes_failed"] = failed;
  j["scenes"] = Json::array();
  std::ostringstream csv;
  csv << "id,status,seconds,error\n";
  for (const auto& r : report.scenes) {
    Json e;
    e["id"] = r.id;
    e["status"] = r.status;
    e["seconds"] = r.seconds;
    if (!r.error.empty()) e["error"] = r.error;
    if (!r.summary.empty()) e["summary"] = r.summary;
    j["scenes"].push_back(e);
    csv << CsvQuote(r.id) << "," << r.status << "," << Number(r.seconds) << "," << CsvQuote(r.error)
        << "\n";
  }
  MOSAIC_RETURN_IF_ERROR(WriteFileAtomically(json_path, j.dump(2) + "\n"));
  return WriteFileAtomically(csv_path, csv.str());
}

StatusOr<BatchReport> ReadBatchReport(const std::string& json_path) {
  StatusOr<Json> j = ReadJson(json_path);
  if (!j.ok()) return j.status();
  if (!j->is_object() || j->value("format", "") != "mosaic-batch-report" ||
      !(*j)["scenes"].is_array()) {
    return Status::Corruption(json_path + ": not a mosaic batch report");
  }
  BatchReport report;
  report.shard.index = (*j)["shard"].value("index", int64_t{0});
  report.shard.count = (*j)["shard"].value("count", int64_t{1});
  report.manifest = j->value("manifest", "");
  report.model = j->value("model", "");
  report.scenes_in_shard = j->value("scenes_in_shard", int64_t{0});
  for (const auto& e : (*j)["scenes"]) {
    BatchSceneRecord r;
    r.id = e.value("id", "");
    r.status = e.value("status", "");
    r.error = e.value("error", "");
    r.seconds = e.value("seconds", 0.0);
    r.summary = e.value("summary", "");
    if (r.id.empty()) return Status::Corruption(json_path + ": a scene without id");
    report.scenes.push_back(std::move(r));
  }
  return report;
}

Status WriteBatchLabels(const std::vector<BatchLabelsEntry>& entries, const std::string& csv_path,
                        const std::string& json_path) {
  // One entry per id: ok beats failed, else the last one.
  std::map<std::string, const BatchLabelsEntry*> by_id;
  for (const auto& e : entries) {
    auto [it, inserted] = by_id.emplace(e.record.id, &e);
    if (!inserted && !(it->second->record.status != "failed" && e.record.status == "failed")) {
      it->second = &e;
    }
  }
  struct Row {
    std::string id, status, error;
    Json summary;
  };
  std::vector<Row> rows;
  std::vector<std::string> classes;
  for (const auto& [id, e] : by_id) {
    Row row{id, e->record.status == "failed" ? "failed" : "ok", e->record.error, Json()};
    if (row.status == "ok") {
      const std::string path = (fs::path(e->out_dir) / e->record.summary).string();
      StatusOr<Json> summary = ReadJson(path);
      if (!summary.ok())
        return Status::Corruption("scene " + id + ": " + summary.status().message());
      if (!(*summary)["classes"].is_array()) return Status::Corruption(path + ": no classes");
      std::vector<std::string> names;
      for (const auto& c : (*summary)["classes"]) names.push_back(c.value("name", ""));
      if (classes.empty()) classes = names;
      if (names != classes) {
        return Status::InvalidArgument(path +
                                       ": other classes than the other scenes (models differ)");
      }
      row.summary = std::move(*summary);
    }
    rows.push_back(std::move(row));
  }

  std::ostringstream csv;
  csv << "id,status,error,labels,valid_area_km2,nodata_share,xmin,ymin,xmax,ymax,"
         "lon_min,lat_min,lon_max,lat_max";
  for (const auto& c : classes) csv << "," << CsvQuote("share:" + c);
  for (const auto& c : classes) csv << "," << CsvQuote("mean:" + c);
  csv << "\n";
  Json table = Json::array();
  for (const Row& row : rows) {
    Json j;
    j["id"] = row.id;
    j["status"] = row.status;
    if (row.status == "failed") {
      j["error"] = row.error;
      table.push_back(j);
      csv << CsvQuote(row.id) << ",failed," << CsvQuote(row.error) << ",,,,,,,,,,,";
      for (size_t i = 0; i < 2 * classes.size(); ++i) csv << ",";
      csv << "\n";
      continue;
    }
    const Json& s = row.summary;
    std::string labels;
    for (const auto& l : s["labels"]) labels += (labels.empty() ? "" : ";") + l.get<std::string>();
    j["labels"] = s["labels"];
    j["valid_area_km2"] = s.value("valid_area_km2", 0.0);
    j["nodata_share"] = s.value("nodata_share", 0.0);
    j["threshold"] = s.value("threshold", 0.0);
    j["footprint"] = s.contains("footprint") ? s["footprint"] : Json::object();
    Json per_class = Json::object();
    for (const auto& c : s["classes"]) {
      per_class[c.value("name", "")] = {{"area_share", c.value("area_share", 0.0)},
                                        {"mean_probability", c.value("mean_probability", 0.0)}};
    }
    j["classes"] = per_class;
    table.push_back(j);

    csv << CsvQuote(row.id) << ",ok,," << CsvQuote(labels) << ","
        << Number(s.value("valid_area_km2", 0.0)) << "," << Number(s.value("nodata_share", 0.0));
    for (const char* key : {"bbox", "bbox_wgs84"}) {
      const Json fp = s.contains("footprint") ? s["footprint"] : Json::object();
      if (fp.contains(key) && fp[key].is_array() && fp[key].size() == 4) {
        for (const auto& v : fp[key]) csv << "," << Number(v.get<double>());
      } else {
        csv << ",,,,";
      }
    }
    for (const auto& c : s["classes"]) csv << "," << Number(c.value("area_share", 0.0));
    for (const auto& c : s["classes"]) csv << "," << Number(c.value("mean_probability", 0.0));
    csv << "\n";
  }
  Json out;
  out["format"] = "mosaic-scene-labels";
  out["classes"] = classes;
  out["scenes"] = table;
  std::error_code ec;
  fs::create_directories(fs::path(csv_path).parent_path(), ec);
  fs::create_directories(fs::path(json_path).parent_path(), ec);
  MOSAIC_RETURN_IF_ERROR(WriteFileAtomically(csv_path, csv.str()));
  return WriteFileAtomically(json_path, out.dump(2) + "\n");
}

}  // namespace mosaic::geo
