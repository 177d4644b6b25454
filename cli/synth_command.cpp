// mosaic synth: generate a synthetic Sentinel-1/2 scene and write it as
// georeferenced GeoTIFFs and/or as patch datasets in the BigEarthNet v1 and
// v2.0 layouts (see docs/synthetic-data.md and docs/datasets.md).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "mosaic/geo/bigearthnet_writer.h"
#include "mosaic/geo/scene_writer.h"
#include "mosaic/geo/synthetic_benchmark.h"
#include "mosaic/synth/scene_generator.h"

namespace mosaic::cli {
namespace {

struct SynthArgs {
  std::string out;
  uint64_t seed = 0;
  int64_t size_px = 1200;
  std::vector<std::string> classes;
  double cloud_fraction = 0.0;
  double enl = 4.4;
  std::vector<std::string> layouts = {"scene", "v1", "v2"};
  int epsg = 32633;
  std::vector<double> origin = {400000.0, 5400000.0};
  int s1_epsg = 0;
  std::vector<double> s1_shift_m = {0.0, 0.0};
  double label_min_fraction = 0.01;
  // Train, validation and test scene counts: a multi-scene v2 benchmark.
  std::vector<int> scene_splits;
};

// --scenes T,V,E: T + V + E scenes (seeds seed, seed + 1, ...) in one
// BigEarthNet v2.0 folder, split by scene, plus scenes.json describing them.
Status WriteBenchmark(const SynthArgs& args, const synth::SynthOptions& scene,
                      const geo::GeoReference& georef, const std::filesystem::path& out) {
  geo::SyntheticBenchmarkOptions options;
  options.scene = scene;
  options.first_seed = args.seed;
  options.train_scenes = args.scene_splits[0];
  options.validation_scenes = args.scene_splits[1];
  options.test_scenes = args.scene_splits[2];
  options.georef = georef;
  options.label_min_fraction = args.label_min_fraction;
  options.progress = [](int done, int all) {
    std::cout << "  scene " << done << " of " << all << " written" << std::endl;
  };
  StatusOr<geo::SyntheticBenchmark> written =
      geo::WriteSyntheticBenchmarkV2(options, (out / "bigearthnet-v2").string());
  if (!written.ok()) return written.status();
  std::ofstream json(out / "scenes.json");
  json << "[\n";
  for (size_t i = 0; i < written->scenes.size(); ++i) {
    const geo::BenchmarkScene& s = written->scenes[i];
    json << "  {\"seed\": " << s.seed << ", \"split\": \"" << s.split << "\", \"tile\": \""
         << s.tile << "\", \"patches\": " << s.patches << "}"
         << (i + 1 < written->scenes.size() ? ",\n" : "\n");
  }
  json << "]\n";
  json.close();
  if (!json) return Status::IOError((out / "scenes.json").string() + ": write failed");
  std::cout << "  BigEarthNet v2 benchmark: " << written->patches << " patches from "
            << written->scenes.size() << " scenes, split by scene" << std::endl;
  return Status::OK();
}

int RunSynth(const SynthArgs& args) {
  std::error_code ec;
  if (std::filesystem::exists(args.out, ec)) {
    return ReportError("synth", Status::InvalidArgument("output folder '" + args.out +
                                                        "' exists; choose a new one"));
  }
  synth::SynthOptions options;
  options.seed = args.seed;
  options.width_px = options.height_px = args.size_px;
  options.class_names = args.classes;
  options.cloud_fraction = args.cloud_fraction;
  options.s1_enl = args.enl;
  Status valid = synth::ValidateSynthOptions(options);
  if (!valid.ok()) return ReportError("synth", valid);
  const bool benchmark = !args.scene_splits.empty();
  if (benchmark && args.scene_splits.size() != 3) {
    return ReportError(
        "synth", Status::InvalidArgument("--scenes: expected three counts TRAIN,VALIDATION,TEST"));
  }

  StatusOr<synth::SyntheticScene> scene = Status::Internal("not generated");
  if (!benchmark) {
    std::cout << "generating a " << args.size_px << " x " << args.size_px << " px scene (seed "
              << args.seed << ")..." << std::endl;
    scene = synth::GenerateScene(options);
    if (!scene.ok()) return ReportError("synth", scene.status());
  }

  geo::GeoReference georef;
  georef.epsg = args.epsg;
  georef.origin_x_m = args.origin[0];
  georef.origin_y_m = args.origin[1];
  // Everything goes into a staging folder that is renamed at the end, so a
  // failure (or Ctrl-C) leaves no partial output under the requested name.
  const std::filesystem::path final_out(args.out);
  const std::filesystem::path parent =
      final_out.parent_path().empty() ? std::filesystem::path(".") : final_out.parent_path();
  std::filesystem::create_directories(parent, ec);
  const std::filesystem::path out =
      parent / ("." + final_out.filename().string() + ".partial-" + std::to_string(getpid()));
  std::filesystem::remove_all(out, ec);
  std::filesystem::create_directories(out, ec);
  if (ec) {
    return ReportError("synth",
                       Status::IOError("cannot create '" + out.string() + "': " + ec.message()));
  }
  struct RemoveOnExit {
    std::filesystem::path path;
    ~RemoveOnExit() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } cleanup{out};
  if (benchmark) {
    const Status written = WriteBenchmark(args, options, georef, out);
    if (!written.ok()) return ReportError("synth", written);
  }
  for (const std::string& layout : benchmark ? std::vector<std::string>{} : args.layouts) {
    if (layout == "scene") {
      geo::SceneWriteOptions write;
      write.georef = georef;
      write.s1_grid.epsg = args.s1_epsg;
      write.s1_grid.shift_x_m = args.s1_shift_m[0];
      write.s1_grid.shift_y_m = args.s1_shift_m[1];
      StatusOr<geo::SceneFiles> files =
          geo::WriteSceneGeoTiffs(*scene, (out / "scene").string(), write);
      if (!files.ok()) return ReportError("synth", files.status());
      std::cout << "  scene GeoTIFFs:       " << (final_out / "scene").string() << "\n";
    } else if (layout == "v1" || layout == "v2") {
      geo::BigEarthNetWriteOptions write;
      write.georef = georef;
      write.label_min_fraction = args.label_min_fraction;
      write.split_seed = args.seed;
      const std::string dir =
          (out / (layout == "v1" ? "bigearthnet-v1" : "bigearthnet-v2")).string();
      StatusOr<geo::WrittenDataset> written = layout == "v1"
                                                  ? geo::WriteBigEarthNetV1(*scene, dir, write)
                                                  : geo::WriteBigEarthNetV2(*scene, dir, write);
      if (!written.ok()) return ReportError("synth", written.status());
      std::cout << "  BigEarthNet " << layout
                << " layout: " << (final_out / std::filesystem::path(dir).filename()).string()
                << " (" << written->patches.size() << " patches)\n";
    } else {
      return ReportError(
          "synth", Status::InvalidArgument("--layout '" + layout + "': expected scene, v1 or v2"));
    }
  }
  std::filesystem::rename(out, final_out, ec);
  if (ec) {
    return ReportError("synth", Status::IOError("cannot move the output into place at '" +
                                                args.out + "': " + ec.message()));
  }
  std::cout << "wrote " << args.out << std::endl;
  return 0;
}

}  // namespace

void RegisterSynthCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<SynthArgs>();
  CLI::App* cmd = app.add_subcommand(
      "synth",
      "Generate a synthetic Sentinel-1/2 scene as GeoTIFFs and BigEarthNet-layout patches");
  cmd->add_option("-o,--out", a->out, "Output folder (must not exist)")->required();
  cmd->add_option("--seed", a->seed, "Random seed (same seed, same data)")->capture_default_str();
  cmd->add_option("--size", a->size_px, "Scene side in 10 m pixels (multiple of 6)")
      ->capture_default_str();
  cmd->add_option("--classes", a->classes, "BigEarthNet-19 class names to draw (default: all 19)")
      ->delimiter(';');
  cmd->add_option("--cloud-fraction", a->cloud_fraction, "Share of the scene under cloud (S2)")
      ->capture_default_str();
  cmd->add_option("--enl", a->enl, "Equivalent number of looks of the S1 speckle")
      ->capture_default_str();
  cmd->add_option("--layout", a->layouts, "Outputs: scene, v1, v2 (comma-separated)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--epsg", a->epsg, "EPSG code of the scene's projected CRS")
      ->capture_default_str();
  cmd->add_option("--origin", a->origin, "Upper-left corner x,y in CRS metres")
      ->delimiter(',')
      ->expected(2)
      ->capture_default_str();
  cmd->add_option("--s1-epsg", a->s1_epsg, "Write S1 in another CRS (0 = the S2 CRS)")
      ->capture_default_str();
  cmd->add_option("--s1-shift-m", a->s1_shift_m, "Shift the S1 grid by dx,dy metres")
      ->delimiter(',')
      ->expected(2)
      ->capture_default_str();
  cmd->add_option("--label-min-fraction", a->label_min_fraction,
                  "Share of a patch a class must cover to be a label")
      ->capture_default_str();
  cmd->add_option("--scenes", a->scene_splits,
                  "TRAIN,VALIDATION,TEST scene counts: a BigEarthNet v2 benchmark of that many "
                  "scenes (seeds --seed, --seed + 1, ...), split by scene")
      ->delimiter(',')
      ->expected(3);
  cmd->callback([a, exit_code] { *exit_code = RunSynth(*a); });
}

}  // namespace mosaic::cli
