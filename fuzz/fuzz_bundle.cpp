// Model bundles are data from anywhere: the container reader (magic, version,
// header CRC, JSON header, tensor table, ranges, CRCs) and the manifest parser
// must reject every malformed file with a Status, never crash or over-read.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "mosaic/bundle_format.h"
#include "mosaic/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = mosaic::fuzz::WriteInput(data, size, ".mosaic");
  mosaic::BundleReadLimits limits;
  limits.max_data_bytes = 64 << 20;  // keep each run small
  (void)mosaic::ReadBundleFile(path, limits);
  (void)mosaic::ReadBundleManifest(path, limits);
  // The manifest parser on its own, on the same bytes as JSON text.
  (void)mosaic::ManifestFromJson(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
