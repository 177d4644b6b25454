#include "cli_util.h"

#include <ctime>
#include <iostream>

namespace mosaic::cli {

int ReportError(const std::string& command, const Status& status) {
  std::cerr << "mosaic " << command << ": error: " << status.message() << std::endl;
  return 1;
}

std::string UtcTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace mosaic::cli
