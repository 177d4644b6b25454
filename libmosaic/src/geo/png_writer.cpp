#include "mosaic/geo/png_writer.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "geo/gdal_env.h"

namespace mosaic::geo {
namespace {

// "<dir>/.<name>.tmp-<pid>-<n>.png", unique within the process and, through
// the pid, across processes.
std::string TempPathFor(const std::filesystem::path& destination) {
  static std::atomic<uint64_t> counter{0};
  const std::filesystem::path dir = destination.parent_path();
  const std::string name = "." + destination.filename().string() + ".tmp-" +
                           std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".png";
  return (dir.empty() ? std::filesystem::path(name) : dir / name).string();
}

void RemoveQuietly(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  std::filesystem::remove(path + ".aux.xml", ec);
}

}  // namespace

Status WriteRgbPng(const std::string& path, int64_t width, int64_t height, const uint8_t* rgb) {
  if (rgb == nullptr) return Status::InvalidArgument(path + ": no pixels to write");
  if (width < 1 || height < 1 || width > 65535 || height > 65535) {
    return Status::InvalidArgument(path + ": PNG sides must be 1..65535 px, got " +
                                   std::to_string(width) + " x " + std::to_string(height));
  }
  internal::EnsureGdalRegistered();
  internal::GdalErrorCapture errors;
  GDALDriverH mem_driver = GDALGetDriverByName("MEM");
  GDALDriverH png_driver = GDALGetDriverByName("PNG");
  if (mem_driver == nullptr || png_driver == nullptr) {
    return Status::Unsupported(path + ": this GDAL has no MEM or PNG driver");
  }
  internal::GdalDatasetPtr mem(GDALCreate(mem_driver, "", static_cast<int>(width),
                                          static_cast<int>(height), 3, GDT_Byte, nullptr));
  if (mem == nullptr) {
    return Status::Internal(internal::WithGdalMessage(path + ": cannot create MEM raster", errors));
  }
  const int bands[3] = {1, 2, 3};
  if (GDALDatasetRasterIO(mem.get(), GF_Write, 0, 0, static_cast<int>(width),
                          static_cast<int>(height), const_cast<uint8_t*>(rgb),
                          static_cast<int>(width), static_cast<int>(height), GDT_Byte, 3,
                          const_cast<int*>(bands), 3, static_cast<int>(3 * width), 1) != CE_None) {
    return Status::Internal(internal::WithGdalMessage(path + ": filling MEM raster", errors));
  }
  for (int b = 0; b < 3; ++b) {
    GDALSetRasterColorInterpretation(GDALGetRasterBand(mem.get(), b + 1),
                                     static_cast<GDALColorInterp>(GCI_RedBand + b));
  }
  const std::string temp = TempPathFor(path);
  // No .aux.xml side files: the PNG holds everything there is.
  CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", "NO");
  internal::GdalDatasetPtr png(
      GDALCreateCopy(png_driver, temp.c_str(), mem.get(), FALSE, nullptr, nullptr, nullptr));
  const bool created = png != nullptr;
  png.reset();  // flushes and closes the file
  CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", nullptr);
  if (!created || errors.HasFailure()) {
    RemoveQuietly(temp);
    return Status::IOError(internal::WithGdalMessage(path + ": cannot write PNG", errors));
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    RemoveQuietly(temp);
    return Status::IOError(path + ": cannot move the finished PNG into place: " + ec.message());
  }
  std::filesystem::remove(temp + ".aux.xml", ec);  // never expected; keep the folder clean
  return Status::OK();
}

}  // namespace mosaic::geo
