// mosaic stats DATASET: per-band mean/std of a patch dataset, for the
// normalisation stored in a model manifest.
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "commands.h"
#include "mosaic/data/band_statistics.h"
#include "mosaic/geo/datasets.h"

namespace mosaic::cli {
namespace {

struct StatsArgs {
  std::string dataset;
  std::string split;
  size_t max_samples = 0;
  int threads = 2;
  bool json = false;
};

void PrintTable(const char* title, const std::vector<std::string>& bands,
                const BandNormalization& norm, const std::vector<int64_t>& counts) {
  if (bands.empty()) return;
  std::cout << title << "\n  band        mean         std   values\n";
  for (size_t i = 0; i < bands.size(); ++i) {
    std::cout << "  " << std::left << std::setw(6) << bands[i] << std::right << std::fixed
              << std::setprecision(3) << std::setw(12) << norm.mean[i] << std::setw(12)
              << norm.std[i] << std::setw(9) << counts[i] << "\n";
  }
}

int RunStats(const StatsArgs& args) {
  geo::DatasetOptions options;
  // Invalid pixels become NaN so that they are skipped, not averaged in.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  options.s1_fill_values.assign(options.s1_bands.size(), nan);
  options.s2_fill_values.assign(options.s2_bands.size(), nan);
  StatusOr<std::unique_ptr<data::PatchDataset>> dataset = geo::OpenDataset(args.dataset, options);
  if (!dataset.ok()) return ReportError("stats", dataset.status());
  const std::vector<size_t> indices = data::IndicesOfSplit(**dataset, args.split);
  if (indices.empty()) {
    return ReportError("stats",
                       Status::InvalidArgument((*dataset)->description() + ": no patch in split '" +
                                               args.split + "'"));
  }
  StatusOr<data::BandStatistics> stats =
      data::ComputeBandStatistics(**dataset, indices, args.max_samples, args.threads);
  if (!stats.ok()) return ReportError("stats", stats.status());
  if (args.json) {
    auto modality = [](const std::vector<std::string>& bands, const BandNormalization& n) {
      if (bands.empty()) return nlohmann::json(nullptr);
      return nlohmann::json{{"bands", bands},
                            {"normalization", {{"mean", n.mean}, {"std", n.std}}}};
    };
    nlohmann::json out{{"dataset", (*dataset)->description()},
                       {"split", args.split},
                       {"num_samples", stats->num_samples},
                       {"skipped_values", stats->skipped_values},
                       {"s1", modality((*dataset)->s1_bands(), stats->s1)},
                       {"s2", modality((*dataset)->s2_bands(), stats->s2)}};
    std::cout << out.dump(2) << std::endl;
    return 0;
  }
  std::cout << (*dataset)->description() << ": " << stats->num_samples << " patches"
            << (args.split.empty() ? "" : " of split '" + args.split + "'") << ", "
            << stats->skipped_values << " invalid values skipped\n";
  PrintTable("Sentinel-1 (dB)", (*dataset)->s1_bands(), stats->s1, stats->s1_valid_values);
  PrintTable("Sentinel-2 (reflectance x10000)", (*dataset)->s2_bands(), stats->s2,
             stats->s2_valid_values);
  return 0;
}

}  // namespace

void RegisterStatsCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<StatsArgs>();
  CLI::App* cmd =
      app.add_subcommand("stats", "Per-band mean/std of a dataset (for the model manifest)");
  cmd->add_option("dataset", a->dataset,
                  "Dataset: [bigearthnet-v1|bigearthnet-v2|sen12ms|csv:]PATH")
      ->required();
  cmd->add_option("--split", a->split, "Only this split (train, validation, test)");
  cmd->add_option("--max-samples", a->max_samples,
                  "Use an evenly spaced subset of at most N patches (0 = all)")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "Reader threads")->capture_default_str();
  cmd->add_flag("--json", a->json, "Print JSON (the manifest's s1/s2 fields)");
  cmd->callback([a, exit_code] { *exit_code = RunStats(*a); });
}

}  // namespace mosaic::cli
