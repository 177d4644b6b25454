// mosaic train DATASET --out BUNDLE: MoSAiC pre-training (or a baseline
// objective) on a patch dataset; see docs/training.md.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "commands.h"
#include "mosaic/geo/datasets.h"
#include "mosaic/train/train_api.h"
#include "mosaic/version.h"
#include "optimization_args.h"

namespace mosaic::cli {

// Shared with probe_command.cpp (declared there): the Ctrl-C flag, the
// progress printer and the dataset options of the training commands.
std::atomic<bool> g_train_cancel{false};
extern "C" void MosaicOnTrainSigint(int) { g_train_cancel.store(true); }

// One updating line on a terminal, "0...10...20" style otherwise.
train::ProgressCallback MakeTrainProgressPrinter(bool quiet) {
  if (quiet) return {};
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  auto last_decile = std::make_shared<int>(-1);
  return [tty, last_decile](const train::TrainProgress& p) {
    if (tty) {
      std::ostringstream line;
      line << "\rstep " << p.step << "/" << p.total_steps << "  epoch " << p.epoch << "  loss "
           << p.losses.at("total") << "  " << static_cast<int>(p.samples_per_s)
           << " samples/s  ETA " << static_cast<int64_t>(p.eta_s) << " s   ";
      std::cerr << line.str() << (p.step == p.total_steps ? "\n" : "") << std::flush;
      return;
    }
    const int decile = static_cast<int>(10 * p.step / std::max<int64_t>(1, p.total_steps));
    while (*last_decile < decile) {
      ++*last_decile;
      std::cerr << (*last_decile * 10) << (*last_decile == 10 ? " - done.\n" : "...") << std::flush;
    }
  };
}

geo::DatasetOptions TrainDatasetOptions(const std::vector<std::string>& s1_bands,
                                        const std::vector<std::string>& s2_bands, bool no_s1,
                                        bool no_s2) {
  geo::DatasetOptions options;
  if (!s1_bands.empty()) options.s1_bands = s1_bands;
  if (!s2_bands.empty()) options.s2_bands = s2_bands;
  options.read_s1 = !no_s1;
  options.read_s2 = !no_s2;
  return options;
}

namespace {

struct TrainArgs {
  std::string dataset;
  std::string out;
  bool overwrite = false;
  std::vector<std::string> s1_bands;
  std::vector<std::string> s2_bands;
  bool no_s1 = false;
  bool no_s2 = false;
  train::TrainOptions options;
  // Overrides, applied when given (CLI11 counts them).
  double lambda_intra = 0, lambda_inter = 0, lambda_sup = 0, lambda_bce = 0, tau = 0;
  CLI::Option *lambda_intra_opt = nullptr, *lambda_inter_opt = nullptr, *lambda_sup_opt = nullptr,
              *lambda_bce_opt = nullptr, *tau_opt = nullptr;
  std::string negatives;  // supervision-aware negatives; applied when given
  CLI::Option* negatives_opt = nullptr;
  bool quiet = false;
};

int RunTrain(TrainArgs& args, const std::string& command_line) {
  StatusOr<std::unique_ptr<data::PatchDataset>> dataset = geo::OpenDataset(
      args.dataset, TrainDatasetOptions(args.s1_bands, args.s2_bands, args.no_s1, args.no_s2));
  if (!dataset.ok()) return ReportError("train", dataset.status());
  train::TrainRequest request;
  request.dataset = std::shared_ptr<const data::PatchDataset>(std::move(*dataset));
  request.options = args.options;
  train::ObjectiveOverrides& o = request.options.objective;
  if (args.lambda_intra_opt->count() > 0) o.lambda_intra = args.lambda_intra;
  if (args.lambda_inter_opt->count() > 0) o.lambda_inter = args.lambda_inter;
  if (args.lambda_sup_opt->count() > 0) o.lambda_sup = args.lambda_sup;
  if (args.lambda_bce_opt->count() > 0) o.lambda_bce = args.lambda_bce;
  if (args.tau_opt->count() > 0) {
    o.temperature_intra = o.temperature_inter = o.temperature_sup = args.tau;
  }
  if (args.negatives_opt->count() > 0) o.supervision_aware_negatives = args.negatives;
  request.output_path = args.out;
  request.overwrite = args.overwrite;
  request.provenance_json = nlohmann::json{
      {"created_utc", UtcTimestamp()},
      {"mosaic_version", MOSAIC_VERSION_STRING},
      {"command", command_line},
      {"seed", args.options.optimization.seed},
      {"dataset", args.dataset}}.dump();
  // Data-parallel when launched by torchrun / srun (RANK, WORLD_SIZE, MASTER_ADDR, ...).
  StatusOr<train::DistributedOptions> distributed = train::DistributedOptionsFromEnvironment();
  if (!distributed.ok()) return ReportError("train", distributed.status());
  request.options.optimization.distributed = *distributed;
  const bool lead = distributed->rank == 0;
  request.options.optimization.progress = MakeTrainProgressPrinter(args.quiet || !lead);
  request.options.optimization.cancel = &g_train_cancel;
  std::signal(SIGINT, MosaicOnTrainSigint);
  if (lead) std::cerr << "training on " << request.dataset->description() << std::endl;
  if (distributed->enabled() && lead) {
    std::cerr << "data-parallel: " << distributed->world_size << " processes, global batch "
              << request.options.optimization.batch_size << ", rendezvous "
              << distributed->master_addr << ":" << distributed->master_port << std::endl;
  }
  train::TrainSummary summary;
  const Status status = train::RunTraining(request, &summary);
  std::signal(SIGINT, SIG_DFL);
  if (!status.ok()) {
    std::cerr << std::endl;
    return ReportError("train", status);
  }
  if (!lead) return 0;  // rank 0 wrote the bundle and reports
  std::cout << "wrote " << args.out << " (" << summary.steps << " steps, " << summary.num_labelled
            << " of " << summary.num_samples << " samples labelled, final loss "
            << summary.final_losses["total"] << ")" << std::endl;
  return 0;
}

}  // namespace

void RegisterTrainCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<TrainArgs>();
  train::OptimizationOptions& opt = a->options.optimization;
  CLI::App* cmd = app.add_subcommand(
      "train", "Pre-train a model (MoSAiC or a baseline objective) and write a model bundle");
  cmd->add_option("dataset", a->dataset,
                  "Dataset: [bigearthnet-v1|bigearthnet-v2|sen12ms|csv:]PATH")
      ->required();
  cmd->add_option("-o,--out", a->out, "Output model bundle")->required();
  cmd->add_flag("--overwrite", a->overwrite, "Replace an existing output bundle");
  cmd->add_option("--preset", a->options.preset,
                  "Objective: mosaic, simclr, clip, supcon or supervised")
      ->capture_default_str();
  cmd->add_option("--encoder", a->options.encoder,
                  "Encoder of both streams: small_cnn, resnet18, "
                  "resnet34, resnet50")
      ->capture_default_str();
  cmd->add_option("--width", a->options.small_cnn_width, "Base width of small_cnn")
      ->capture_default_str();
  cmd->add_option("--projection-dim", a->options.projection_dim, "Embedding size")
      ->capture_default_str();
  cmd->add_option("--s1-bands", a->s1_bands, "S1 bands (comma-separated; default VV,VH)")
      ->delimiter(',');
  cmd->add_option("--s2-bands", a->s2_bands, "S2 bands (comma-separated; default all 12)")
      ->delimiter(',');
  cmd->add_flag("--no-s1", a->no_s1, "Train without the Sentinel-1 stream");
  cmd->add_flag("--no-s2", a->no_s2, "Train without the Sentinel-2 stream");
  AddOptimizationOptions(cmd, opt);
  cmd->add_option("--split", opt.split, "Train on this split (\"\" = all)")->capture_default_str();
  cmd->add_flag("!--no-augment", opt.augment, "Only normalise the views");
  cmd->add_option("--seed", opt.seed, "Seed (model, order, augmentations, label subset)")
      ->capture_default_str();
  a->lambda_intra_opt =
      cmd->add_option("--lambda-intra", a->lambda_intra, "Override the preset's lambda_intra");
  a->lambda_inter_opt =
      cmd->add_option("--lambda-inter", a->lambda_inter, "Override the preset's lambda_inter");
  a->lambda_sup_opt =
      cmd->add_option("--lambda-sup", a->lambda_sup, "Override the preset's lambda_sup");
  a->lambda_bce_opt =
      cmd->add_option("--lambda-bce", a->lambda_bce, "Override the preset's lambda_bce");
  a->tau_opt = cmd->add_option("--tau", a->tau, "Override every temperature");
  a->negatives_opt = cmd->add_option(
      "--negatives", a->negatives,
      "Supervision-aware negatives in the intra/inter terms: off, remove (drop negatives "
      "sharing a label with a labelled anchor) or downweight (weight 1 - label similarity); "
      "default off");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress output");
  cmd->callback([a, exit_code] {
    *exit_code = RunTrain(
        *a, "mosaic train " + a->dataset + " --out " + a->out + " --preset " + a->options.preset);
  });
}

}  // namespace mosaic::cli
