// mosaic probe BUNDLE DATASET --out BUNDLE2: linear probing (frozen encoders)
// or fine-tuning (--finetune) of a pre-trained model's multi-label heads; see
// docs/training.md.
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "commands.h"
#include "mosaic/geo/datasets.h"
#include "mosaic/train/train_api.h"
#include "mosaic/version.h"
#include "optimization_args.h"

namespace mosaic::cli {

// Defined in train_command.cpp.
extern std::atomic<bool> g_train_cancel;
extern "C" void MosaicOnTrainSigint(int);
train::ProgressCallback MakeTrainProgressPrinter(bool quiet);
geo::DatasetOptions TrainDatasetOptions(const std::vector<std::string>& s1_bands,
                                        const std::vector<std::string>& s2_bands, bool no_s1,
                                        bool no_s2);

namespace {

struct ProbeArgs {
  std::string model;
  std::string dataset;
  std::string out;
  bool overwrite = false;
  std::vector<std::string> s1_bands;
  std::vector<std::string> s2_bands;
  bool no_s1 = false;
  bool no_s2 = false;
  train::ProbeOptions options;
  bool quiet = false;
};

int RunProbeCommand(ProbeArgs& args) {
  StatusOr<std::unique_ptr<data::PatchDataset>> dataset = geo::OpenDataset(
      args.dataset, TrainDatasetOptions(args.s1_bands, args.s2_bands, args.no_s1, args.no_s2));
  if (!dataset.ok()) return ReportError("probe", dataset.status());
  train::ProbeRequest request;
  request.dataset = std::shared_ptr<const data::PatchDataset>(std::move(*dataset));
  request.model_path = args.model;
  request.options = args.options;
  request.output_path = args.out;
  request.overwrite = args.overwrite;
  request.provenance_json = nlohmann::json{
      {"created_utc", UtcTimestamp()},
      {"mosaic_version", MOSAIC_VERSION_STRING},
      {"command", "mosaic probe " + args.model + " " + args.dataset + " --out " + args.out +
                      (args.options.finetune ? " --finetune" : "")},
      {"seed", args.options.optimization.seed},
      {"dataset", args.dataset},
      {"source_model",
       args.model}}.dump();
  request.options.optimization.progress = MakeTrainProgressPrinter(args.quiet);
  request.options.optimization.cancel = &g_train_cancel;
  std::signal(SIGINT, MosaicOnTrainSigint);
  train::TrainSummary summary;
  const Status status = train::RunProbe(request, &summary);
  std::signal(SIGINT, SIG_DFL);
  if (!status.ok()) {
    std::cerr << std::endl;
    return ReportError("probe", status);
  }
  std::cout << "wrote " << args.out << " (" << summary.steps << " steps on " << summary.num_samples
            << " labelled samples, final loss " << summary.final_losses["total"] << ")"
            << std::endl;
  if (!args.quiet && !summary.trials.empty()) {
    for (size_t t = 0; t < summary.trials.size(); ++t) {
      const train::ProbeTrial& trial = summary.trials[t];
      std::cout << (static_cast<int>(t) == summary.selected_trial ? "  * " : "    ") << "lr "
                << trial.learning_rate << ", weight decay " << trial.weight_decay
                << ": validation mAP macro " << trial.validation_map_macro << std::endl;
    }
  }
  return 0;
}

}  // namespace

void RegisterProbeCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ProbeArgs>();
  train::OptimizationOptions& opt = a->options.optimization;
  CLI::App* cmd = app.add_subcommand(
      "probe", "Train a model's multi-label heads on frozen encoders (or fine-tune them)");
  cmd->add_option("model", a->model, "Pre-trained model bundle")->required();
  cmd->add_option("dataset", a->dataset,
                  "Dataset: [bigearthnet-v1|bigearthnet-v2|sen12ms|csv:]PATH")
      ->required();
  cmd->add_option("-o,--out", a->out, "Output model bundle")->required();
  cmd->add_flag("--overwrite", a->overwrite, "Replace an existing output bundle");
  cmd->add_flag("--finetune", a->options.finetune, "Train the encoders too");
  cmd->add_option("--encoder-lr-scale", a->options.encoder_lr_scale,
                  "Fine-tuning: encoder lr = lr x this")
      ->capture_default_str();
  cmd->add_option("--s1-bands", a->s1_bands, "S1 bands (must be the model's)")->delimiter(',');
  cmd->add_option("--s2-bands", a->s2_bands, "S2 bands (must be the model's)")->delimiter(',');
  cmd->add_flag("--no-s1", a->no_s1, "Read no Sentinel-1 (model without an S1 stream)");
  cmd->add_flag("--no-s2", a->no_s2, "Read no Sentinel-2 (model without an S2 stream)");
  AddOptimizationOptions(cmd, opt);
  cmd->add_option("--split", opt.split, "Train on this split")->capture_default_str();
  cmd->add_flag("--augment", opt.augment, "Random flips and quarter turns");
  cmd->add_flag("!--keep-heads", a->options.reinitialize_heads,
                "Continue from the bundle's heads instead of fresh seeded ones");
  cmd->add_option("--lr-grid", a->options.learning_rate_grid,
                  "Learning rates to choose from on --val-split (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--weight-decay-grid", a->options.weight_decay_grid,
                  "Weight decays to choose from on --val-split (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--val-split", a->options.validation_split,
                  "Split that scores the grid (macro mAP; \"\" = none)")
      ->capture_default_str();
  cmd->add_option("--seed", opt.seed, "Seed")->capture_default_str();
  cmd->add_flag("-q,--quiet", a->quiet, "No progress output");
  cmd->callback([a, exit_code] { *exit_code = RunProbeCommand(*a); });
}

}  // namespace mosaic::cli
