// Sub-commands of the `mosaic` CLI. Each Register function adds one
// sub-command to the app; its callback runs the command and stores the exit
// status in *exit_code (0 success, 1 failure).
#ifndef MOSAIC_CLI_COMMANDS_H_
#define MOSAIC_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace mosaic::cli {

void RegisterInfoCommand(CLI::App& app, int* exit_code);
void RegisterInitCommand(CLI::App& app, int* exit_code);
void RegisterDemoCommand(CLI::App& app, int* exit_code);

#ifdef MOSAIC_HAVE_GDAL
// Commands that read or write rasters (geo layer).
void RegisterSynthCommand(CLI::App& app, int* exit_code);
void RegisterStatsCommand(CLI::App& app, int* exit_code);
void RegisterEvalCommand(CLI::App& app, int* exit_code);
void RegisterEmbedCommand(CLI::App& app, int* exit_code);
void RegisterTrainCommand(CLI::App& app, int* exit_code);
void RegisterProbeCommand(CLI::App& app, int* exit_code);
void RegisterPredictCommand(CLI::App& app, int* exit_code);
void RegisterBatchCommand(CLI::App& app, int* exit_code);
void RegisterBatchMergeCommand(CLI::App& app, int* exit_code);
#endif

}  // namespace mosaic::cli

#endif  // MOSAIC_CLI_COMMANDS_H_
