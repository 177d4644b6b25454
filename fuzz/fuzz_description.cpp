// The GDAL driver's inputs: description files (JSON), "MOSAIC:" connection
// strings (key=value;...), and open options / VRT pixel-function arguments
// (NAME=VALUE lists), each turned into a dataset description.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "description.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mosaic::gdal_driver;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto describe = [](const mosaic::StatusOr<Settings>& settings) {
    if (settings.ok()) (void)DescriptionFromSettings(*settings);
  };
  describe(SettingsFromJson(text, "/nonexistent"));
  describe(SettingsFromKeyValues(text));
  // Lines as a NAME=VALUE list (open options, pixel-function arguments).
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<const char*> list;
  for (const std::string& line : lines) list.push_back(line.c_str());
  list.push_back(nullptr);
  describe(SettingsFromNameValueList(list.data(), {"class"}));
  return 0;
}
