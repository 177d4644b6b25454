// Shared by the fuzz targets: a per-process scratch file that holds the
// current input, for the parsers that read from a path.
#ifndef MOSAIC_FUZZ_FUZZ_UTIL_H_
#define MOSAIC_FUZZ_FUZZ_UTIL_H_

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

namespace mosaic::fuzz {

// Writes the input to "<tmp>/mosaic-fuzz-<pid><suffix>" and returns its path.
inline std::string WriteInput(const uint8_t* data, size_t size, const std::string& suffix) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string path = std::string(tmp != nullptr ? tmp : "/tmp") + "/mosaic-fuzz-" +
                           std::to_string(::getpid()) + suffix;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace mosaic::fuzz

#endif  // MOSAIC_FUZZ_FUZZ_UTIL_H_
