#include "mosaic/eval/embedding_io.h"

#include <charconv>
#include <cstring>

#include "mosaic/atomic_file.h"

namespace mosaic::eval {
namespace {

bool LittleEndianHost() {
  const uint16_t probe = 1;
  uint8_t first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Shortest round-trip text of a float; std::to_chars ignores the locale.
void AppendFloat(float value, std::string* out) {
  char buffer[32];
  const std::to_chars_result r = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, r.ptr);
}

}  // namespace

std::string NpyFloat32Header(int64_t rows, int64_t cols) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) +
                     ", " + std::to_string(cols) + "), }";
  // magic (6) + version (2) + length (2) + dict + '\n' is a multiple of 64.
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string header("\x93NUMPY\x01\x00", 8);
  header += static_cast<char>(dict.size() & 0xff);
  header += static_cast<char>((dict.size() >> 8) & 0xff);
  return header + dict;
}

Status WriteNpyFloat32(const std::string& path, const std::vector<float>& values, int64_t rows,
                       int64_t cols) {
  if (rows < 0 || cols < 0 || values.size() != static_cast<size_t>(rows * cols)) {
    return Status::InvalidArgument(path + ": [" + std::to_string(rows) + ", " +
                                   std::to_string(cols) + "] needs " + std::to_string(rows * cols) +
                                   " values, got " + std::to_string(values.size()));
  }
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::Create(path);
  if (!writer.ok()) return writer.status();
  const std::string header = NpyFloat32Header(rows, cols);
  MOSAIC_RETURN_IF_ERROR(writer->Append(header.data(), header.size()));
  if (LittleEndianHost()) {
    MOSAIC_RETURN_IF_ERROR(writer->Append(values.data(), values.size() * sizeof(float)));
  } else {
    std::vector<char> bytes(values.size() * sizeof(float));
    for (size_t i = 0; i < values.size(); ++i) {
      char v[4];
      std::memcpy(v, &values[i], 4);
      for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = v[3 - b];
    }
    MOSAIC_RETURN_IF_ERROR(writer->Append(bytes.data(), bytes.size()));
  }
  return writer->Commit();
}

Status WriteEmbeddingsCsv(const std::string& path, const std::vector<std::string>& ids,
                          const std::vector<std::string>& labels,
                          const std::vector<float>& embeddings, int64_t embedding_dim) {
  const size_t n = ids.size();
  if (embedding_dim < 0 || labels.size() != n ||
      embeddings.size() != n * static_cast<size_t>(embedding_dim)) {
    return Status::InvalidArgument(path + ": " + std::to_string(n) + " ids, " +
                                   std::to_string(labels.size()) + " labels and " +
                                   std::to_string(embeddings.size()) + " embedding values of " +
                                   std::to_string(embedding_dim) + " dimensions disagree");
  }
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::Create(path);
  if (!writer.ok()) return writer.status();
  std::string line = "id,label";
  for (int64_t d = 0; d < embedding_dim; ++d) line += ",e" + std::to_string(d + 1);
  line += '\n';
  MOSAIC_RETURN_IF_ERROR(writer->Append(line.data(), line.size()));
  for (size_t i = 0; i < n; ++i) {
    line = CsvField(ids[i]) + "," + CsvField(labels[i]);
    const float* row = embeddings.data() + i * static_cast<size_t>(embedding_dim);
    for (int64_t d = 0; d < embedding_dim; ++d) {
      line += ',';
      AppendFloat(row[d], &line);
    }
    line += '\n';
    MOSAIC_RETURN_IF_ERROR(writer->Append(line.data(), line.size()));
  }
  return writer->Commit();
}

}  // namespace mosaic::eval
