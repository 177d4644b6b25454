// mosaic: the MoSAiC command-line tool.
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "mosaic/process_memory.h"
#include "mosaic/version.h"

int main(int argc, char** argv) {
  mosaic::KeepFreedMemoryForReuse();  // LibTorch's per-batch buffers stay mapped
  CLI::App app{"MoSAiC: multi-modal multi-label contrastive learning for Sentinel-1/2 imagery",
               "mosaic"};
  app.set_version_flag("--version", std::string("mosaic ") + MOSAIC_VERSION_STRING);
  app.require_subcommand(1);
  int exit_code = 0;
  mosaic::cli::RegisterInfoCommand(app, &exit_code);
  mosaic::cli::RegisterInitCommand(app, &exit_code);
  mosaic::cli::RegisterDemoCommand(app, &exit_code);
#ifdef MOSAIC_HAVE_GDAL
  mosaic::cli::RegisterSynthCommand(app, &exit_code);
  mosaic::cli::RegisterStatsCommand(app, &exit_code);
  mosaic::cli::RegisterEvalCommand(app, &exit_code);
  mosaic::cli::RegisterEmbedCommand(app, &exit_code);
  mosaic::cli::RegisterTrainCommand(app, &exit_code);
  mosaic::cli::RegisterProbeCommand(app, &exit_code);
  mosaic::cli::RegisterPredictCommand(app, &exit_code);
  mosaic::cli::RegisterBatchCommand(app, &exit_code);
  mosaic::cli::RegisterBatchMergeCommand(app, &exit_code);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
