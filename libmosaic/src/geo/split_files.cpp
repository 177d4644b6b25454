#include "geo/split_files.h"

#include <filesystem>
#include <fstream>
#include <vector>

namespace mosaic::geo::internal {
namespace {

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r\n\"");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r\n\"");
  return s.substr(begin, end - begin + 1);
}

Status ReadSplitFile(const SplitFile& file, std::map<std::string, std::string>* ids) {
  std::ifstream in(file.path);
  if (!in) return Status::NotFound(file.path + ": split file not found or unreadable");
  std::string line;
  while (std::getline(in, line)) {
    const std::string id = Trim(line.substr(0, line.find(',')));
    if (id.empty()) continue;
    auto [it, inserted] = ids->emplace(id, file.split);
    if (!inserted && it->second != file.split) {
      return Status::Corruption(file.path + ": patch '" + id + "' is listed in split '" +
                                file.split + "' and in split '" + it->second + "'");
    }
  }
  if (in.bad()) return Status::IOError(file.path + ": read failed");
  return Status::OK();
}

}  // namespace

StatusOr<std::map<std::string, std::string>> LoadSplitFiles(const DatasetOptions& options,
                                                            const std::string& root) {
  std::vector<SplitFile> files = options.split_files;
  if (files.empty()) {
    namespace fs = std::filesystem;
    const std::pair<const char*, const char*> kDefaults[] = {
        {"train.csv", "train"}, {"val.csv", "validation"}, {"test.csv", "test"}};
    for (const auto& [name, split] : kDefaults) {
      const fs::path path = fs::path(root) / name;
      std::error_code ec;
      if (fs::is_regular_file(path, ec)) files.push_back({split, path.string()});
    }
  }
  std::map<std::string, std::string> ids;
  for (const SplitFile& file : files) {
    if (file.split.empty()) {
      return Status::InvalidArgument(file.path + ": split file given without a split name");
    }
    MOSAIC_RETURN_IF_ERROR(ReadSplitFile(file, &ids));
  }
  return ids;
}

}  // namespace mosaic::geo::internal
