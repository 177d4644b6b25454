#include "cli_util.h"

#include "mosaic/atomic_file.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

namespace mosaic::cli {

int ReportError(const std::string& command, const Status& status) {
  std::cerr << "mosaic " << command << ": error: " << status.message() << std::endl;
  return 1;
}

Status CheckOutput(const std::string& option, const std::string& path, bool overwrite) {
  if (path.empty() || overwrite) return Status::OK();
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return Status::InvalidArgument(option + " " + path +
                                   ": file exists; pass --overwrite to replace it");
  }
  return Status::OK();
}

Status WriteText(const std::string& path, const std::string& text) {
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::Create(path);
  if (!writer.ok()) return writer.status();
  MOSAIC_RETURN_IF_ERROR(writer->Append(text.data(), text.size()));
  return writer->Commit();
}

std::string UtcTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string SampleDataDir() {
  if (const char* dir = std::getenv("MOSAIC_SAMPLE_DATA_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
#ifdef MOSAIC_DEFAULT_SAMPLE_DIR
  return MOSAIC_DEFAULT_SAMPLE_DIR;
#else
  return "sample_data";
#endif
}

StatusOr<std::string> SampleDataFile(const std::string& relative_path) {
  const std::string path = (std::filesystem::path(SampleDataDir()) / relative_path).string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::NotFound("sample data file " + path +
                            " does not exist (set MOSAIC_SAMPLE_DATA_DIR to the folder holding "
                            "the sample data)");
  }
  return path;
}

}  // namespace mosaic::cli
