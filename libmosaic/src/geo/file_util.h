// Small filesystem helpers for the dataset readers and writers; every error
// names the path.
#ifndef MOSAIC_GEO_FILE_UTIL_H_
#define MOSAIC_GEO_FILE_UTIL_H_

#include <string>
#include <vector>

#include "mosaic/status.h"

namespace mosaic::geo::internal {

// The whole file as bytes. NotFound / IOError name the file.
StatusOr<std::string> ReadTextFile(const std::string& path);

// Names (not paths) of the sub-folders of `dir`, sorted; hidden entries
// (starting with '.') are skipped. NotFound if `dir` is not a folder.
StatusOr<std::vector<std::string>> ListSubdirectories(const std::string& dir);

// Names of the regular files in `dir`, sorted; hidden entries skipped.
StatusOr<std::vector<std::string>> ListFiles(const std::string& dir);

// `path` if absolute, else `base_dir`/`path`.
std::string ResolvePath(const std::string& base_dir, const std::string& path);

bool StartsWith(const std::string& s, const std::string& prefix);
bool EndsWith(const std::string& s, const std::string& suffix);

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_FILE_UTIL_H_
