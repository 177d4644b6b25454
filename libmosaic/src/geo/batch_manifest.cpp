// Batch manifests (CSV / JSON) and shard assignment.
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "mosaic/geo/batch.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 200 || id[0] == '.') return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Paths relative to the manifest's folder.
std::string Resolve(const fs::path& base, const std::string& path) {
  if (path.empty()) return path;
  const fs::path p(path);
  if (p.is_absolute() || base.empty()) return path;
  return (base / p).lexically_normal().string();
}

std::vector<std::string> SplitPaths(const std::string& cell, const fs::path& base) {
  std::vector<std::string> out;
  std::stringstream in(cell);
  std::string item;
  while (std::getline(in, item, ';')) {
    item = Trim(item);
    if (!item.empty()) out.push_back(Resolve(base, item));
  }
  return out;
}

// One CSV record (RFC 4180: quotes, doubled quotes, separators and newlines
// inside quotes). Returns false at the end of the input.
bool ReadCsvRecord(std::istream& in, std::vector<std::string>* fields, int64_t* line) {
  fields->clear();
  std::string field;
  bool quoted = false;
  bool any = false;
  char c;
  while (in.get(c)) {
    any = true;
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          in.get(c);
          field += '"';
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++*line;
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields->push_back(field);
      field.clear();
    } else if (c == '\n') {
      ++*line;
      fields->push_back(field);
      return true;
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!any) return false;
  fields->push_back(field);
  return true;
}

Status CheckScene(const BatchScene& scene, const std::string& where, std::set<std::string>* ids) {
  if (scene.id.empty()) return Status::InvalidArgument(where + ": no id");
  if (!ValidId(scene.id)) {
    return Status::InvalidArgument(where + ": id '" + scene.id +
                                   "': use letters, digits, '.', '_' and '-' (not first '.')");
  }
  if (!ids->insert(scene.id).second) {
    return Status::InvalidArgument(where + ": id '" + scene.id + "' appears twice");
  }
  if (scene.s2.empty() && scene.s1.empty()) {
    return Status::InvalidArgument(where + ": scene '" + scene.id + "' has no s2 and no s1");
  }
  return Status::OK();
}

StatusOr<std::vector<BatchScene>> ReadCsvManifest(const std::string& path, const fs::path& base) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("manifest " + path + ": cannot open");
  std::vector<std::string> fields;
  std::vector<std::string> header;
  int64_t line = 1;
  std::vector<BatchScene> scenes;
  std::set<std::string> ids;
  int col_id = -1, col_s2 = -1, col_s1 = -1, col_mask = -1;
  while (true) {
    const int64_t record_line = line;
    if (!ReadCsvRecord(in, &fields, &line)) break;
    if (fields.size() == 1 && Trim(fields[0]).empty()) continue;
    if (!fields.empty() && !fields[0].empty() && Trim(fields[0])[0] == '#') continue;
    if (header.empty()) {
      header = fields;
      for (size_t i = 0; i < header.size(); ++i) {
        const std::string name = Trim(header[i]);
        if (name == "id") col_id = static_cast<int>(i);
        if (name == "s2") col_s2 = static_cast<int>(i);
        if (name == "s1") col_s1 = static_cast<int>(i);
        if (name == "mask" || name == "s2_mask") col_mask = static_cast<int>(i);
      }
      if (col_id < 0 || (col_s2 < 0 && col_s1 < 0)) {
        return Status::InvalidArgument("manifest " + path +
                                       ": the header must name the columns id and s2 (and "
                                       "optionally s1, mask)");
      }
      continue;
    }
    auto cell = [&](int col) {
      return col >= 0 && col < static_cast<int>(fields.size()) ? Trim(fields[col]) : std::string();
    };
    BatchScene scene;
    scene.index = static_cast<int64_t>(scenes.size());
    scene.id = cell(col_id);
    scene.s2 = SplitPaths(cell(col_s2), base);
    scene.s1 = SplitPaths(cell(col_s1), base);
    scene.s2_mask = Resolve(base, cell(col_mask));
    MOSAIC_RETURN_IF_ERROR(
        CheckScene(scene, "manifest " + path + " line " + std::to_string(record_line), &ids));
    scenes.push_back(std::move(scene));
  }
  if (header.empty()) return Status::InvalidArgument("manifest " + path + ": empty");
  return scenes;
}

StatusOr<std::vector<std::string>> JsonPaths(const nlohmann::json& v, const fs::path& base,
                                             const std::string& where) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (v.is_string()) return SplitPaths(v.get<std::string>(), base);
  if (v.is_array()) {
    for (const auto& item : v) {
      if (!item.is_string()) return Status::InvalidArgument(where + ": expected path strings");
      out.push_back(Resolve(base, item.get<std::string>()));
    }
    return out;
  }
  return Status::InvalidArgument(where + ": expected a path or an array of paths");
}

StatusOr<std::vector<BatchScene>> ReadJsonManifest(const std::string& path, const fs::path& base) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("manifest " + path + ": cannot open");
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("manifest " + path + ": not valid JSON");
  const nlohmann::json* list = &j;
  if (j.is_object() && j.contains("scenes")) list = &j["scenes"];
  if (!list->is_array()) {
    return Status::InvalidArgument("manifest " + path +
                                   ": expected an array of scenes or {\"scenes\": [...]}");
  }
  std::vector<BatchScene> scenes;
  std::set<std::string> ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& e = (*list)[i];
    const std::string where = "manifest " + path + " scene " + std::to_string(i);
    if (!e.is_object()) return Status::InvalidArgument(where + ": expected an object");
    BatchScene scene;
    scene.index = static_cast<int64_t>(i);
    if (e.contains("id")) {
      if (!e["id"].is_string()) return Status::InvalidArgument(where + ": id must be a string");
      scene.id = e["id"].get<std::string>();
    }
    for (auto [key, target] : {std::pair{"s2", &scene.s2}, std::pair{"s1", &scene.s1}}) {
      if (!e.contains(key)) continue;
      StatusOr<std::vector<std::string>> paths = JsonPaths(e[key], base, where + " " + key);
      if (!paths.ok()) return paths.status();
      *target = std::move(*paths);
    }
    for (const char* key : {"mask", "s2_mask"}) {
      if (e.contains(key) && e[key].is_string()) {
        scene.s2_mask = Resolve(base, e[key].get<std::string>());
      }
    }
    MOSAIC_RETURN_IF_ERROR(CheckScene(scene, where, &ids));
    scenes.push_back(std::move(scene));
  }
  return scenes;
}

StatusOr<int64_t> ParseCount(const std::string& name, const char* text) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno != 0 || value < 0) {
    return Status::InvalidArgument(name + "='" + text + "': expected a non-negative integer");
  }
  return static_cast<int64_t>(value);
}

}  // namespace

StatusOr<std::vector<BatchScene>> ReadBatchManifest(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return Status::NotFound("manifest " + path + ": no such file");
  const fs::path base = fs::path(path).parent_path();
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".json" || ext == ".JSON") return ReadJsonManifest(path, base);
  return ReadCsvManifest(path, base);
}

bool InBatchShard(const BatchScene& scene, const BatchShard& shard) {
  return shard.count <= 1 || scene.index % shard.count == shard.index;
}

StatusOr<BatchShard> ParseBatchShard(const std::string& text) {
  const size_t slash = text.find('/');
  auto bad = [&] {
    return Status::InvalidArgument("--shard '" + text + "': expected I/N with 0 <= I < N");
  };
  if (slash == std::string::npos) return bad();
  StatusOr<int64_t> index = ParseCount("--shard", text.substr(0, slash).c_str());
  StatusOr<int64_t> count = ParseCount("--shard", text.substr(slash + 1).c_str());
  if (!index.ok() || !count.ok() || *count < 1 || *index >= *count) return bad();
  return BatchShard{*index, *count};
}

StatusOr<std::optional<BatchShard>> BatchShardFromEnvironment(int64_t count) {
  if (const char* id = std::getenv("SLURM_ARRAY_TASK_ID")) {
    const char* total = std::getenv("SLURM_ARRAY_TASK_COUNT");
    if (total == nullptr) {
      return Status::InvalidArgument(
          "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
    }
    StatusOr<int64_t> task = ParseCount("SLURM_ARRAY_TASK_ID", id);
    if (!task.ok()) return task.status();
    StatusOr<int64_t> n = ParseCount("SLURM_ARRAY_TASK_COUNT", total);
    if (!n.ok()) return n.status();
    int64_t min = 0;
    if (const char* m = std::getenv("SLURM_ARRAY_TASK_MIN")) {
      StatusOr<int64_t> parsed = ParseCount("SLURM_ARRAY_TASK_MIN", m);
      if (!parsed.ok()) return parsed.status();
      min = *parsed;
    }
    const int64_t index = *task - min;
    if (*n < 1 || index < 0 || index >= *n) {
      return Status::InvalidArgument(
          "SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN = " + std::to_string(index) +
          " is not in 0.." + std::to_string(*n - 1) + " (use a contiguous array, e.g. --array=0-" +
          std::to_string(*n - 1) + ")");
    }
    return std::optional<BatchShard>(BatchShard{index, *n});
  }
  if (const char* id = std::getenv("JOB_COMPLETION_INDEX")) {
    if (count < 1) {
      return Status::InvalidArgument(
          "JOB_COMPLETION_INDEX is set: give the number of shards (the Job's completions) with "
          "--shard-count");
    }
    StatusOr<int64_t> index = ParseCount("JOB_COMPLETION_INDEX", id);
    if (!index.ok()) return index.status();
    if (*index >= count) {
      return Status::InvalidArgument("JOB_COMPLETION_INDEX=" + std::to_string(*index) +
                                     " is not below --shard-count " + std::to_string(count));
    }
    return std::optional<BatchShard>(BatchShard{*index, count});
  }
  return std::optional<BatchShard>();
}

}  // namespace mosaic::geo
