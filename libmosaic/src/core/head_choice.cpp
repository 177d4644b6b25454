// ParseHeadChoice (mosaic/patch_classifier.h): plain string parsing, kept in
// the torch-free layer so that parsers built on it (the GDAL driver's
// description, the fuzz targets) need no LibTorch.
#include "mosaic/patch_classifier.h"

namespace mosaic {

StatusOr<HeadChoice> ParseHeadChoice(const std::string& name) {
  if (name == "auto") return HeadChoice::kAuto;
  if (name == "fused") return HeadChoice::kFused;
  if (name == "s1") return HeadChoice::kS1;
  if (name == "s2") return HeadChoice::kS2;
  return Status::InvalidArgument("head '" + name + "': expected auto, fused, s1 or s2");
}

}  // namespace mosaic
