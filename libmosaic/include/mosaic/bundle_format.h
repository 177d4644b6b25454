// The MoSAiC model bundle container: one file holding a JSON manifest and
// named raw tensors. It is data, never code: no pickles, no TorchScript.
//
// Layout (all integers little-endian; see docs/bundle-format.md):
//   0   8 bytes  magic "MOSAICMB"
//   8   u32      container version (== kBundleFormatVersion)
//   12  u32      CRC-32 of the header JSON
//   16  u64      header length H
//   24  H bytes  header JSON {"manifest": {...}, "tensors": [...], "data_nbytes": D}
//       padding  zeros up to a multiple of 64
//       D bytes  tensor data; each tensor 64-byte aligned, at its "offset" from here
// The file ends exactly after the data: a shorter file is truncated, a longer
// one corrupt. Every tensor entry carries the CRC-32 of its bytes.
//
// Torch-free. Functions are thread-safe (no shared state).
#ifndef MOSAIC_BUNDLE_FORMAT_H_
#define MOSAIC_BUNDLE_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/manifest.h"
#include "mosaic/status.h"

namespace mosaic {

enum class TensorDType { kFloat32, kFloat64, kInt64 };

MOSAIC_EXPORT const char* TensorDTypeName(TensorDType dtype);  // "float32", ...
MOSAIC_EXPORT size_t TensorDTypeSize(TensorDType dtype);       // bytes per element

// One named tensor, row-major, little-endian bytes.
struct BundleTensor {
  std::string name;  // state_dict key, e.g. "s2_encoder.conv1.weight"
  TensorDType dtype = TensorDType::kFloat32;
  std::vector<int64_t> shape;  // empty for a scalar
  std::vector<uint8_t> data;   // exactly product(shape) * TensorDTypeSize(dtype) bytes
};

struct BundleContents {
  ModelManifest manifest;
  std::vector<BundleTensor> tensors;  // in file order
};

// Safety limits applied while reading untrusted files.
struct BundleReadLimits {
  uint64_t max_header_bytes = 16ull << 20;  // 16 MiB of JSON
  uint64_t max_data_bytes = 8ull << 30;     // 8 GiB of tensor data
  uint64_t max_tensors = 100000;
  int max_rank = 8;
};

// Writes `contents` to `path` atomically: the bytes go to a temporary file in
// the same directory which is renamed over `path` only when complete, so a
// failure never leaves a partial bundle (nor destroys an existing file).
// Validates the manifest and every tensor's size first.
MOSAIC_EXPORT Status WriteBundleFile(const std::string& path, const BundleContents& contents);

// Reads and verifies a whole bundle: magic, version, header CRC, manifest,
// tensor table (names unique, dtypes known, shapes and byte counts consistent,
// offsets aligned, in range and non-overlapping), file size, tensor CRCs.
// Errors name the file and what is wrong: NotFound/IOError for the file system,
// Corruption for damaged or foreign files, Unsupported for newer versions.
MOSAIC_EXPORT StatusOr<BundleContents> ReadBundleFile(const std::string& path,
                                                      const BundleReadLimits& limits = {});

// Reads only the manifest (header), checking magic, version, header CRC and that
// the file size matches the header. Tensor bytes are not read or checksummed.
MOSAIC_EXPORT StatusOr<ModelManifest> ReadBundleManifest(const std::string& path,
                                                         const BundleReadLimits& limits = {});

// CRC-32 (IEEE 802.3, as zlib's crc32) of a byte range.
MOSAIC_EXPORT uint32_t Crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace mosaic

#endif  // MOSAIC_BUNDLE_FORMAT_H_
