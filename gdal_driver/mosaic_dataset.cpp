#include "mosaic_dataset.h"

#include <cmath>
#include <cstring>
#include <exception>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

#include <nlohmann/json.hpp>

#include "driver_metadata.h"
#include "mosaic/manifest.h"

namespace mosaic::gdal_driver {

namespace {

constexpr size_t kMaxDescriptionBytes = 1 << 20;

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// Folder of a file name ("" for a bare name).
std::string Folder(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

StatusOr<Settings> ReadDescriptionFile(const std::string& path) {
  GByte* bytes = nullptr;
  vsi_l_offset size = 0;
  if (!VSIIngestFile(nullptr, path.c_str(), &bytes, &size, kMaxDescriptionBytes)) {
    CPLErrorReset();
    return Status::NotFound(path + ": cannot read the description file");
  }
  const std::string text(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
  VSIFree(bytes);
  StatusOr<Settings> settings = SettingsFromJson(text, Folder(path));
  if (!settings.ok()) return settings.status().WithContext(path);
  return settings;
}

// The settings a GDALOpenInfo names: description file or connection string,
// then the open options over them.
StatusOr<Settings> SettingsFor(GDALOpenInfo* open_info) {
  const std::string name = open_info->pszFilename;
  StatusOr<Settings> settings = Settings{};
  if (STARTS_WITH_CI(name.c_str(), kConnectionPrefix)) {
    const std::string rest = name.substr(std::strlen(kConnectionPrefix));
    if (rest.find('=') == std::string::npos) {
      settings = ReadDescriptionFile(rest);  // MOSAIC:path/to/description.json
    } else {
      settings = SettingsFromKeyValues(rest);
      if (!settings.ok()) settings = settings.status().WithContext(name);
    }
  } else {
    settings = ReadDescriptionFile(name);
  }
  if (!settings.ok()) return settings;
  StatusOr<Settings> options = SettingsFromNameValueList(open_info->papszOpenOptions);
  if (!options.ok()) return options.status().WithContext("open options");
  MergeSettings(*options, &*settings);
  return settings;
}

}  // namespace

// --- BlockCache ---------------------------------------------------------------

StatusOr<BlockCache::Block> BlockCache::Get(std::pair<int, int> key, const Compute& compute) {
  std::promise<StatusOr<Block>> promise;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == key) {
        entries_.splice(entries_.begin(), entries_, it);
        return it->second;
      }
    }
    auto pending = in_flight_.find(key);
    if (pending != in_flight_.end()) {
      std::shared_future<StatusOr<Block>> future = pending->second;
      mutex_.unlock();
      StatusOr<Block> result = future.get();
      mutex_.lock();
      return result;
    }
    in_flight_.emplace(key, promise.get_future().share());
  }
  StatusOr<Block> result = compute();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    in_flight_.erase(key);
    if (result.ok()) {
      entries_.emplace_front(key, *result);
      while (entries_.size() > capacity_) entries_.pop_back();
    }
  }
  promise.set_value(result);
  return result;
}

// --- MosaicDataset --------------------------------------------------------------

GDALDataset* MosaicDataset::Open(GDALOpenInfo* open_info) {
  if (open_info->eAccess == GA_Update) {
    CPLError(CE_Failure, CPLE_NotSupported, "MOSAIC: the driver is read-only");
    return nullptr;
  }
  StatusOr<Settings> settings = SettingsFor(open_info);
  StatusOr<DatasetDescription> description = settings.ok()
                                                 ? DescriptionFromSettings(*settings)
                                                 : StatusOr<DatasetDescription>(settings.status());
  if (!description.ok()) {
    CPLError(CE_Failure, CPLE_OpenFailed, "MOSAIC: %s", description.status().message().c_str());
    return nullptr;
  }
  // The host's GDAL cache is its own business: never resize it.
  description->options.gdal_cache_mb = 0;
  StatusOr<std::unique_ptr<geo::SceneSession>> session =
      geo::SceneSession::Open(description->inputs, description->options);
  if (!session.ok()) {
    CPLError(CE_Failure, CPLE_OpenFailed, "MOSAIC: %s: %s", open_info->pszFilename,
             session.status().ToString().c_str());
    return nullptr;
  }
  for (const std::string& notice : (*session)->notices()) {
    CPLDebug("MOSAIC", "%s", notice.c_str());
  }
  auto* dataset = new MosaicDataset(std::move(*description), std::move(*session));
  dataset->SetDescription(open_info->pszFilename);
  return dataset;
}

MosaicDataset::MosaicDataset(DatasetDescription description,
                             std::unique_ptr<geo::SceneSession> session)
    : description_(std::move(description)),
      session_(std::move(session)),
      geotransform_(session_->geotransform()),
      band_count_(description_.embeddings
                      ? static_cast<int>(session_->embedding_dim())
                      : static_cast<int>(session_->manifest().class_names.size())),
      cache_([this] {
        const int side = description_.block_size_px;
        const double block_mb = 4.0 * band_count_ * side * side / (1024.0 * 1024.0);
        return static_cast<size_t>(static_cast<double>(description_.cache_mb) / block_mb);
      }()) {
  nRasterXSize = static_cast<int>(session_->width());
  nRasterYSize = static_cast<int>(session_->height());
  srs_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  const std::string wkt = session_->crs_wkt();
  if (!wkt.empty()) srs_.importFromWkt(wkt.c_str());

  const ModelManifest& manifest = session_->manifest();
  const geo::ScenePredictOptions& o = description_.options;
  SetMetadataItem("MODEL", o.model.c_str());
  SetMetadataItem("MODEL_NAME", manifest.name.c_str());
  SetMetadataItem("MODEL_DESCRIPTION", manifest.description.c_str());
  // A JSON array: class names may hold commas.
  SetMetadataItem("CLASSES", nlohmann::json(manifest.class_names).dump().c_str());
  SetMetadataItem("CLASS_COUNT", CPLSPrintf("%d", static_cast<int>(manifest.class_names.size())));
  SetMetadataItem("S2_BANDS", Join(manifest.s2.bands, ",").c_str());
  SetMetadataItem("S1_BANDS", Join(manifest.s1.bands, ",").c_str());
  SetMetadataItem("PATCH_SIZE_PX",
                  CPLSPrintf("%lld", static_cast<long long>(manifest.patch_size_px)));
  SetMetadataItem("STRIDE_PX", CPLSPrintf("%lld", static_cast<long long>(session_->stride_px())));
  SetMetadataItem("BLEND", geo::BlendWindowName(o.blend));
  SetMetadataItem("EDGES", geo::EdgeModeName(o.edges));
  SetMetadataItem("GRID", geo::OutputGridName(o.grid));
  SetMetadataItem("OUTPUT", description_.embeddings ? "embeddings" : "probabilities");
  const std::string manifest_json = ManifestToJson(manifest);
  const char* json_list[] = {manifest_json.c_str(), nullptr};
  SetMetadata(const_cast<char**>(json_list), "json:MOSAIC_MANIFEST");
  SetMetadataItem("INTERLEAVE", "PIXEL", "IMAGE_STRUCTURE");

  const int block = std::min(description_.block_size_px, std::max(nRasterXSize, nRasterYSize));
  for (int b = 1; b <= band_count_; ++b) {
    const std::string name = description_.embeddings
                                 ? "embedding_" + std::to_string(b - 1)
                                 : manifest.class_names[static_cast<size_t>(b - 1)];
    SetBand(b, new MosaicRasterBand(this, b, block, name));
  }
}

#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 12, 0)
CPLErr MosaicDataset::GetGeoTransform(GDALGeoTransform& transform) const {
  for (int i = 0; i < 6; ++i) transform[i] = geotransform_[static_cast<size_t>(i)];
  return CE_None;
}
#else
CPLErr MosaicDataset::GetGeoTransform(double* transform) {
  std::copy(geotransform_.begin(), geotransform_.end(), transform);
  return CE_None;
}
#endif

const OGRSpatialReference* MosaicDataset::GetSpatialRef() const {
  return srs_.IsEmpty() ? nullptr : &srs_;
}

const char* MosaicDataset::GetMetadataItem(const char* name, const char* domain) {
  // Read-out for tests and profiling: how many windows went through the model.
  if (domain != nullptr && EQUAL(domain, "MOSAIC_DEBUG") && name != nullptr &&
      EQUAL(name, "WINDOWS_COMPUTED")) {
    debug_item_ = std::to_string(windows_computed_.load());
    return debug_item_.c_str();
  }
  return GDALDataset::GetMetadataItem(name, domain);
}

StatusOr<BlockCache::Block> MosaicDataset::ReadBlock(int block_x, int block_y) {
  return cache_.Get({block_x, block_y}, [&] { return ComputeBlock(block_x, block_y); });
}

StatusOr<BlockCache::Block> MosaicDataset::ComputeBlock(int block_x, int block_y) {
  int block_width = 0;
  int block_height = 0;
  GetRasterBand(1)->GetBlockSize(&block_width, &block_height);
  const int64_t x0 = static_cast<int64_t>(block_x) * block_width;
  const int64_t y0 = static_cast<int64_t>(block_y) * block_height;
  const int64_t width = std::min<int64_t>(block_width, nRasterXSize - x0);
  const int64_t height = std::min<int64_t>(block_height, nRasterYSize - y0);
  auto values =
      std::make_shared<std::vector<float>>(static_cast<size_t>(band_count_ * width * height));
  const Status status = description_.embeddings
                            ? session_->EmbedWindow(x0, y0, width, height, values->data())
                            : session_->PredictWindow(x0, y0, width, height, values->data());
  if (!status.ok()) return status;
  if (!description_.embeddings) {
    // mosaic predict's Float32 nodata, so that the numbers are the same.
    for (float& v : *values) {
      if (std::isnan(v)) v = geo::kFloatProbabilityNodata;
    }
  }
  const int64_t count = ++windows_computed_;
  CPLDebug("MOSAIC", "computed block %d,%d (%lldx%lld px at %lld,%lld); windows computed: %lld",
           block_x, block_y, static_cast<long long>(width), static_cast<long long>(height),
           static_cast<long long>(x0), static_cast<long long>(y0), static_cast<long long>(count));
  return BlockCache::Block(std::move(values));
}

// --- MosaicRasterBand -------------------------------------------------------------

MosaicRasterBand::MosaicRasterBand(MosaicDataset* dataset, int band, int block_size,
                                   const std::string& name) {
  poDS = dataset;
  nBand = band;
  eDataType = GDT_Float32;
  nBlockXSize = std::min(block_size, dataset->GetRasterXSize());
  nBlockYSize = std::min(block_size, dataset->GetRasterYSize());
  SetDescription(name.c_str());
  if (!dataset->embeddings()) {
    GDALRasterBand::SetMetadataItem("CLASS_INDEX", CPLSPrintf("%d", band - 1));
    GDALRasterBand::SetMetadataItem("CLASS_NAME", name.c_str());
  }
}

CPLErr MosaicRasterBand::IReadBlock(int block_x, int block_y, void* image) {
  auto* dataset = static_cast<MosaicDataset*>(poDS);
  StatusOr<BlockCache::Block> block = [&]() -> StatusOr<BlockCache::Block> {
    try {
      return dataset->ReadBlock(block_x, block_y);
    } catch (const std::exception& e) {  // e.g. std::bad_alloc: never into GDAL
      return Status::Internal(e.what());
    }
  }();
  if (!block.ok()) {
    CPLError(CE_Failure, CPLE_AppDefined, "MOSAIC: block %d,%d: %s", block_x, block_y,
             block.status().ToString().c_str());
    return CE_Failure;
  }
  const int x0 = block_x * nBlockXSize;
  const int y0 = block_y * nBlockYSize;
  const int width = std::min(nBlockXSize, nRasterXSize - x0);
  const int height = std::min(nBlockYSize, nRasterYSize - y0);
  const float* plane = (*block)->data() + static_cast<size_t>(nBand - 1) * width * height;
  auto* out = static_cast<float*>(image);
  if (width < nBlockXSize || height < nBlockYSize) {
    std::fill(out, out + static_cast<size_t>(nBlockXSize) * nBlockYSize,
              static_cast<float>(GetNoDataValue()));
  }
  for (int row = 0; row < height; ++row) {
    std::memcpy(out + static_cast<size_t>(row) * nBlockXSize,
                plane + static_cast<size_t>(row) * width, sizeof(float) * width);
  }
  return CE_None;
}

double MosaicRasterBand::GetNoDataValue(int* success) {
  if (success != nullptr) *success = TRUE;
  return static_cast<MosaicDataset*>(poDS)->embeddings()
             ? std::nan("")
             : static_cast<double>(geo::kFloatProbabilityNodata);
}

}  // namespace mosaic::gdal_driver
