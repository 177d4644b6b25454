// `mosaic batch` manifests (CSV and JSON) and shard specifications.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "mosaic/geo/batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)mosaic::geo::ReadBatchManifest(mosaic::fuzz::WriteInput(data, size, ".csv"));
  (void)mosaic::geo::ReadBatchManifest(mosaic::fuzz::WriteInput(data, size, ".json"));
  (void)mosaic::geo::ParseBatchShard(text);
  return 0;
}
