#include "geo/file_util.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mosaic::geo::internal {
namespace {

namespace fs = std::filesystem;

StatusOr<std::vector<std::string>> ListEntries(const std::string& dir, bool directories) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound(dir + ": no such folder");
  std::vector<std::string> names;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::IOError(dir + ": cannot list folder: " + ec.message());
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    const bool is_dir = entry.is_directory(ec);
    if (directories ? is_dir : (!is_dir && entry.is_regular_file(ec))) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return Status::NotFound(path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open for reading");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": read failed");
  return text.str();
}

StatusOr<std::vector<std::string>> ListSubdirectories(const std::string& dir) {
  return ListEntries(dir, /*directories=*/true);
}

StatusOr<std::vector<std::string>> ListFiles(const std::string& dir) {
  return ListEntries(dir, /*directories=*/false);
}

std::string ResolvePath(const std::string& base_dir, const std::string& path) {
  const fs::path p(path);
  if (p.is_absolute() || base_dir.empty()) return path;
  return (fs::path(base_dir) / p).lexically_normal().string();
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace mosaic::geo::internal
