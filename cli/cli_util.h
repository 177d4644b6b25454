// Small helpers shared by the CLI commands.
#ifndef MOSAIC_CLI_CLI_UTIL_H_
#define MOSAIC_CLI_CLI_UTIL_H_

#include <string>

#include "mosaic/status.h"

namespace mosaic::cli {

// Prints "mosaic <command>: error: <message>" to stderr and returns 1.
int ReportError(const std::string& command, const Status& status);

// OK if `path` is empty, does not exist, or `overwrite` is set; otherwise
// InvalidArgument naming the option ("--json out.json: file exists; ...").
Status CheckOutput(const std::string& option, const std::string& path, bool overwrite);

// Writes `text` to `path` atomically (temporary file + rename).
Status WriteText(const std::string& path, const std::string& text);

// The current UTC time as ISO 8601, e.g. "2026-11-27T05:30:00Z".
std::string UtcTimestamp();

}  // namespace mosaic::cli

#endif  // MOSAIC_CLI_CLI_UTIL_H_
