#include "geo/bigearthnet_names.h"

namespace mosaic::geo::internal {

StatusOr<std::string> ProductOfPatchName(const std::string& name, int trailing_fields) {
  size_t end = name.size();
  for (int i = 0; i < trailing_fields; ++i) {
    const size_t underscore = end == 0 ? std::string::npos : name.rfind('_', end - 1);
    if (underscore == std::string::npos || underscore == 0) {
      return Status::InvalidArgument("patch name '" + name + "': expected a product name and " +
                                     std::to_string(trailing_fields) +
                                     " trailing '_'-separated fields");
    }
    end = underscore;
  }
  return name.substr(0, end);
}

std::string PatchName(const std::string& prefix, int64_t h, int64_t v) {
  return prefix + "_" + std::to_string(h) + "_" + std::to_string(v);
}

}  // namespace mosaic::geo::internal
