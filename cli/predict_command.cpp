// mosaic predict: run a model bundle over a whole Sentinel-2 (+ Sentinel-1)
// scene (the scene engine, mosaic/geo/scene_predict.h) and write
// georeferenced per-class probability rasters, a top-k label raster, an
// embedding raster and a JSON summary.
//
// The flags map one to one onto SceneInputs and ScenePredictOptions. Without
// any input, model or output it runs on the bundled sample scene and model
// and writes into ./mosaic-predict-out/.
//
// Progress is printed GDAL-style on stderr; SIGINT/SIGTERM cancel the run
// cleanly (no output is left behind) and exit with status 130.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "commands.h"
#include "mosaic/geo/scene_predict.h"
#include "mosaic/patch_classifier.h"
#include "scene_args.h"

namespace mosaic::cli {
namespace {

constexpr const char* kCommand = "predict";
constexpr int kCancelledExitCode = 130;  // 128 + SIGINT, as shells report it

// Files of the no-argument run, relative to SampleDataDir() and to the
// default output folder.
constexpr const char* kSampleModel = "mosaic-sample.mosaic";
constexpr const char* kSampleS2 = "scene/S2_stack_10m.tif";
constexpr const char* kSampleS1 = "scene/S1_VV_VH.tif";
constexpr const char* kSampleMask = "scene/cloud_mask.tif";
constexpr const char* kSampleOutputDir = "mosaic-predict-out";
constexpr const char* kSampleProbabilities = "mosaic-sample-probabilities.tif";
constexpr const char* kSampleTopkPrefix = "mosaic-sample-top";  // + k + ".tif"
constexpr const char* kSampleSummary = "mosaic-sample-summary.json";

// The scene flags (scene_args.h) plus predict's own.
struct PredictArgs : SceneArgs {
  bool quiet = false;
  bool json = false;
};

// --- Cancellation -----------------------------------------------------------

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "signal handler needs a lock-free flag");

extern "C" void OnInterrupt(int /*signal*/) { g_interrupted.store(true); }

// Installs OnInterrupt for SIGINT and SIGTERM for its lifetime. The handler
// resets itself after one signal, so a second Ctrl-C kills the process the
// usual way if a stage does not react.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted.store(false);
    struct sigaction action {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// --- Progress ---------------------------------------------------------------

// GDAL's terminal progress: "0...10...20...30...40...50...60...70...80...90...100 - done."
// 40 ticks of 2.5 %; every fourth tick prints the percentage, the others a dot.
class TermProgress {
 public:
  explicit TermProgress(bool enabled) : enabled_(enabled) {}

  // Prints the ticks that `fraction` has passed ("0" on the first call);
  // returns false once the user has asked to stop.
  bool Update(double fraction) {
    if (enabled_) {
      std::lock_guard<std::mutex> lock(mutex_);
      const int target = std::clamp(static_cast<int>(std::floor(fraction * 40.0 + 1e-9)), 0, 40);
      while (printed_ < target) {
        ++printed_;
        PrintTick(printed_);
      }
      if (printed_ == 40 && !done_) {
        std::cerr << " - done." << std::endl;
        done_ = true;
      }
      std::cerr.flush();
    }
    return !g_interrupted.load();
  }

  // Ends an unfinished line so that later messages start on their own line.
  void Abandon() {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (printed_ >= 0 && !done_) std::cerr << std::endl;
    done_ = true;
  }

 private:
  static void PrintTick(int tick) {
    if (tick % 4 == 0) {
      std::cerr << (tick / 4) * 10;
    } else {
      std::cerr << '.';
    }
  }

  bool enabled_;
  std::mutex mutex_;
  int printed_ = -1;
  bool done_ = false;
};

// --- Output -----------------------------------------------------------------

std::string Seconds(double s) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(s < 10 ? 2 : 1) << s << " s";
  return out.str();
}

nlohmann::ordered_json ResultJson(const geo::ScenePredictResult& r) {
  nlohmann::ordered_json j;
  j["width"] = r.width;
  j["height"] = r.height;
  j["patches_inferred"] = r.patches_inferred;
  j["patches_skipped"] = r.patches_skipped;
  j["patches_by_head"] = {
      {"fused", r.patches_by_head[0]}, {"s1", r.patches_by_head[1]}, {"s2", r.patches_by_head[2]}};
  j["files"] = r.files;
  j["notices"] = r.notices;
  j["seconds"] = {{"read", r.read_seconds},     {"infer", r.infer_seconds},
                  {"write", r.write_seconds},   {"open", r.open_seconds},
                  {"finish", r.finish_seconds}, {"total", r.total_seconds}};
  return j;
}

std::string FileRole(const std::string& path, const geo::ScenePredictOptions& o) {
  if (path == o.output) return "probabilities";
  if (path == o.topk_output) return "top-" + std::to_string(o.topk) + " labels";
  if (path == o.embedding_output) return "embeddings";
  if (path == o.summary_output) return "summary";
  return "output";
}

void PrintReport(const geo::ScenePredictResult& r, const geo::ScenePredictOptions& o) {
  for (const std::string& file : r.files) {
    std::cout << "wrote " << FileRole(file, o) << ": " << file << "\n";
  }
  std::cout << "grid: " << r.width << " x " << r.height << " px (" << geo::OutputGridName(o.grid)
            << ")\n";
  std::cout << "patches: " << r.patches_inferred << " inferred (fused " << r.patches_by_head[0]
            << ", S1 only " << r.patches_by_head[1] << ", S2 only " << r.patches_by_head[2] << "), "
            << r.patches_skipped << " skipped (no usable modality)\n";
  std::cout << "time: " << Seconds(r.total_seconds) << " (read " << Seconds(r.read_seconds)
            << ", infer " << Seconds(r.infer_seconds) << ", write " << Seconds(r.write_seconds)
            << "; stages overlap, each summed over its threads; before them "
            << Seconds(r.open_seconds) << " opening, after them " << Seconds(r.finish_seconds)
            << " finishing)\n";
  for (const std::string& notice : r.notices) std::cout << "notice: " << notice << "\n";
}

// The scene labels of the summary file with their area shares, e.g.
// "Arable land 57%; Mixed forest 12%"; "" when the file cannot be read (the
// summary itself was reported as written).
std::string SummaryLabels(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("labels") || !j["labels"].is_array()) return "";
  std::map<std::string, double> shares;
  if (j.contains("classes") && j["classes"].is_array()) {
    for (const auto& c : j["classes"]) {
      if (c.is_object() && c.contains("name") && c["name"].is_string() &&
          c.contains("area_share") && c["area_share"].is_number()) {
        shares[c["name"].get<std::string>()] = c["area_share"].get<double>();
      }
    }
  }
  std::ostringstream out;
  for (const auto& label : j["labels"]) {
    if (!label.is_string()) continue;
    const std::string name = label.get<std::string>();
    if (out.tellp() > 0) out << "; ";
    out << name;
    if (auto it = shares.find(name); it != shares.end()) {
      out << " " << std::lround(100.0 * it->second) << "%";
    }
  }
  return out.str();
}

// --- The command ------------------------------------------------------------

// Fills in the sample scene, model and default outputs for a run without
// inputs, model and output. Returns the output folder.
StatusOr<std::string> UseSample(PredictArgs* a) {
  StatusOr<std::string> model = SampleDataFile(kSampleModel);
  if (!model.ok()) return model.status();
  StatusOr<std::string> s2 = SampleDataFile(kSampleS2);
  if (!s2.ok()) return s2.status();
  StatusOr<std::string> s1 = SampleDataFile(kSampleS1);
  if (!s1.ok()) return s1.status();
  StatusOr<std::string> mask = SampleDataFile(kSampleMask);
  if (!mask.ok()) return mask.status();
  a->options.model = *model;
  a->inputs.s2 = {*s2};
  a->inputs.s1 = {*s1};
  if (a->inputs.s2_mask.empty()) {
    a->inputs.s2_mask = *mask;
    // The synthetic cloud mask: 0 clear, 1 cloud, 2 cloud shadow.
    if (a->mask_invalid_option == nullptr || a->mask_invalid_option->count() == 0) {
      a->inputs.s2_mask_invalid_values = {1, 2};
    }
  }
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::absolute(kSampleOutputDir, ec);
  if (ec) return Status::IOError(std::string(kSampleOutputDir) + ": " + ec.message());
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  a->options.output = (dir / kSampleProbabilities).string();
  if (a->options.topk_output.empty()) {
    a->options.topk_output =
        (dir / (std::string(kSampleTopkPrefix) + std::to_string(a->options.topk) + ".tif"))
            .string();
  }
  if (a->options.summary_output.empty()) {
    a->options.summary_output = (dir / kSampleSummary).string();
  }
  a->options.overwrite = true;
  return dir.string();
}

int RunPredict(PredictArgs a) {
  Status parsed = ParseSceneEnums(&a);
  if (!parsed.ok()) return ReportError(kCommand, parsed);

  const bool sample = a.inputs.s2.empty() && a.inputs.s1.empty() && a.options.model.empty() &&
                      a.options.output.empty();
  std::string sample_dir;
  if (sample) {
    StatusOr<std::string> dir = UseSample(&a);
    if (!dir.ok()) return ReportError(kCommand, dir.status());
    sample_dir = *dir;
    if (!a.quiet && !a.json) {
      std::cout << "No inputs given: predicting the bundled sample scene ("
                << std::filesystem::path(a.inputs.s2[0]).parent_path().string()
                << ") with the sample model." << std::endl;
    }
  } else {
    if (a.inputs.s2.empty() && a.inputs.s1.empty()) {
      return ReportError(kCommand, Status::InvalidArgument(
                                       "no scene given: pass --s2 and/or --s1 (or no arguments "
                                       "at all to run on the bundled sample scene)"));
    }
    if (a.options.model.empty()) {
      return ReportError(kCommand, Status::InvalidArgument("--model: no model bundle given"));
    }
    if (a.options.output.empty()) {
      return ReportError(kCommand, Status::InvalidArgument("--output: no output file given"));
    }
  }

  TermProgress progress(!a.quiet);
  geo::ScenePredictResult result;
  {
    InterruptGuard guard;
    StatusOr<geo::ScenePredictResult> run = geo::PredictScene(
        a.inputs, a.options, [&progress](double fraction, const std::string& /*stage*/) {
          return progress.Update(fraction);
        });
    progress.Abandon();
    if (!run.ok()) {
      if (run.status().code() == StatusCode::kCancelled || g_interrupted.load()) {
        std::cerr << "mosaic predict: cancelled; no output written" << std::endl;
        return kCancelledExitCode;
      }
      return ReportError(kCommand, run.status());
    }
    result = std::move(*run);
  }

  if (a.json) {
    std::cout << ResultJson(result).dump(2) << std::endl;
    return 0;
  }
  if (a.quiet) return 0;
  PrintReport(result, a.options);
  if (!a.options.summary_output.empty()) {
    const std::string labels = SummaryLabels(a.options.summary_output);
    if (!labels.empty()) std::cout << "scene labels: " << labels << "\n";
  }
  if (sample) std::cout << "outputs are in " << sample_dir << "\n";
  return 0;
}

}  // namespace

void RegisterPredictCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<PredictArgs>();
  geo::SceneInputs& in = a->inputs;
  geo::ScenePredictOptions& o = a->options;
  CLI::App* cmd = app.add_subcommand(
      "predict",
      "Classify a whole Sentinel-2 (+ Sentinel-1) scene into per-class probability rasters "
      "(no arguments: the bundled sample scene, into ./mosaic-predict-out/)");
  cmd->option_defaults()->always_capture_default();

  auto* group = cmd->add_option_group("Inputs");
  group->add_option("--s2", in.s2,
                    "Sentinel-2 L2A: a multi-band raster, a VRT, an L2A product (MTD_MSIL2A.xml, "
                    ".SAFE), or one raster per band");
  group->add_option("--s2-bands", in.s2_band_names,
                    "Model band name of each S2 source band, in order (default: from band "
                    "descriptions or file names)");
  group->add_option("--s1", in.s1,
                    "Sentinel-1: one raster with VV and VH, or two rasters (VV, VH); any CRS");
  group->add_option("--s1-bands", in.s1_band_names, "VV/VH name of each S1 source band");
  group->add_option("--s2-mask", in.s2_mask,
                    "S2 validity raster, e.g. the L2A scene classification (SCL)");
  AddInputValueOptions(group, a.get());

  AddModelOptions(cmd->add_option_group("Model and device"), a.get());
  AddTilingOptions(cmd->add_option_group("Tiling"), a.get());

  auto* out = cmd->add_option_group("Outputs");
  out->add_option("-o,--output", o.output, "Per-class probability raster (.tif)");
  out->add_option("--topk-output", o.topk_output,
                  "Top-k label raster (Byte, 1-based class index per band, 0 = nodata)");
  out->add_option("--embedding-output", o.embedding_output,
                  "Embedding raster on the coarse grid (Float32)");
  out->add_option("--summary", o.summary_output, "Scene summary (JSON)");
  AddOutputEncodingOptions(out, a.get());
  out->add_flag("--overwrite", o.overwrite, "Replace existing output files");
  out->add_flag("-q,--quiet", a->quiet, "No progress and no report (errors only)");
  out->add_flag("--json", a->json, "Print the result as JSON on stdout instead of the report");

  cmd->callback([a, exit_code] { *exit_code = RunPredict(*a); });
}

}  // namespace mosaic::cli
