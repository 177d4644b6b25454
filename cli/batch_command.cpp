// mosaic batch: label every scene of a manifest with one model (loaded once
// per process) and write, per scene, the outputs of `mosaic predict` under
// <out>/scenes/<id>/, a shard report and a scene labels table.
//
// Resumable: a scene whose completion marker (done.json, written last and
// atomically) matches its files and the options is skipped; any other scene
// is redone from scratch. A failing scene is recorded in the report and the
// batch goes on; the exit status is 1 when any scene failed. Sharding
// (--shard I/N, Slurm arrays, Kubernetes Indexed Jobs) splits the manifest
// deterministically by position; `mosaic batch-merge` joins the shards.
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "commands.h"
#include "mosaic/geo/batch.h"
#include "mosaic/geo/scene_predictor.h"
#include "scene_args.h"

namespace mosaic::cli {
namespace {

namespace fs = std::filesystem;
constexpr const char* kCommand = "batch";
constexpr int kCancelledExitCode = 130;

struct BatchArgs : SceneArgs {
  std::string manifest;
  std::string out_dir;
  std::string shard;
  int64_t shard_count = 0;
  bool embeddings = false;
  bool quiet = false;
};

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "signal handler needs a lock-free flag");
extern "C" void OnBatchSignal(int /*signal*/) { g_stop.store(true); }

// The options and inputs that decide a scene's outputs: a finished scene is
// reused only when they are unchanged.
std::string SceneConfig(const geo::SceneInputs& in, const geo::ScenePredictOptions& o,
                        const std::string& model_path) {
  nlohmann::ordered_json j;
  j["model"] = model_path;
  j["s2"] = in.s2;
  j["s1"] = in.s1;
  j["mask"] = in.s2_mask;
  j["mask_invalid"] = in.s2_mask_invalid_values;
  j["s1_linear"] = in.s1_linear;
  j["precision"] = o.precision;
  j["head"] = static_cast<int>(o.head);
  j["stride"] = o.stride_px;
  j["blend"] = geo::BlendWindowName(o.blend);
  j["gaussian_sigma"] = o.gaussian_sigma;
  j["edges"] = geo::EdgeModeName(o.edges);
  j["grid"] = geo::OutputGridName(o.grid);
  j["max_nodata"] = o.max_nodata_fraction;
  j["s2_nodata"] = std::isnan(o.s2_nodata) ? "none" : std::to_string(o.s2_nodata);
  j["format"] = static_cast<int>(o.format);
  j["type"] = static_cast<int>(o.type);
  j["compress"] = o.compress;
  j["overviews"] = o.overviews;
  j["topk"] = o.topk_output.empty() ? 0 : o.topk;
  j["embeddings"] = !o.embedding_output.empty();
  j["summary_threshold"] = o.summary_threshold;
  j["label_min_share"] = o.label_min_share;
  return j.dump();
}

StatusOr<geo::BatchShard> ChooseShard(const BatchArgs& a) {
  if (!a.shard.empty()) return geo::ParseBatchShard(a.shard);
  StatusOr<std::optional<geo::BatchShard>> env = geo::BatchShardFromEnvironment(a.shard_count);
  if (!env.ok()) return env.status();
  if (env->has_value()) return **env;
  return geo::BatchShard{};
}

std::string ShardName(const geo::BatchShard& s) {
  return std::to_string(s.index) + "/" + std::to_string(s.count);
}

int RunBatch(BatchArgs a) {
  Status parsed = ParseSceneEnums(&a);
  if (!parsed.ok()) return ReportError(kCommand, parsed);
  if (a.out_dir.empty()) {
    return ReportError(kCommand, Status::InvalidArgument("--out: no output folder given"));
  }
  if (a.options.model.empty()) {
    return ReportError(kCommand, Status::InvalidArgument("--model: no model bundle given"));
  }
  if (a.options.topk < 0) {
    return ReportError(kCommand, Status::InvalidArgument("--topk: expected >= 0 (0: no raster)"));
  }
  StatusOr<std::vector<geo::BatchScene>> scenes = geo::ReadBatchManifest(a.manifest);
  if (!scenes.ok()) return ReportError(kCommand, scenes.status());
  StatusOr<geo::BatchShard> shard = ChooseShard(a);
  if (!shard.ok()) return ReportError(kCommand, shard.status());

  std::error_code ec;
  fs::create_directories(a.out_dir, ec);
  if (ec) {
    return ReportError(kCommand,
                       Status::IOError("cannot create " + a.out_dir + ": " + ec.message()));
  }
  const std::string model_path = fs::absolute(a.options.model, ec).lexically_normal().string();
  StatusOr<std::unique_ptr<geo::ScenePredictor>> predictor = geo::ScenePredictor::Open(a.options);
  if (!predictor.ok()) return ReportError(kCommand, predictor.status());
  const std::vector<std::string>& classes = (*predictor)->manifest().class_names;

  std::vector<const geo::BatchScene*> mine;
  for (const auto& scene : *scenes) {
    if (geo::InBatchShard(scene, *shard)) mine.push_back(&scene);
  }
  geo::BatchReport report;
  report.shard = *shard;
  report.manifest = fs::absolute(a.manifest, ec).lexically_normal().string();
  report.model = model_path;
  report.scenes_in_shard = static_cast<int64_t>(mine.size());
  const std::string report_json = geo::BatchReportPath(a.out_dir, *shard, ".json");
  const std::string report_csv = geo::BatchReportPath(a.out_dir, *shard, ".csv");
  if (!a.quiet) {
    std::cerr << "mosaic batch: shard " << ShardName(*shard) << ": " << mine.size() << " of "
              << scenes->size() << " scenes, model " << (*predictor)->manifest().name << "\n";
  }

  g_stop.store(false);
  struct sigaction action {
  }, old_int{}, old_term{};
  action.sa_handler = OnBatchSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);

  int64_t done = 0, skipped = 0, failed = 0;
  bool cancelled = false;
  for (size_t i = 0; i < mine.size() && !cancelled; ++i) {
    const geo::BatchScene& scene = *mine[i];
    const auto started = std::chrono::steady_clock::now();
    geo::SceneInputs inputs = a.inputs;
    inputs.s2 = scene.s2;
    inputs.s1 = scene.s1;
    inputs.s2_mask = scene.s2_mask;
    const geo::BatchScenePaths paths =
        geo::BatchPathsFor(a.out_dir, scene.id, a.options.topk, a.embeddings);
    geo::ScenePredictOptions options = a.options;
    options.output = paths.probabilities;
    options.topk_output = paths.topk;
    options.embedding_output = paths.embeddings;
    options.summary_output = paths.summary;
    options.overwrite = true;
    const std::string config = SceneConfig(inputs, options, model_path);

    geo::BatchSceneRecord record;
    record.id = scene.id;
    Status verified = geo::VerifyBatchScene(paths, scene.id, config, classes);
    std::string redo_reason;
    if (verified.ok()) {
      record.status = "skipped";
    } else {
      if (verified.code() != StatusCode::kNotFound || fs::exists(paths.done, ec)) {
        redo_reason = verified.message();
      }
      Status status = geo::ResetBatchScene(paths);
      if (status.ok()) {
        try {
          StatusOr<geo::ScenePredictResult> result =
              (*predictor)->Predict(inputs, options, [](double, const std::string&) {
                return !g_stop.load();
              });
          status = result.ok() ? geo::WriteBatchDone(paths, scene.id, config) : result.status();
        } catch (const std::exception& e) {
          status = Status::Internal(e.what());
        }
      }
      if (g_stop.load()) {
        geo::ResetBatchScene(paths);  // leave no half-vouched folder; redone next time
        cancelled = true;
        break;
      }
      if (status.ok()) {
        record.status = "done";
      } else {
        record.status = "failed";
        record.error = status.ToString();
        geo::ResetBatchScene(paths);
        fs::remove(paths.dir, ec);  // only if empty
      }
    }
    if (record.status != "failed") {
      record.summary = fs::relative(paths.summary, a.out_dir, ec).string();
    }
    record.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    (record.status == "done" ? done : record.status == "skipped" ? skipped : failed) += 1;
    report.scenes.push_back(record);
    Status written = geo::WriteBatchReport(report, report_json, report_csv);
    if (!written.ok()) return ReportError(kCommand, written);
    if (!a.quiet) {
      std::cerr << "[" << (i + 1) << "/" << mine.size() << "] " << scene.id << ": "
                << record.status;
      if (!redo_reason.empty()) std::cerr << " (redone: " << redo_reason << ")";
      if (!record.error.empty()) std::cerr << ": " << record.error;
      std::cerr << " (" << static_cast<int>(record.seconds * 100) / 100.0 << " s)" << std::endl;
    }
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  if (cancelled) {
    geo::WriteBatchReport(report, report_json, report_csv);
    std::cerr << "mosaic batch: cancelled; finished scenes are kept, rerun to continue"
              << std::endl;
    return kCancelledExitCode;
  }

  // The labels table of this shard (the whole batch when unsharded).
  std::vector<geo::BatchLabelsEntry> entries;
  for (const auto& r : report.scenes) entries.push_back({a.out_dir, r});
  const std::string prefix = shard->count == 1 ? (fs::path(a.out_dir) / "labels").string()
                                               : (fs::path(a.out_dir) / "reports" /
                                                  ("labels-shard-" + std::to_string(shard->index) +
                                                   "-of-" + std::to_string(shard->count)))
                                                     .string();
  Status labels = geo::WriteBatchLabels(entries, prefix + ".csv", prefix + ".json");
  if (!labels.ok()) return ReportError(kCommand, labels);
  if (!a.quiet) {
    std::cout << "shard " << ShardName(*shard) << ": " << done << " done, " << skipped
              << " skipped (already complete), " << failed << " failed\n";
    std::cout << "report: " << report_json << "\n";
    std::cout << "labels: " << prefix << ".csv\n";
  }
  if (failed > 0) {
    std::cerr << "mosaic batch: " << failed << " scene(s) failed; see " << report_csv << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace

void RegisterBatchCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<BatchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "batch",
      "Label every scene of a manifest (CSV/JSON: id, s2, s1, mask) with one model: per-scene "
      "outputs as `predict` writes them, a report and a labels table; resumable and shardable");
  cmd->option_defaults()->always_capture_default();
  cmd->add_option("manifest", a->manifest, "Scene manifest (.csv or .json)")->required();

  auto* run = cmd->add_option_group("Batch");
  run->add_option("-o,--out", a->out_dir, "Output folder (scenes/<id>/, reports/, labels.csv)");
  run->add_option("--shard", a->shard,
                  "Process shard I of N (0-based, e.g. 0/4): the scenes at manifest positions "
                  "I, I+N, ... (default: SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX)");
  run->add_option("--shard-count", a->shard_count,
                  "Number of shards when the index comes from JOB_COMPLETION_INDEX");
  run->add_flag("--embeddings", a->embeddings, "Also write embeddings.tif per scene");
  run->add_flag("-q,--quiet", a->quiet, "Only errors");

  auto* inputs = cmd->add_option_group("Inputs");
  AddInputValueOptions(inputs, a.get());
  AddModelOptions(cmd->add_option_group("Model and device"), a.get());
  AddTilingOptions(cmd->add_option_group("Tiling"), a.get());
  AddOutputEncodingOptions(cmd->add_option_group("Outputs"), a.get());

  cmd->callback([a, exit_code] { *exit_code = RunBatch(*a); });
}

}  // namespace mosaic::cli
