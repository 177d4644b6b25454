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

// The folder holding the bundled sample data (sample model, sample scene):
// $MOSAIC_SAMPLE_DATA_DIR when set, else the source tree's sample_data/
// recorded at build time (MOSAIC_DEFAULT_SAMPLE_DIR).
std::string SampleDataDir();

// SampleDataDir()/relative_path, or NotFound naming that path and the
// environment variable that relocates the sample data.
StatusOr<std::string> SampleDataFile(const std::string& relative_path);

}  // namespace mosaic::cli

#endif  // MOSAIC_CLI_CLI_UTIL_H_
