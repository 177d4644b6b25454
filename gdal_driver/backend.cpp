// mosaic_gdal_backend.so: the entry points of backend_api.h (the dataset, the
// pixel function and the in-memory computation behind it).
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include "backend_api.h"
#include "description.h"
#include "mosaic/bundle_format.h"
#include "mosaic/geo/scene_predictor.h"
#include "mosaic/geo/scene_session.h"
#include "mosaic_dataset.h"

namespace mosaic::gdal_driver {
namespace {

// Pixel function arguments that are not scene settings.
const std::vector<std::string> kNonSettingArgs = {"class", "_vrt_path"};

std::string ResolveModel(CSLConstList args) {
  std::string model = CSLFetchNameValueDef(args, "model", "");
  const char* vrt_dir = CSLFetchNameValue(args, "_VRT_PATH");
  if (!model.empty() && model[0] != '/' && vrt_dir != nullptr && vrt_dir[0] != '\0') {
    model = std::string(vrt_dir) + "/" + model;
  }
  return model;
}

StatusOr<ModelManifest> ManifestFor(CSLConstList args) {
  const std::string model = ResolveModel(args);
  if (model.empty()) return Status::InvalidArgument("no 'model' argument");
  return ReadBundleManifest(model);
}

// Writes `bands` planes of Float32 into an uncompressed GeoTIFF in /vsimem.
Status WriteMemoryRaster(const std::string& path, const float* planes,
                         const std::vector<std::string>& band_names, int width, int height,
                         const double* geotransform, const OGRSpatialReference& srs) {
  GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
  if (gtiff == nullptr) return Status::Internal("GDAL has no GTiff driver");
  std::unique_ptr<GDALDataset> dataset(gtiff->Create(
      path.c_str(), width, height, static_cast<int>(band_names.size()), GDT_Float32, nullptr));
  if (dataset == nullptr) return Status::IOError(path + ": " + CPLGetLastErrorMsg());
  // The C API: its signature is the same in every GDAL version.
  GDALSetGeoTransform(GDALDataset::ToHandle(dataset.get()), const_cast<double*>(geotransform));
  dataset->SetSpatialRef(&srs);
  const size_t plane = static_cast<size_t>(width) * static_cast<size_t>(height);
  for (size_t b = 0; b < band_names.size(); ++b) {
    GDALRasterBand* band = dataset->GetRasterBand(static_cast<int>(b) + 1);
    band->SetDescription(band_names[b].c_str());
    if (band->RasterIO(GF_Write, 0, 0, width, height, const_cast<float*>(planes + b * plane), width,
                       height, GDT_Float32, 0, 0, nullptr) != CE_None) {
      return Status::IOError(path + ": " + CPLGetLastErrorMsg());
    }
  }
  return Status::OK();
}

// The models the pixel function has opened, by bundle, device, precision and
// threads: a VRT read window by window loads its model once.
StatusOr<std::shared_ptr<const geo::ScenePredictor>> CachedPredictor(
    const geo::ScenePredictOptions& options) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const geo::ScenePredictor>> predictors;
  const std::string key = options.model + "|" + options.device + "|" + options.precision + "|" +
                          std::to_string(options.num_threads);
  std::lock_guard<std::mutex> lock(mutex);
  auto it = predictors.find(key);
  if (it != predictors.end()) return it->second;
  StatusOr<std::unique_ptr<geo::ScenePredictor>> opened = geo::ScenePredictor::Open(options);
  if (!opened.ok()) return opened.status();
  std::shared_ptr<const geo::ScenePredictor> shared = std::move(*opened);
  predictors[key] = shared;
  return shared;
}

// The buffer handed to the pixel function, as a scene of its own: S2 bands
// then S1 bands written to /vsimem GeoTIFFs and opened by a SceneSession, so
// the patches, blending and nodata rules are the engine's. The window's
// position in the VRT is unknown (GDAL < 3.12 does not pass it), so the
// scene's edges are the window's edges.
Status PredictBuffer(const float* input, int input_bands, int width, int height,
                     const double* geotransform, CSLConstList args, float* output,
                     int output_bands) {
  StatusOr<ModelManifest> manifest = ManifestFor(args);
  if (!manifest.ok()) return manifest.status();
  const int classes = static_cast<int>(manifest->class_names.size());
  if (output_bands != classes) {
    return Status::InvalidArgument("expected " + std::to_string(classes) + " output bands");
  }
  const std::vector<std::string>& s2_bands = manifest->s2.bands;
  const std::vector<std::string>& s1_bands = manifest->s1.bands;
  const int n_s2 = static_cast<int>(s2_bands.size());
  const int n_s1 = static_cast<int>(s1_bands.size());
  bool use_s2 = false;
  bool use_s1 = false;
  if (n_s2 > 0 && n_s1 > 0 && input_bands == n_s2 + n_s1) {
    use_s2 = use_s1 = true;
  } else if (n_s2 > 0 && input_bands == n_s2) {
    use_s2 = true;
  } else if (n_s1 > 0 && input_bands == n_s1) {
    use_s1 = true;
  } else {
    return Status::InvalidArgument("got " + std::to_string(input_bands) +
                                   " sources; the model takes the S2 bands (" +
                                   std::to_string(n_s2) + ") then the S1 bands (" +
                                   std::to_string(n_s1) + ") in its order, or one modality alone");
  }

  StatusOr<Settings> settings = SettingsFromNameValueList(args, kNonSettingArgs);
  if (!settings.ok()) return settings.status();
  (*settings)["model"] = {ResolveModel(args)};
  (*settings)[use_s2 ? "s2" : "s1"] = {"(buffer)"};  // replaced below
  StatusOr<DatasetDescription> description = DescriptionFromSettings(*settings);
  if (!description.ok()) return description.status();
  description->options.gdal_cache_mb = 0;

  // A placeholder grid where the caller has none: the model's pixel size in a
  // metric CRS. Only the pixel grid matters to the engine.
  double transform[6] = {0.0, manifest->pixel_size_m, 0.0, 0.0, 0.0, -manifest->pixel_size_m};
  if (geotransform != nullptr) std::copy(geotransform, geotransform + 6, transform);
  OGRSpatialReference srs;
  srs.importFromEPSG(3857);

  static std::atomic<int64_t> counter{0};
  const std::string prefix = "/vsimem/mosaic_pixelfunction_" + std::to_string(++counter);
  const size_t plane = static_cast<size_t>(width) * static_cast<size_t>(height);
  description->inputs.s2.clear();
  description->inputs.s1.clear();
  description->inputs.s2_band_names.clear();
  description->inputs.s1_band_names.clear();
  description->inputs.s2_mask.clear();
  std::vector<std::string> files;
  Status status;
  if (use_s2) {
    files.push_back(prefix + "_s2.tif");
    status = WriteMemoryRaster(files.back(), input, s2_bands, width, height, transform, srs);
    description->inputs.s2 = {files.back()};
  }
  if (status.ok() && use_s1) {
    files.push_back(prefix + "_s1.tif");
    status = WriteMemoryRaster(files.back(), input + (use_s2 ? n_s2 : 0) * plane, s1_bands, width,
                               height, transform, srs);
    description->inputs.s1 = {files.back()};
  }
  if (status.ok()) {
    StatusOr<std::shared_ptr<const geo::ScenePredictor>> predictor =
        CachedPredictor(description->options);
    StatusOr<std::unique_ptr<geo::SceneSession>> session =
        predictor.ok() ? (*predictor)->OpenSession(description->inputs, description->options)
                       : StatusOr<std::unique_ptr<geo::SceneSession>>(predictor.status());
    if (!session.ok()) {
      status = session.status();
    } else if ((*session)->width() != width || (*session)->height() != height) {
      status = Status::InvalidArgument("the pixel function needs the dense grid");
    } else {
      status = (*session)->PredictWindow(0, 0, width, height, output);
    }
  }
  for (const std::string& file : files) VSIUnlink(file.c_str());
  if (!status.ok()) return status;
  for (size_t i = 0; i < plane * static_cast<size_t>(classes); ++i) {
    if (std::isnan(output[i])) output[i] = geo::kFloatProbabilityNodata;
  }
  return Status::OK();
}

// All classes of the last few windows, so that the class bands of one window
// cost one inference. Keyed by the arguments, the window size and a hash of
// the source values (the function is not told where the window is).
class WindowCache {
 public:
  using Result = std::shared_ptr<const std::vector<float>>;
  Result Find(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == key) {
        entries_.splice(entries_.begin(), entries_, it);
        return it->second;
      }
    }
    return nullptr;
  }
  void Add(const std::string& key, Result result) {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.emplace_front(key, std::move(result));
    while (entries_.size() > kCapacity) entries_.pop_back();
  }

 private:
  static constexpr size_t kCapacity = 4;
  std::mutex mutex_;
  std::list<std::pair<std::string, Result>> entries_;
};

WindowCache& PixelFunctionCache() {
  static WindowCache* cache = new WindowCache();  // never destroyed: used until exit
  return *cache;
}

uint64_t Fnv1a(const void* data, size_t size, uint64_t hash) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

CPLErr PixelFunction(void** sources, int source_count, void* data, int width, int height,
                     GDALDataType source_type, GDALDataType buffer_type, int pixel_space,
                     int line_space, CSLConstList args) {
  const char* class_arg = CSLFetchNameValue(args, "class");
  if (class_arg == nullptr) {
    CPLError(CE_Failure, CPLE_AppDefined, "mosaic pixel function: no 'class' argument");
    return CE_Failure;
  }
  StatusOr<ModelManifest> manifest = ManifestFor(args);
  if (!manifest.ok()) {
    CPLError(CE_Failure, CPLE_AppDefined, "mosaic pixel function: %s",
             manifest.status().ToString().c_str());
    return CE_Failure;
  }
  const std::vector<std::string>& names = manifest->class_names;
  int class_index = -1;
  for (size_t i = 0; i < names.size(); ++i) {
    if (EQUAL(names[i].c_str(), class_arg)) class_index = static_cast<int>(i);
  }
  if (class_index < 0) {
    char* end = nullptr;
    const long index = std::strtol(class_arg, &end, 10);
    if (*class_arg != '\0' && *end == '\0' && index >= 0 &&
        index < static_cast<long>(names.size())) {
      class_index = static_cast<int>(index);
    }
  }
  if (class_index < 0) {
    CPLError(CE_Failure, CPLE_AppDefined,
             "mosaic pixel function: class '%s' is neither a class name of the model nor an "
             "index below %d",
             class_arg, static_cast<int>(names.size()));
    return CE_Failure;
  }

  // The sources as Float32 planes (normally SourceTransferType is Float32).
  const size_t plane = static_cast<size_t>(width) * static_cast<size_t>(height);
  std::vector<float> input(plane * static_cast<size_t>(source_count));
  const int source_size = GDALGetDataTypeSizeBytes(source_type);
  for (int s = 0; s < source_count; ++s) {
    GDALCopyWords64(sources[s], source_type, source_size, input.data() + s * plane, GDT_Float32,
                    sizeof(float), static_cast<GPtrDiff_t>(plane));
  }
  std::string key;
  for (CSLConstList a = args; a != nullptr && *a != nullptr; ++a) {
    if (!STARTS_WITH_CI(*a, "class=")) key += std::string(*a) + ";";
  }
  key += CPLSPrintf("%dx%dx%d:%016llx", width, height, source_count,
                    static_cast<unsigned long long>(
                        Fnv1a(input.data(), input.size() * sizeof(float), 1469598103934665603ull)));

  WindowCache::Result result = PixelFunctionCache().Find(key);
  if (result == nullptr) {
    auto classes = std::make_shared<std::vector<float>>(plane * names.size());
    const Status status = PredictBuffer(input.data(), source_count, width, height, nullptr, args,
                                        classes->data(), static_cast<int>(names.size()));
    if (!status.ok()) {
      CPLError(CE_Failure, CPLE_AppDefined, "mosaic pixel function: %s", status.ToString().c_str());
      return CE_Failure;
    }
    CPLDebug("MOSAIC", "pixel function: computed a %dx%d window", width, height);
    result = classes;
    PixelFunctionCache().Add(key, result);
  }
  const float* values = result->data() + static_cast<size_t>(class_index) * plane;
  for (int row = 0; row < height; ++row) {
    GDALCopyWords(values + static_cast<size_t>(row) * width, GDT_Float32, sizeof(float),
                  static_cast<GByte*>(data) + static_cast<GPtrDiff_t>(line_space) * row,
                  buffer_type, pixel_space, width);
  }
  return CE_None;
}

}  // namespace
}  // namespace mosaic::gdal_driver

// --- The C entry points (backend_api.h) ---------------------------------------

using mosaic::gdal_driver::MosaicDataset;

extern "C" CPL_DLL GDALDataset* MosaicBackendOpen(GDALOpenInfo* open_info) {
  try {
    return MosaicDataset::Open(open_info);
  } catch (const std::exception& e) {
    CPLError(CE_Failure, CPLE_AppDefined, "MOSAIC: %s", e.what());
  } catch (...) {
    CPLError(CE_Failure, CPLE_AppDefined, "MOSAIC: unknown error");
  }
  return nullptr;
}

extern "C" CPL_DLL CPLErr MosaicBackendPixelFunction(void** sources, int source_count, void* data,
                                                     int width, int height,
                                                     GDALDataType source_type,
                                                     GDALDataType buffer_type, int pixel_space,
                                                     int line_space, CSLConstList args) {
  try {
    return mosaic::gdal_driver::PixelFunction(sources, source_count, data, width, height,
                                              source_type, buffer_type, pixel_space, line_space,
                                              args);
  } catch (const std::exception& e) {
    CPLError(CE_Failure, CPLE_AppDefined, "mosaic pixel function: %s", e.what());
  } catch (...) {
    CPLError(CE_Failure, CPLE_AppDefined, "mosaic pixel function: unknown error");
  }
  return CE_Failure;
}

extern "C" CPL_DLL CPLErr MosaicBackendPredictBuffer(const float* input, int input_bands, int width,
                                                     int height, const double* geotransform,
                                                     CSLConstList args, float* output,
                                                     int output_bands) {
  try {
    const mosaic::Status status = mosaic::gdal_driver::PredictBuffer(
        input, input_bands, width, height, geotransform, args, output, output_bands);
    if (status.ok()) return CE_None;
    CPLError(CE_Failure, CPLE_AppDefined, "MosaicPredict: %s", status.ToString().c_str());
  } catch (const std::exception& e) {
    CPLError(CE_Failure, CPLE_AppDefined, "MosaicPredict: %s", e.what());
  }
  return CE_Failure;
}

extern "C" CPL_DLL int MosaicBackendClassCount(CSLConstList args) {
  try {
    mosaic::StatusOr<mosaic::ModelManifest> manifest = mosaic::gdal_driver::ManifestFor(args);
    if (manifest.ok()) return static_cast<int>(manifest->class_names.size());
    CPLError(CE_Failure, CPLE_AppDefined, "MosaicPredict: %s",
             manifest.status().ToString().c_str());
  } catch (const std::exception& e) {
    CPLError(CE_Failure, CPLE_AppDefined, "MosaicPredict: %s", e.what());
  }
  return -1;
}
