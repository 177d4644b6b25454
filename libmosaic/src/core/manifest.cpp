#include "mosaic/manifest.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace mosaic {
namespace {

using Json = nlohmann::json;

constexpr const char* kFormatName = "mosaic-model-bundle";
constexpr size_t kMaxClasses = 1000;

// Reads typed fields out of a JSON object, remembering the first error with
// the JSON path of the field (e.g. "manifest.s2.bands[2]").
class FieldReader {
 public:
  FieldReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

  const Status& status() const { return status_; }

  const Json* Get(const std::string& key, Json::value_t type, const char* expected,
                  bool required = true) {
    if (!status_.ok()) return nullptr;
    auto it = object_.find(key);
    if (it == object_.end()) {
      if (required) Fail(key, std::string("missing (expected ") + expected + ")");
      return nullptr;
    }
    const bool number_ok =
        type == Json::value_t::number_float && (it->is_number_integer() || it->is_number_float());
    const bool integer_ok = type == Json::value_t::number_integer && it->is_number_integer();
    if (!(it->type() == type || number_ok || integer_ok)) {
      Fail(key, std::string("expected ") + expected + ", got " + it->type_name());
      return nullptr;
    }
    return &*it;
  }

  std::string String(const std::string& key, bool required = true) {
    const Json* v = Get(key, Json::value_t::string, "a string", required);
    return v ? v->get<std::string>() : std::string();
  }

  int64_t Integer(const std::string& key, int64_t fallback, bool required = true) {
    const Json* v = Get(key, Json::value_t::number_integer, "an integer", required);
    return v ? v->get<int64_t>() : fallback;
  }

  double Number(const std::string& key, double fallback, bool required = true) {
    const Json* v = Get(key, Json::value_t::number_float, "a number", required);
    return v ? v->get<double>() : fallback;
  }

  std::vector<std::string> StringList(const std::string& key, bool required = true) {
    std::vector<std::string> out;
    const Json* v = Get(key, Json::value_t::array, "an array of strings", required);
    if (!v) return out;
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        Fail(key + "[" + std::to_string(i) + "]", "expected a string");
        return {};
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }

  std::vector<double> NumberList(const std::string& key) {
    std::vector<double> out;
    const Json* v = Get(key, Json::value_t::array, "an array of numbers");
    if (!v) return out;
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_number()) {
        Fail(key + "[" + std::to_string(i) + "]", "expected a number");
        return {};
      }
      out.push_back((*v)[i].get<double>());
    }
    return out;
  }

  void Fail(const std::string& key, const std::string& what) {
    if (status_.ok()) status_ = Status::Corruption(path_ + "." + key + ": " + what);
  }

 private:
  const Json& object_;
  std::string path_;
  Status status_;
};

Json ModalityToJson(const ModalitySpec& spec) {
  if (!spec.present()) return nullptr;
  return Json{
      {"encoder", spec.encoder},
      {"bands", spec.bands},
      {"normalization", {{"mean", spec.normalization.mean}, {"std", spec.normalization.std}}}};
}

Status ModalityFromJson(const Json& root, const std::string& key, ModalitySpec* spec) {
  auto it = root.find(key);
  if (it == root.end()) return Status::Corruption("manifest." + key + ": missing (null if absent)");
  if (it->is_null()) return Status::OK();
  if (!it->is_object()) {
    return Status::Corruption("manifest." + key + ": expected an object or null, got " +
                              it->type_name());
  }
  FieldReader reader(*it, "manifest." + key);
  spec->encoder = reader.String("encoder");
  spec->bands = reader.StringList("bands");
  const Json* norm = reader.Get("normalization", Json::value_t::object, "an object");
  MOSAIC_RETURN_IF_ERROR(reader.status());
  FieldReader norm_reader(*norm, "manifest." + key + ".normalization");
  spec->normalization.mean = norm_reader.NumberList("mean");
  spec->normalization.std = norm_reader.NumberList("std");
  return norm_reader.status();
}

Status ValidateModality(const ModalitySpec& spec, Modality modality) {
  const std::string path = std::string("manifest.") + ModalityName(modality);
  if (!spec.present()) {
    if (!spec.bands.empty()) {
      return Status::InvalidArgument(path + ".encoder: empty, but bands are listed");
    }
    return Status::OK();
  }
  const auto& names = KnownEncoderNames();
  if (std::find(names.begin(), names.end(), spec.encoder) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return Status::InvalidArgument(path + ".encoder: unknown encoder '" + spec.encoder +
                                   "', expected one of " + list);
  }
  Status bands = ValidateBandList(spec.bands, modality);
  if (!bands.ok()) return bands.WithContext(path + ".bands");
  const size_t n = spec.bands.size();
  if (spec.normalization.mean.size() != n || spec.normalization.std.size() != n) {
    return Status::InvalidArgument(path + ".normalization: expected " + std::to_string(n) +
                                   " means and stds (one per band), got " +
                                   std::to_string(spec.normalization.mean.size()) + " and " +
                                   std::to_string(spec.normalization.std.size()));
  }
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(spec.normalization.mean[i])) {
      return Status::InvalidArgument(path + ".normalization.mean[" + std::to_string(i) +
                                     "]: expected a finite number");
    }
    if (!std::isfinite(spec.normalization.std[i]) || spec.normalization.std[i] <= 0) {
      return Status::InvalidArgument(path + ".normalization.std[" + std::to_string(i) +
                                     "]: expected a finite number > 0");
    }
  }
  return Status::OK();
}

Status CheckJsonObject(const std::string& text, const std::string& path) {
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status::InvalidArgument(path + ": expected a JSON object");
  }
  return Status::OK();
}

std::string FormatList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace

const std::vector<std::string>& KnownEncoderNames() {
  static const std::vector<std::string> kNames = {"resnet18", "resnet34", "resnet50", "small_cnn"};
  return kNames;
}

Status ValidateManifest(const ModelManifest& m) {
  if (m.format_version != kBundleFormatVersion) {
    return Status::Unsupported("manifest.format_version: " + std::to_string(m.format_version) +
                               " is not supported by this build (expected " +
                               std::to_string(kBundleFormatVersion) + ")");
  }
  if (m.name.empty()) return Status::InvalidArgument("manifest.name: expected a non-empty string");
  MOSAIC_RETURN_IF_ERROR(ValidateModality(m.s1, Modality::kS1));
  MOSAIC_RETURN_IF_ERROR(ValidateModality(m.s2, Modality::kS2));
  if (!m.s1.present() && !m.s2.present()) {
    return Status::InvalidArgument("manifest: the model has neither an s1 nor an s2 stream");
  }
  if (m.class_names.empty() || m.class_names.size() > kMaxClasses) {
    return Status::InvalidArgument("manifest.classes: expected 1.." + std::to_string(kMaxClasses) +
                                   " class names, got " + std::to_string(m.class_names.size()));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < m.class_names.size(); ++i) {
    if (m.class_names[i].empty()) {
      return Status::InvalidArgument("manifest.classes[" + std::to_string(i) + "]: empty name");
    }
    if (!seen.insert(m.class_names[i]).second) {
      return Status::InvalidArgument("manifest.classes[" + std::to_string(i) + "]: '" +
                                     m.class_names[i] + "' is listed twice");
    }
  }
  auto in_range = [](int64_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; };
  if (!in_range(m.projection_dim, 1, 65536)) {
    return Status::InvalidArgument("manifest.architecture.projection_dim: expected 1..65536");
  }
  if (!in_range(m.projection_hidden_dim, 1, 65536)) {
    return Status::InvalidArgument(
        "manifest.architecture.projection_hidden_dim: expected 1..65536");
  }
  if (!in_range(m.small_cnn_width, 1, 4096)) {
    return Status::InvalidArgument("manifest.architecture.small_cnn_width: expected 1..4096");
  }
  if (!in_range(m.patch_size_px, 8, 8192)) {
    return Status::InvalidArgument("manifest.patch.size_px: expected 8..8192 pixels, got " +
                                   std::to_string(m.patch_size_px));
  }
  if (!std::isfinite(m.pixel_size_m) || m.pixel_size_m <= 0) {
    return Status::InvalidArgument("manifest.patch.pixel_size_m: expected a positive number");
  }
  MOSAIC_RETURN_IF_ERROR(CheckJsonObject(m.training_json, "manifest.training"));
  MOSAIC_RETURN_IF_ERROR(CheckJsonObject(m.provenance_json, "manifest.provenance"));
  return Status::OK();
}

std::string ManifestToJson(const ModelManifest& m) {
  Json root;
  root["format"] = kFormatName;
  root["format_version"] = m.format_version;
  root["name"] = m.name;
  root["description"] = m.description;
  root["architecture"] = {{"projection_dim", m.projection_dim},
                          {"projection_hidden_dim", m.projection_hidden_dim},
                          {"small_cnn_width", m.small_cnn_width}};
  root["s1"] = ModalityToJson(m.s1);
  root["s2"] = ModalityToJson(m.s2);
  root["classes"] = m.class_names;
  root["patch"] = {
      {"size_px", m.patch_size_px}, {"pixel_size_m", m.pixel_size_m}, {"size_m", m.patch_size_m()}};
  root["training"] = Json::parse(m.training_json, nullptr, false);
  root["provenance"] = Json::parse(m.provenance_json, nullptr, false);
  return root.dump(2);
}

StatusOr<ModelManifest> ManifestFromJson(const std::string& text) {
  Json root = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::Corruption("manifest: not valid JSON");
  if (!root.is_object()) return Status::Corruption("manifest: expected a JSON object");

  FieldReader reader(root, "manifest");
  if (reader.String("format") != kFormatName) {
    MOSAIC_RETURN_IF_ERROR(reader.status());
    return Status::Corruption(std::string("manifest.format: expected '") + kFormatName + "'");
  }
  ModelManifest m;
  m.format_version = static_cast<int>(reader.Integer("format_version", 0));
  MOSAIC_RETURN_IF_ERROR(reader.status());
  if (m.format_version != kBundleFormatVersion) {
    return Status::Unsupported("manifest.format_version: bundle format version " +
                               std::to_string(m.format_version) +
                               " is not supported by this build of mosaic (it reads version " +
                               std::to_string(kBundleFormatVersion) + ")");
  }
  m.name = reader.String("name");
  m.description = reader.String("description", /*required=*/false);
  m.class_names = reader.StringList("classes");
  const Json* arch = reader.Get("architecture", Json::value_t::object, "an object");
  const Json* patch = reader.Get("patch", Json::value_t::object, "an object");
  const Json* training = reader.Get("training", Json::value_t::object, "an object");
  const Json* provenance = reader.Get("provenance", Json::value_t::object, "an object");
  MOSAIC_RETURN_IF_ERROR(reader.status());

  FieldReader arch_reader(*arch, "manifest.architecture");
  m.projection_dim = arch_reader.Integer("projection_dim", 0);
  m.projection_hidden_dim = arch_reader.Integer("projection_hidden_dim", 0);
  m.small_cnn_width = arch_reader.Integer("small_cnn_width", 0);
  MOSAIC_RETURN_IF_ERROR(arch_reader.status());

  FieldReader patch_reader(*patch, "manifest.patch");
  m.patch_size_px = patch_reader.Integer("size_px", 0);
  m.pixel_size_m = patch_reader.Number("pixel_size_m", 0);
  MOSAIC_RETURN_IF_ERROR(patch_reader.status());

  m.training_json = training->dump();
  m.provenance_json = provenance->dump();
  MOSAIC_RETURN_IF_ERROR(ModalityFromJson(root, "s1", &m.s1));
  MOSAIC_RETURN_IF_ERROR(ModalityFromJson(root, "s2", &m.s2));
  MOSAIC_RETURN_IF_ERROR(ValidateManifest(m));
  return m;
}

std::string DescribeManifest(const ModelManifest& m) {
  std::ostringstream out;
  out << "Model:        " << m.name << "\n";
  if (!m.description.empty()) out << "Description:  " << m.description << "\n";
  out << "Format:       MoSAiC model bundle v" << m.format_version << "\n";
  out << "Patch:        " << m.patch_size_px << " x " << m.patch_size_px << " px at "
      << m.pixel_size_m << " m (" << m.patch_size_m() << " m)\n";
  out << "Projection:   " << m.projection_hidden_dim << " -> " << m.projection_dim
      << " (L2-normalised)\n";
  for (Modality modality : {Modality::kS1, Modality::kS2}) {
    const ModalitySpec& spec = modality == Modality::kS1 ? m.s1 : m.s2;
    const char* label = modality == Modality::kS1 ? "Sentinel-1" : "Sentinel-2";
    if (!spec.present()) {
      out << label << ":   (no stream)\n";
      continue;
    }
    out << label << ":   encoder " << spec.encoder
        << (spec.encoder == "small_cnn" ? " (width " + std::to_string(m.small_cnn_width) + ")" : "")
        << ", " << spec.bands.size() << " bands: " << FormatList(spec.bands) << "\n";
    out << "  band     mean        std\n";
    for (size_t i = 0; i < spec.bands.size(); ++i) {
      out << "  " << std::left << std::setw(6) << spec.bands[i] << std::right << std::fixed
          << std::setprecision(3) << std::setw(10) << spec.normalization.mean[i] << std::setw(11)
          << spec.normalization.std[i] << "\n";
      out.unsetf(std::ios::fixed);
    }
  }
  out << "Classes (" << m.class_names.size() << "):\n";
  for (size_t i = 0; i < m.class_names.size(); ++i) {
    out << "  " << std::setw(3) << i << "  " << m.class_names[i] << "\n";
  }
  out << "Training:     " << Json::parse(m.training_json, nullptr, false).dump() << "\n";
  out << "Provenance:   " << Json::parse(m.provenance_json, nullptr, false).dump() << "\n";
  return out.str();
}

}  // namespace mosaic
