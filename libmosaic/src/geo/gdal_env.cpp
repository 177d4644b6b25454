#include "geo/gdal_env.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

namespace mosaic::geo::internal {

void EnsureGdalRegistered() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

GdalErrorCapture::GdalErrorCapture() { CPLPushErrorHandlerEx(&GdalErrorCapture::Handler, this); }

GdalErrorCapture::~GdalErrorCapture() { CPLPopErrorHandler(); }

void CPL_STDCALL GdalErrorCapture::Handler(CPLErr error_class, CPLErrorNum /*number*/,
                                           const char* message) {
  auto* self = static_cast<GdalErrorCapture*>(CPLGetErrorHandlerUserData());
  if (self == nullptr) return;
  const std::string text = message != nullptr ? message : "";
  if (error_class == CE_Failure || error_class == CE_Fatal) {
    self->failures_.push_back(text);
  } else if (error_class == CE_Warning) {
    self->warnings_.push_back(text);
  }
}

std::string GdalErrorCapture::Message() const {
  // GDAL repeats itself (one message per block that failed to write, say):
  // distinct messages only, and at most a few of them.
  constexpr size_t kMaxMessages = 3;
  const std::vector<std::string>& messages = failures_.empty() ? warnings_ : failures_;
  std::vector<std::string> distinct;
  for (const std::string& m : messages) {
    if (m.empty() || std::find(distinct.begin(), distinct.end(), m) != distinct.end()) continue;
    distinct.push_back(m);
  }
  std::string joined;
  for (size_t i = 0; i < distinct.size() && i < kMaxMessages; ++i) {
    if (!joined.empty()) joined += "; ";
    joined += distinct[i];
  }
  if (distinct.size() > kMaxMessages) {
    joined += " (and " + std::to_string(distinct.size() - kMaxMessages) + " more)";
  }
  return joined;
}

void GdalErrorCapture::Clear() {
  failures_.clear();
  warnings_.clear();
}

void GdalDatasetCloser::operator()(GDALDatasetH dataset) const {
  if (dataset != nullptr) GDALClose(dataset);
}

std::string WithGdalMessage(const std::string& context, const GdalErrorCapture& errors) {
  const std::string message = errors.Message();
  return message.empty() ? context : context + ": " + message;
}

StatusOr<GdalDatasetPtr> OpenRasterReadOnly(const std::string& path, GdalErrorCapture& errors) {
  EnsureGdalRegistered();
  if (path.rfind("/vsi", 0) != 0) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return Status::NotFound(path + ": no such file");
    }
    if (std::filesystem::is_directory(path, ec)) {
      return Status::InvalidArgument(path + ": is a directory, expected a raster file");
    }
  }
  GDALDatasetH handle =
      GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, nullptr,
                 nullptr, nullptr);
  if (handle == nullptr) {
    return Status::Corruption(WithGdalMessage(path + ": cannot be read as a raster", errors));
  }
  return GdalDatasetPtr(handle);
}

GDALRIOResampleAlg ToGdalResampling(Resampling resampling) {
  switch (resampling) {
    case Resampling::kNearest:
      return GRIORA_NearestNeighbour;
    case Resampling::kBilinear:
      return GRIORA_Bilinear;
    case Resampling::kCubic:
      return GRIORA_Cubic;
    case Resampling::kAverage:
      return GRIORA_Average;
  }
  return GRIORA_Bilinear;
}

const char* GdalResamplingArg(Resampling resampling) {
  switch (resampling) {
    case Resampling::kNearest:
      return "near";
    case Resampling::kBilinear:
      return "bilinear";
    case Resampling::kCubic:
      return "cubic";
    case Resampling::kAverage:
      return "average";
  }
  return "bilinear";
}

StatusOr<std::string> EpsgToWkt(int epsg) {
  EnsureGdalRegistered();
  GdalErrorCapture errors;
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  std::string wkt;
  const bool ok = OSRImportFromEPSG(srs, epsg) == OGRERR_NONE;
  if (ok) {
    char* text = nullptr;
    if (OSRExportToWkt(srs, &text) == OGRERR_NONE && text != nullptr) wkt = text;
    CPLFree(text);
  }
  OSRDestroySpatialReference(srs);
  if (!ok || wkt.empty()) {
    return Status::InvalidArgument(
        WithGdalMessage("EPSG:" + std::to_string(epsg) + " is not a known CRS", errors));
  }
  return wkt;
}

}  // namespace mosaic::geo::internal
