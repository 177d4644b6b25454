#include "description.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include <nlohmann/json.hpp>

#include "mosaic/patch_classifier.h"

namespace mosaic::gdal_driver {

namespace {

// Every key a description may hold, in documentation order.
const std::vector<std::string>& KnownKeys() {
  static const std::vector<std::string> keys = {"mosaic",
                                                "model",
                                                "s2",
                                                "s2_bands",
                                                "s1",
                                                "s1_bands",
                                                "s1_linear",
                                                "s2_mask",
                                                "s2_mask_invalid",
                                                "s2_nodata",
                                                "stride",
                                                "blend",
                                                "gaussian_sigma",
                                                "edges",
                                                "grid",
                                                "head",
                                                "max_nodata_fraction",
                                                "device",
                                                "precision",
                                                "threads",
                                                "batch_size",
                                                "output",
                                                "block_size",
                                                "cache_mb"};
  return keys;
}

// Keys whose values are file paths (resolved against the description's folder).
bool IsPathKey(const std::string& key) {
  return key == "model" || key == "s2" || key == "s1" || key == "s2_mask";
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item =
        Trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Relative file names are taken relative to `base_dir`; GDAL connection strings
// ("SENTINEL2_L2A:...", "/vsi...") and absolute paths are left alone.
std::string ResolvePath(const std::string& path, const std::string& base_dir) {
  if (base_dir.empty() || path.empty() || path[0] == '/' || path.find(':') != std::string::npos) {
    return path;
  }
  return base_dir + "/" + path;
}

Status CheckKey(const std::string& key) {
  const std::vector<std::string>& known = KnownKeys();
  if (std::find(known.begin(), known.end(), key) != known.end()) return Status::OK();
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  return Status::InvalidArgument("unknown key '" + key + "' (known: " + list + ")");
}

StatusOr<std::string> JsonScalar(const std::string& key, const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return std::string(value.get<bool>() ? "true" : "false");
  if (value.is_number()) return value.dump();
  return Status::InvalidArgument("'" + key + "': expected a string, number or boolean, got " +
                                 std::string(value.type_name()));
}

// --- Typed access to the settings -----------------------------------------

const std::string* Single(const Settings& settings, const std::string& key, Status* error) {
  auto it = settings.find(key);
  if (it == settings.end() || it->second.empty()) return nullptr;
  if (it->second.size() != 1) {
    *error = Status::InvalidArgument("'" + key + "': expected one value, got " +
                                     std::to_string(it->second.size()));
    return nullptr;
  }
  return &it->second[0];
}

Status ReadInt(const Settings& settings, const std::string& key, int64_t min_value, int64_t* out) {
  Status error;
  const std::string* text = Single(settings, key, &error);
  if (text == nullptr) return error;
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno != 0 || value < min_value) {
    return Status::InvalidArgument("'" + key + "': expected an integer >= " +
                                   std::to_string(min_value) + ", got '" + *text + "'");
  }
  *out = value;
  return Status::OK();
}

Status ReadDouble(const Settings& settings, const std::string& key, double* out) {
  Status error;
  const std::string* text = Single(settings, key, &error);
  if (text == nullptr) return error;
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || errno != 0 || !std::isfinite(value)) {
    return Status::InvalidArgument("'" + key + "': expected a number, got '" + *text + "'");
  }
  *out = value;
  return Status::OK();
}

Status ReadBool(const Settings& settings, const std::string& key, bool* out) {
  Status error;
  const std::string* text = Single(settings, key, &error);
  if (text == nullptr) return error;
  const std::string value = Lower(*text);
  if (value == "true" || value == "yes" || value == "on" || value == "1") {
    *out = true;
  } else if (value == "false" || value == "no" || value == "off" || value == "0") {
    *out = false;
  } else {
    return Status::InvalidArgument("'" + key + "': expected true or false, got '" + *text + "'");
  }
  return Status::OK();
}

Status ReadString(const Settings& settings, const std::string& key, std::string* out) {
  Status error;
  const std::string* text = Single(settings, key, &error);
  if (text == nullptr) return error;
  *out = *text;
  return Status::OK();
}

void ReadList(const Settings& settings, const std::string& key, std::vector<std::string>* out) {
  auto it = settings.find(key);
  if (it != settings.end()) *out = it->second;
}

// Parses an enum setting with one of libmosaic's Parse* functions.
template <typename T, typename Parser>
Status ReadEnum(const Settings& settings, const std::string& key, Parser parse, T* out) {
  std::string text;
  if (settings.count(key) == 0) return Status::OK();
  Status status = ReadString(settings, key, &text);
  if (!status.ok()) return status;
  StatusOr<T> value = parse(Lower(text));
  if (!value.ok()) return value.status().WithContext("'" + key + "'");
  *out = *value;
  return Status::OK();
}

}  // namespace

StatusOr<Settings> SettingsFromJson(const std::string& json_text, const std::string& base_dir) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("not valid JSON: ") + e.what());
  }
  if (!root.is_object()) return Status::InvalidArgument("expected a JSON object");
  auto version = root.find("mosaic");
  if (version == root.end() || !version->is_number_integer() || version->get<int>() != 1) {
    return Status::InvalidArgument("expected \"mosaic\": 1 as the description's format version");
  }
  Settings settings;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = Lower(it.key());
    Status known = CheckKey(key);
    if (!known.ok()) return known;
    std::vector<std::string>& values = settings[key];
    if (it->is_null()) continue;
    if (it->is_array()) {
      for (const nlohmann::json& item : *it) {
        StatusOr<std::string> value = JsonScalar(key, item);
        if (!value.ok()) return value.status();
        values.push_back(*value);
      }
    } else {
      StatusOr<std::string> value = JsonScalar(key, *it);
      if (!value.ok()) return value.status();
      values.push_back(*value);
    }
    if (IsPathKey(key)) {
      for (std::string& path : values) path = ResolvePath(path, base_dir);
    }
  }
  return settings;
}

StatusOr<Settings> SettingsFromKeyValues(const std::string& text) {
  Settings settings;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = Trim(text.substr(start, end - start));
    start = end + 1;
    if (item.empty()) continue;
    const size_t equals = item.find('=');
    if (equals == std::string::npos) {
      return Status::InvalidArgument("'" + item + "': expected key=value");
    }
    const std::string key = Lower(Trim(item.substr(0, equals)));
    Status known = CheckKey(key);
    if (!known.ok()) return known;
    settings[key] = SplitList(item.substr(equals + 1));
  }
  return settings;
}

StatusOr<Settings> SettingsFromNameValueList(const char* const* list,
                                             const std::vector<std::string>& ignored) {
  Settings settings;
  for (; list != nullptr && *list != nullptr; ++list) {
    const std::string item = *list;
    const size_t equals = item.find('=');
    if (equals == std::string::npos) continue;
    const std::string key = Lower(Trim(item.substr(0, equals)));
    if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) continue;
    Status known = CheckKey(key);
    if (!known.ok()) return known;
    settings[key] = SplitList(item.substr(equals + 1));
  }
  return settings;
}

void MergeSettings(const Settings& overrides, Settings* base) {
  for (const auto& [key, values] : overrides) (*base)[key] = values;
}

StatusOr<DatasetDescription> DescriptionFromSettings(const Settings& settings) {
  DatasetDescription d;
  geo::SceneInputs& in = d.inputs;
  geo::ScenePredictOptions& o = d.options;
  Status status;
  auto check = [&status](Status next) {
    if (status.ok() && !next.ok()) status = next;
  };

  check(ReadString(settings, "model", &o.model));
  ReadList(settings, "s2", &in.s2);
  ReadList(settings, "s2_bands", &in.s2_band_names);
  ReadList(settings, "s1", &in.s1);
  ReadList(settings, "s1_bands", &in.s1_band_names);
  check(ReadBool(settings, "s1_linear", &in.s1_linear));
  check(ReadString(settings, "s2_mask", &in.s2_mask));
  if (settings.count("s2_mask_invalid") != 0) {
    in.s2_mask_invalid_values.clear();
    for (const std::string& text : settings.at("s2_mask_invalid")) {
      char* end = nullptr;
      const long value = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0') {
        check(Status::InvalidArgument("'s2_mask_invalid': expected integers, got '" + text + "'"));
        break;
      }
      in.s2_mask_invalid_values.push_back(static_cast<int>(value));
    }
  }
  if (settings.count("s2_nodata") != 0) {
    const std::vector<std::string>& values = settings.at("s2_nodata");
    const std::string text = values.empty() ? "none" : Lower(values[0]);
    if (text == "none" || text == "nan" || text == "null") {
      o.s2_nodata = std::nan("");
    } else {
      check(ReadDouble(settings, "s2_nodata", &o.s2_nodata));
    }
  }
  check(ReadInt(settings, "stride", 0, &o.stride_px));
  check(ReadEnum(settings, "blend", geo::ParseBlendWindow, &o.blend));
  check(ReadDouble(settings, "gaussian_sigma", &o.gaussian_sigma));
  check(ReadEnum(settings, "edges", geo::ParseEdgeMode, &o.edges));
  check(ReadEnum(settings, "grid", geo::ParseOutputGrid, &o.grid));
  check(ReadEnum(settings, "head", ParseHeadChoice, &o.head));
  check(ReadDouble(settings, "max_nodata_fraction", &o.max_nodata_fraction));
  check(ReadString(settings, "device", &o.device));
  check(ReadString(settings, "precision", &o.precision));
  int64_t threads = o.num_threads;
  check(ReadInt(settings, "threads", 0, &threads));
  o.num_threads = static_cast<int>(threads);
  check(ReadInt(settings, "batch_size", 1, &o.batch_size));
  std::string output = "probabilities";
  check(ReadString(settings, "output", &output));
  int64_t block_size = d.block_size_px;
  check(ReadInt(settings, "block_size", 16, &block_size));
  d.block_size_px = static_cast<int>(std::min<int64_t>(block_size, 8192));
  check(ReadInt(settings, "cache_mb", 0, &d.cache_mb));
  if (!status.ok()) return status;

  output = Lower(output);
  if (output == "embeddings") {
    d.embeddings = true;
    // Embeddings exist per stride cell: the dataset is the coarse grid.
    o.grid = geo::OutputGrid::kCoarse;
  } else if (output != "probabilities") {
    return Status::InvalidArgument("'output': expected probabilities or embeddings, got '" +
                                   output + "'");
  }
  if (o.model.empty()) return Status::InvalidArgument("'model': no model bundle given");
  if (in.s2.empty() && in.s1.empty()) {
    return Status::InvalidArgument("no scene given: set 's2' and/or 's1'");
  }
  return d;
}

}  // namespace mosaic::gdal_driver
