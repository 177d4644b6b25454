#include "geo/scene_raster_writer.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>

#include "geo/gdal_env.h"

namespace mosaic::geo::internal {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kTileSize = 256;  // output tiles are kTileSize x kTileSize

std::string TempSibling(const std::string& path, const char* tag) {
  static std::atomic<int> counter{0};
  const fs::path p(path);
  const std::string name = "." + p.filename().string() + "." + tag + "-" +
                           std::to_string(::getpid()) + "-" + std::to_string(counter++);
  return (p.parent_path() / name).string();
}

void RemoveDataset(const std::string& path) {
  if (path.empty()) return;
  std::error_code ec;
  fs::remove(path, ec);
  fs::remove(path + ".aux.xml", ec);
  fs::remove(path + ".ovr", ec);
}

GDALDataType DataType(OutputKind kind) {
  return kind == OutputKind::kProbabilityFloat || kind == OutputKind::kEmbedding ? GDT_Float32
                                                                                 : GDT_Byte;
}

// Progress adaptor: GDAL's callback into SceneProgress.
struct ProgressBridge {
  const SceneProgress* progress;
  const char* stage;
};
// Whether [begin, begin + size) along an axis of `total` pixels is made of
// whole kTileSize tiles (the last one may end at the raster's edge).
bool CoversWholeTiles(int64_t begin, int64_t size, int64_t total) {
  const int64_t end = begin + size;
  return begin % kTileSize == 0 && (end % kTileSize == 0 || end == total);
}

// GTiff/COG NUM_THREADS creation option: 0 = every CPU core.
std::string NumThreadsOption(int threads) {
  return threads > 0 ? "NUM_THREADS=" + std::to_string(threads) : "NUM_THREADS=ALL_CPUS";
}

int CPL_STDCALL BridgeProgress(double fraction, const char*, void* data) {
  const auto* bridge = static_cast<ProgressBridge*>(data);
  if (bridge->progress == nullptr || !*bridge->progress) return TRUE;
  return (*bridge->progress)(fraction, bridge->stage) ? TRUE : FALSE;
}

}  // namespace

MemorySink::MemorySink(int64_t bands, int64_t x0, int64_t y0, int64_t width, int64_t height,
                       float* out)
    : bands_(bands), x0_(x0), y0_(y0), width_(width), height_(height), out_(out) {}

Status MemorySink::Write(int64_t x0, int64_t y0, int64_t width, int64_t height, float* values) {
  const int64_t cx0 = std::max(x0, x0_), cx1 = std::min(x0 + width, x0_ + width_);
  const int64_t cy0 = std::max(y0, y0_), cy1 = std::min(y0 + height, y0_ + height_);
  if (cx0 >= cx1 || cy0 >= cy1) return Status::OK();
  for (int64_t b = 0; b < bands_; ++b) {
    for (int64_t y = cy0; y < cy1; ++y) {
      const float* src = values + (b * height + (y - y0)) * width + (cx0 - x0);
      float* dst = out_ + (b * height_ + (y - y0_)) * width_ + (cx0 - x0_);
      std::copy(src, src + (cx1 - cx0), dst);
    }
  }
  return Status::OK();
}

Status CheckOutputPath(const std::string& option, const std::string& path, bool overwrite) {
  if (path.empty()) return Status::InvalidArgument(option + ": no output file given");
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return Status::InvalidArgument(option + " " + path + ": is a folder, expected a file name");
  }
  if (fs::exists(path, ec) && !overwrite) {
    return Status::InvalidArgument(option + " " + path +
                                   ": file exists; pass --overwrite to replace it");
  }
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec)) {
    return Status::InvalidArgument(option + " " + path + ": folder " + parent.string() +
                                   " does not exist");
  }
  if (::access(parent.c_str(), W_OK) != 0) {
    return Status::InvalidArgument(option + " " + path + ": folder " + parent.string() +
                                   " is not writable");
  }
  return Status::OK();
}

struct OutputRaster::Impl {
  OutputRasterSpec spec;
  std::string temp_path;   // the GTiff being written
  std::string final_temp;  // what Commit() renames (the GTiff or its COG copy)
  GDALDatasetH dataset = nullptr;
  bool committed = false;
  std::vector<uint8_t> bytes;

  ~Impl() {
    if (dataset != nullptr) GDALClose(dataset);
    if (!committed) {
      RemoveDataset(temp_path);
      RemoveDataset(final_temp);
    }
  }
};

OutputRaster::OutputRaster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OutputRaster::~OutputRaster() {
  GdalErrorCapture errors;  // closing may report; keep it off stderr
  impl_.reset();
}

int OutputRaster::band_count() const {
  return static_cast<int>(impl_->spec.band_descriptions.size());
}

StatusOr<std::unique_ptr<OutputRaster>> OutputRaster::Create(const OutputRasterSpec& spec) {
  MOSAIC_RETURN_IF_ERROR(CheckOutputPath(spec.option, spec.path, spec.overwrite));
  EnsureGdalRegistered();
  GdalErrorCapture errors;
  auto impl = std::make_unique<Impl>();
  impl->spec = spec;
  impl->temp_path = TempSibling(spec.path, "part");
  GDALDriverH driver = GDALGetDriverByName("GTiff");
  const bool byte = DataType(spec.kind) == GDT_Byte;
  CPLStringList options;
  options.AddString("TILED=YES");
  options.AddString(("BLOCKXSIZE=" + std::to_string(kTileSize)).c_str());
  options.AddString(("BLOCKYSIZE=" + std::to_string(kTileSize)).c_str());
  // A COG is re-encoded at the end: its intermediate file favours speed.
  const std::string compress = spec.format == OutputFormat::kCOG ? "zstd" : spec.compress;
  if (compress == "zstd") {
    options.AddString("COMPRESS=ZSTD");
    options.AddString("ZSTD_LEVEL=1");
  } else if (compress == "deflate") {
    options.AddString("COMPRESS=DEFLATE");
  } else if (compress == "lzw") {
    options.AddString("COMPRESS=LZW");
  }
  if (compress != "none") {
    options.AddString(byte ? "PREDICTOR=2" : "PREDICTOR=3");
    // Tiles are compressed by GDAL's worker threads while the pass goes on
    // blending; on a 2-core machine this is a fifth of the wall time.
    options.AddString(NumThreadsOption(spec.encode_threads).c_str());
  }
  options.AddString("INTERLEAVE=BAND");
  options.AddString("PHOTOMETRIC=MINISBLACK");  // not RGB, whatever the band count
  options.AddString("BIGTIFF=IF_SAFER");
  const int bands = static_cast<int>(spec.band_descriptions.size());
  impl->dataset =
      GDALCreate(driver, impl->temp_path.c_str(), static_cast<int>(spec.width),
                 static_cast<int>(spec.height), bands, DataType(spec.kind), options.List());
  if (impl->dataset == nullptr) {
    return Status::IOError(
        WithGdalMessage(spec.option + " " + spec.path + ": cannot create", errors));
  }
  GDALSetGeoTransform(impl->dataset, const_cast<double*>(spec.geotransform.data()));
  GDALSetProjection(impl->dataset, spec.crs_wkt.c_str());
  for (const auto& [key, value] : spec.metadata) {
    GDALSetMetadataItem(impl->dataset, key.c_str(), value.c_str(), nullptr);
  }
  for (int b = 0; b < bands; ++b) {
    GDALRasterBandH band = GDALGetRasterBand(impl->dataset, b + 1);
    GDALSetDescription(band, spec.band_descriptions[b].c_str());
    switch (spec.kind) {
      case OutputKind::kProbabilityFloat:
        GDALSetRasterNoDataValue(band, kFloatProbabilityNodata);
        break;
      case OutputKind::kProbabilityByte:
        GDALSetRasterNoDataValue(band, kByteProbabilityNodata);
        GDALSetRasterScale(band, 1.0 / 254.0);
        GDALSetRasterOffset(band, 0.0);
        break;
      case OutputKind::kLabels:
        GDALSetRasterNoDataValue(band, 0);
        break;
      case OutputKind::kEmbedding:
        GDALSetRasterNoDataValue(band, std::nan(""));
        break;
    }
  }
  if (errors.HasFailure()) {
    return Status::IOError(
        WithGdalMessage(spec.option + " " + spec.path + ": cannot set up", errors));
  }
  return std::unique_ptr<OutputRaster>(new OutputRaster(std::move(impl)));
}

Status OutputRaster::Write(int64_t x0, int64_t y0, int64_t width, int64_t height, float* values) {
  Impl& r = *impl_;
  GdalErrorCapture errors;
  const int64_t n = width * height;
  const int bands = band_count();
  void* buffer = nullptr;
  GDALDataType type = DataType(r.spec.kind);
  if (type == GDT_Byte) {
    r.bytes.resize(static_cast<size_t>(n * bands));
    for (int64_t i = 0; i < n * bands; ++i) {
      const float v = values[i];
      switch (r.spec.kind) {
        case OutputKind::kProbabilityByte:
          r.bytes[i] =
              std::isnan(v)
                  ? static_cast<uint8_t>(kByteProbabilityNodata)
                  : static_cast<uint8_t>(std::lround(254.0f * std::min(1.0f, std::max(0.0f, v))));
          break;
        default:  // kLabels
          r.bytes[i] = static_cast<uint8_t>(v);
          break;
      }
    }
    buffer = r.bytes.data();
  } else if (r.spec.kind == OutputKind::kProbabilityFloat) {
    // In place: the caller's block is scratch once handed over.
    for (int64_t i = 0; i < n * bands; ++i) {
      if (std::isnan(values[i])) values[i] = kFloatProbabilityNodata;
    }
    buffer = values;
  } else {
    buffer = values;
  }
  const CPLErr result = GDALDatasetRasterIO(
      r.dataset, GF_Write, static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(width),
      static_cast<int>(height), buffer, static_cast<int>(width), static_cast<int>(height), type,
      bands, nullptr, 0, 0, 0);
  // When the pass hands over whole tiles (dense strips do), have them
  // compressed and written now, while the other stages keep running, instead
  // of piling up in GDAL's block cache until Finish (which would then run
  // alone, after the last patch). Partial tiles (coarse-grid strips) wait for
  // the next strip: flushing them would encode each tile twice.
  if (result == CE_None && CoversWholeTiles(x0, width, r.spec.width) &&
      CoversWholeTiles(y0, height, r.spec.height)) {
    GDALFlushCache(r.dataset);
  }
  if (result != CE_None || errors.HasFailure()) {
    return Status::IOError(
        WithGdalMessage(r.spec.option + " " + r.spec.path + ": writing failed", errors));
  }
  return Status::OK();
}

Status OutputRaster::Finish(const SceneProgress& progress) {
  Impl& r = *impl_;
  GdalErrorCapture errors;
  const std::string name = r.spec.option + " " + r.spec.path;
  const bool categorical = r.spec.kind == OutputKind::kLabels;
  const char* resampling = categorical ? "NEAREST" : "AVERAGE";
  if (r.spec.overviews && r.spec.format == OutputFormat::kGTiff) {
    std::vector<int> factors;
    for (int f = 2; r.spec.width / f >= 128 || r.spec.height / f >= 128; f *= 2)
      factors.push_back(f);
    if (!factors.empty()) {
      CPLSetThreadLocalConfigOption("COMPRESS_OVERVIEW", "DEFLATE");
      ProgressBridge bridge{&progress, "overviews"};
      const CPLErr result =
          GDALBuildOverviews(r.dataset, resampling, static_cast<int>(factors.size()),
                             factors.data(), 0, nullptr, BridgeProgress, &bridge);
      CPLSetThreadLocalConfigOption("COMPRESS_OVERVIEW", nullptr);
      if (result != CE_None) {
        return errors.HasFailure()
                   ? Status::IOError(WithGdalMessage(name + ": overviews failed", errors))
                   : Status::Cancelled(name + ": cancelled while building overviews");
      }
    }
  }
  GDALFlushCache(r.dataset);
  GDALClose(r.dataset);
  r.dataset = nullptr;
  if (errors.HasFailure()) {
    return Status::IOError(WithGdalMessage(name + ": writing failed", errors));
  }
  r.final_temp = r.temp_path;
  if (r.spec.format == OutputFormat::kCOG) {
    GDALDriverH cog = GDALGetDriverByName("COG");
    if (cog == nullptr) return Status::Unsupported(name + ": this GDAL has no COG driver");
    GDALDatasetH source = GDALOpen(r.temp_path.c_str(), GA_ReadOnly);
    if (source == nullptr)
      return Status::IOError(WithGdalMessage(name + ": reopening failed", errors));
    const std::string cog_path = TempSibling(r.spec.path, "cog");
    CPLStringList options;
    options.AddString(r.spec.compress == "none"   ? "COMPRESS=NONE"
                      : r.spec.compress == "zstd" ? "COMPRESS=ZSTD"
                      : r.spec.compress == "lzw"  ? "COMPRESS=LZW"
                                                  : "COMPRESS=DEFLATE");
    if (r.spec.compress != "none") {
      options.AddString("PREDICTOR=YES");
      options.AddString(NumThreadsOption(r.spec.encode_threads).c_str());
    }
    options.AddString(("BLOCKSIZE=" + std::to_string(kTileSize)).c_str());
    options.AddString("BIGTIFF=IF_SAFER");
    options.AddString((std::string("OVERVIEW_RESAMPLING=") + resampling).c_str());
    ProgressBridge bridge{&progress, "cog"};
    r.final_temp = cog_path;  // removed by ~Impl if anything below fails
    GDALDatasetH copy = GDALCreateCopy(cog, cog_path.c_str(), source, FALSE, options.List(),
                                       BridgeProgress, &bridge);
    GDALClose(source);
    if (copy == nullptr) {
      return errors.HasFailure()
                 ? Status::IOError(WithGdalMessage(name + ": writing the COG failed", errors))
                 : Status::Cancelled(name + ": cancelled while writing the COG");
    }
    GDALClose(copy);
    if (errors.HasFailure())
      return Status::IOError(WithGdalMessage(name + ": writing the COG failed", errors));
    RemoveDataset(r.temp_path);
    r.temp_path.clear();
  }
  return Status::OK();
}

Status OutputRaster::Commit() {
  Impl& r = *impl_;
  std::error_code ec;
  fs::rename(r.final_temp, r.spec.path, ec);
  if (ec) {
    return Status::IOError(r.spec.option + " " + r.spec.path +
                           ": cannot move the finished file into place: " + ec.message());
  }
  // GDAL keeps what TIFF tags cannot hold in a sidecar; it travels with the
  // file, and a stale sidecar of an overwritten file must not survive.
  if (fs::exists(r.final_temp + ".aux.xml", ec)) {
    fs::rename(r.final_temp + ".aux.xml", r.spec.path + ".aux.xml", ec);
  } else {
    fs::remove(r.spec.path + ".aux.xml", ec);
  }
  r.committed = true;
  return Status::OK();
}

}  // namespace mosaic::geo::internal
