#include "geo/python_json.h"

namespace mosaic::geo::internal {

std::string PythonStyleJson(const nlohmann::ordered_json& json) {
  if (json.is_object()) {
    std::string out = "{";
    bool first = true;
    for (auto it = json.begin(); it != json.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      out += nlohmann::ordered_json(it.key()).dump() + ": " + PythonStyleJson(it.value());
    }
    return out + "}";
  }
  if (json.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < json.size(); ++i) {
      if (i > 0) out += ", ";
      out += PythonStyleJson(json[i]);
    }
    return out + "]";
  }
  return json.dump();
}

}  // namespace mosaic::geo::internal
