#include "mosaic/bundle_format.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "mosaic/atomic_file.h"

namespace mosaic {
namespace {

using Json = nlohmann::json;

constexpr char kMagic[8] = {'M', 'O', 'S', 'A', 'I', 'C', 'M', 'B'};
constexpr size_t kPrefixBytes = 24;  // magic + version + crc + header length
constexpr uint64_t kAlignment = 64;

uint64_t AlignUp(uint64_t value) { return (value + kAlignment - 1) / kAlignment * kAlignment; }

void PutU32(uint8_t* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
void PutU64(uint8_t* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t GetU32(const uint8_t* in) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | in[i];
  return v;
}
uint64_t GetU64(const uint8_t* in) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | in[i];
  return v;
}

StatusOr<TensorDType> ParseDType(const std::string& name) {
  if (name == "float32") return TensorDType::kFloat32;
  if (name == "float64") return TensorDType::kFloat64;
  if (name == "int64") return TensorDType::kInt64;
  return Status::Corruption("unknown tensor dtype '" + name + "'");
}

// Product of dims times element size, or an error on negative dims / overflow.
StatusOr<uint64_t> ByteCount(const std::vector<int64_t>& shape, TensorDType dtype) {
  uint64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) return Status::Corruption("negative dimension");
    if (dim != 0 && count > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(dim)) {
      return Status::Corruption("shape overflows");
    }
    count *= static_cast<uint64_t>(dim);
  }
  const uint64_t size = TensorDTypeSize(dtype);
  if (count > std::numeric_limits<uint64_t>::max() / size)
    return Status::Corruption("shape overflows");
  return count * size;
}

// What the fixed-size prefix and the header JSON of a bundle say.
struct ParsedHeader {
  ModelManifest manifest;
  struct Entry {
    std::string name;
    TensorDType dtype;
    std::vector<int64_t> shape;
    uint64_t offset;
    uint64_t nbytes;
    uint32_t crc32;
  };
  std::vector<Entry> entries;
  uint64_t data_start = 0;
  uint64_t data_nbytes = 0;
};

Status Corrupt(const std::string& path, const std::string& what) {
  return Status::Corruption("model bundle '" + path + "': " + what);
}

// Opens `path`, reads and verifies the prefix and header. Leaves `in` positioned
// anywhere; callers seek to data_start.
StatusOr<ParsedHeader> ReadHeader(const std::string& path, std::ifstream& in,
                                  const BundleReadLimits& limits) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::NotFound("model bundle '" + path + "' does not exist");
  if (fs::is_directory(path, ec)) {
    return Status::InvalidArgument("model bundle '" + path + "' is a directory, expected a file");
  }
  const uint64_t file_size = fs::file_size(path, ec);
  if (ec) return Status::IOError("model bundle '" + path + "': " + ec.message());
  in.open(path, std::ios::binary);
  if (!in) return Status::IOError("model bundle '" + path + "' cannot be opened for reading");

  std::array<uint8_t, kPrefixBytes> prefix{};
  in.read(reinterpret_cast<char*>(prefix.data()), prefix.size());
  const size_t got = static_cast<size_t>(in.gcount());
  if (got >= 4 && prefix[0] == 'P' && prefix[1] == 'K' && prefix[2] == 3 && prefix[3] == 4) {
    return Corrupt(path,
                   "this is a ZIP archive (e.g. a PyTorch .pt / TorchScript file), not a MoSAiC "
                   "model bundle; import PyTorch weights with scripts/import-pytorch-weights.py");
  }
  if (got < sizeof(kMagic) || std::memcmp(prefix.data(), kMagic, sizeof(kMagic)) != 0) {
    if (got < sizeof(kMagic) && file_size < sizeof(kMagic)) {
      return Corrupt(path, "file is only " + std::to_string(file_size) +
                               " bytes long; not a MoSAiC model bundle (or truncated)");
    }
    return Corrupt(path, "not a MoSAiC model bundle (magic bytes 'MOSAICMB' missing)");
  }
  if (got < kPrefixBytes) return Corrupt(path, "truncated inside the file header");
  const uint32_t version = GetU32(prefix.data() + 8);
  if (version != static_cast<uint32_t>(kBundleFormatVersion)) {
    return Status::Unsupported("model bundle '" + path + "' has format version " +
                               std::to_string(version) + "; this build of mosaic reads version " +
                               std::to_string(kBundleFormatVersion));
  }
  const uint32_t header_crc = GetU32(prefix.data() + 12);
  const uint64_t header_len = GetU64(prefix.data() + 16);
  if (header_len == 0 || header_len > limits.max_header_bytes) {
    return Corrupt(path, "header length " + std::to_string(header_len) + " is outside 1.." +
                             std::to_string(limits.max_header_bytes) + " bytes");
  }
  if (kPrefixBytes + header_len > file_size) {
    return Corrupt(path, "truncated: the header needs " +
                             std::to_string(kPrefixBytes + header_len) + " bytes, the file has " +
                             std::to_string(file_size));
  }
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));
  if (static_cast<uint64_t>(in.gcount()) != header_len) {
    return Status::IOError("model bundle '" + path + "': reading the header failed");
  }
  if (Crc32(header.data(), header.size()) != header_crc) {
    return Corrupt(path, "header checksum mismatch (the file is damaged)");
  }
  Json root = Json::parse(header, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return Corrupt(path, "header is not a JSON object");

  ParsedHeader parsed;
  auto manifest_it = root.find("manifest");
  if (manifest_it == root.end()) return Corrupt(path, "header has no 'manifest'");
  StatusOr<ModelManifest> manifest = ManifestFromJson(manifest_it->dump());
  if (!manifest.ok()) {
    return Status(manifest.status().code(),
                  "model bundle '" + path + "': " + manifest.status().message());
  }
  parsed.manifest = std::move(*manifest);

  auto data_it = root.find("data_nbytes");
  auto tensors_it = root.find("tensors");
  if (data_it == root.end() || !data_it->is_number_unsigned()) {
    return Corrupt(path, "header.data_nbytes: expected a non-negative integer");
  }
  if (tensors_it == root.end() || !tensors_it->is_array()) {
    return Corrupt(path, "header.tensors: expected an array");
  }
  parsed.data_nbytes = data_it->get<uint64_t>();
  parsed.data_start = AlignUp(kPrefixBytes + header_len);
  if (parsed.data_nbytes > limits.max_data_bytes) {
    return Corrupt(path, "tensor data of " + std::to_string(parsed.data_nbytes) +
                             " bytes exceeds the limit of " +
                             std::to_string(limits.max_data_bytes));
  }
  if (tensors_it->size() > limits.max_tensors) {
    return Corrupt(path, "too many tensors (" + std::to_string(tensors_it->size()) + ")");
  }
  const uint64_t expected_size = parsed.data_start + parsed.data_nbytes;
  if (file_size < expected_size) {
    return Corrupt(path, "truncated: expected " + std::to_string(expected_size) +
                             " bytes, the file has " + std::to_string(file_size));
  }
  if (file_size > expected_size) {
    return Corrupt(path, "unexpected " + std::to_string(file_size - expected_size) +
                             " trailing bytes after the tensor data");
  }

  std::set<std::string> names;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (size_t i = 0; i < tensors_it->size(); ++i) {
    const Json& t = (*tensors_it)[i];
    const std::string where = "header.tensors[" + std::to_string(i) + "]";
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string() || !t.contains("dtype") ||
        !t["dtype"].is_string() || !t.contains("shape") || !t["shape"].is_array() ||
        !t.contains("offset") || !t["offset"].is_number_unsigned() || !t.contains("nbytes") ||
        !t["nbytes"].is_number_unsigned() || !t.contains("crc32") ||
        !t["crc32"].is_number_unsigned()) {
      return Corrupt(path, where + ": expected {name, dtype, shape, offset, nbytes, crc32}");
    }
    ParsedHeader::Entry entry;
    entry.name = t["name"].get<std::string>();
    if (entry.name.empty() || !names.insert(entry.name).second) {
      return Corrupt(path, where + ": empty or duplicate tensor name '" + entry.name + "'");
    }
    StatusOr<TensorDType> dtype = ParseDType(t["dtype"].get<std::string>());
    if (!dtype.ok()) return Corrupt(path, where + ": " + dtype.status().message());
    entry.dtype = *dtype;
    if (t["shape"].size() > static_cast<size_t>(limits.max_rank)) {
      return Corrupt(path, where + ": rank above " + std::to_string(limits.max_rank));
    }
    for (const Json& dim : t["shape"]) {
      if (!dim.is_number_integer()) return Corrupt(path, where + ": shape must hold integers");
      entry.shape.push_back(dim.get<int64_t>());
    }
    StatusOr<uint64_t> nbytes = ByteCount(entry.shape, entry.dtype);
    if (!nbytes.ok())
      return Corrupt(path, where + " ('" + entry.name + "'): " + nbytes.status().message());
    entry.nbytes = t["nbytes"].get<uint64_t>();
    entry.offset = t["offset"].get<uint64_t>();
    entry.crc32 = static_cast<uint32_t>(t["crc32"].get<uint64_t>());
    if (entry.nbytes != *nbytes) {
      return Corrupt(path,
                     where + " ('" + entry.name + "'): nbytes " + std::to_string(entry.nbytes) +
                         " does not match its shape and dtype (" + std::to_string(*nbytes) + ")");
    }
    if (entry.offset % kAlignment != 0 || entry.offset > parsed.data_nbytes ||
        entry.nbytes > parsed.data_nbytes - entry.offset) {
      return Corrupt(path, where + " ('" + entry.name + "'): data range is outside the file");
    }
    ranges.emplace_back(entry.offset, entry.offset + entry.nbytes);
    parsed.entries.push_back(std::move(entry));
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second) return Corrupt(path, "tensor data ranges overlap");
  }
  return parsed;
}

}  // namespace

const char* TensorDTypeName(TensorDType dtype) {
  switch (dtype) {
    case TensorDType::kFloat32:
      return "float32";
    case TensorDType::kFloat64:
      return "float64";
    case TensorDType::kInt64:
      return "int64";
  }
  return "unknown";
}

size_t TensorDTypeSize(TensorDType dtype) { return dtype == TensorDType::kFloat32 ? 4 : 8; }

uint32_t Crc32(const void* data, size_t size, uint32_t crc) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return table;
  }();
  const auto* bytes = static_cast<const uint8_t*>(data);
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) crc = kTable[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

Status WriteBundleFile(const std::string& path, const BundleContents& contents) {
  MOSAIC_RETURN_IF_ERROR(
      ValidateManifest(contents.manifest).WithContext("model bundle '" + path + "'"));
  Json tensors = Json::array();
  uint64_t offset = 0;
  std::set<std::string> names;
  for (const BundleTensor& t : contents.tensors) {
    StatusOr<uint64_t> nbytes = ByteCount(t.shape, t.dtype);
    if (!nbytes.ok() || *nbytes != t.data.size()) {
      return Status::InvalidArgument("tensor '" + t.name + "': " + std::to_string(t.data.size()) +
                                     " bytes do not match its shape and dtype");
    }
    if (t.name.empty() || !names.insert(t.name).second) {
      return Status::InvalidArgument("tensor name '" + t.name + "' is empty or repeated");
    }
    tensors.push_back({{"name", t.name},
                       {"dtype", TensorDTypeName(t.dtype)},
                       {"shape", t.shape},
                       {"offset", offset},
                       {"nbytes", t.data.size()},
                       {"crc32", Crc32(t.data.data(), t.data.size())}});
    offset = AlignUp(offset + t.data.size());
  }
  Json root;
  root["manifest"] = Json::parse(ManifestToJson(contents.manifest));
  root["tensors"] = std::move(tensors);
  root["data_nbytes"] = offset;
  const std::string header = root.dump();

  std::array<uint8_t, kPrefixBytes> prefix{};
  std::memcpy(prefix.data(), kMagic, sizeof(kMagic));
  PutU32(prefix.data() + 8, static_cast<uint32_t>(kBundleFormatVersion));
  PutU32(prefix.data() + 12, Crc32(header.data(), header.size()));
  PutU64(prefix.data() + 16, header.size());

  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::Create(path);
  if (!writer.ok()) return writer.status();
  MOSAIC_RETURN_IF_ERROR(writer->Append(prefix.data(), prefix.size()));
  MOSAIC_RETURN_IF_ERROR(writer->Append(header.data(), header.size()));
  const std::vector<uint8_t> zeros(kAlignment, 0);
  const uint64_t header_end = kPrefixBytes + header.size();
  MOSAIC_RETURN_IF_ERROR(writer->Append(zeros.data(), AlignUp(header_end) - header_end));
  uint64_t written = 0;
  for (const BundleTensor& t : contents.tensors) {
    MOSAIC_RETURN_IF_ERROR(writer->Append(t.data.data(), t.data.size()));
    written += t.data.size();
    MOSAIC_RETURN_IF_ERROR(writer->Append(zeros.data(), AlignUp(written) - written));
    written = AlignUp(written);
  }
  return writer->Commit();
}

StatusOr<BundleContents> ReadBundleFile(const std::string& path, const BundleReadLimits& limits) {
  std::ifstream in;
  StatusOr<ParsedHeader> header = ReadHeader(path, in, limits);
  if (!header.ok()) return header.status();
  BundleContents contents;
  contents.manifest = std::move(header->manifest);
  for (const ParsedHeader::Entry& entry : header->entries) {
    BundleTensor tensor;
    tensor.name = entry.name;
    tensor.dtype = entry.dtype;
    tensor.shape = entry.shape;
    tensor.data.resize(entry.nbytes);
    in.seekg(static_cast<std::streamoff>(header->data_start + entry.offset));
    in.read(reinterpret_cast<char*>(tensor.data.data()),
            static_cast<std::streamsize>(entry.nbytes));
    if (!in || static_cast<uint64_t>(in.gcount()) != entry.nbytes) {
      return Status::IOError("model bundle '" + path + "': reading tensor '" + entry.name +
                             "' failed");
    }
    if (Crc32(tensor.data.data(), tensor.data.size()) != entry.crc32) {
      return Corrupt(path,
                     "checksum mismatch in tensor '" + entry.name + "' (the file is damaged)");
    }
    contents.tensors.push_back(std::move(tensor));
  }
  return contents;
}

StatusOr<ModelManifest> ReadBundleManifest(const std::string& path,
                                           const BundleReadLimits& limits) {
  std::ifstream in;
  StatusOr<ParsedHeader> header = ReadHeader(path, in, limits);
  if (!header.ok()) return header.status();
  return std::move(header->manifest);
}

}  // namespace mosaic
