// JSON text in the style of Python's json.dumps() defaults ("key": value,
// ", " between items, no newlines), which is how BigEarthNet's
// labels_metadata.json files are formatted.
#ifndef MOSAIC_GEO_PYTHON_JSON_H_
#define MOSAIC_GEO_PYTHON_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

namespace mosaic::geo::internal {

std::string PythonStyleJson(const nlohmann::ordered_json& json);

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_PYTHON_JSON_H_
