#include "mosaic/geo/synthetic_benchmark.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "geo/staging_dir.h"
#include "mosaic/geo/bigearthnet_writer.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxScenes = 26;               // one tile letter each
constexpr double kSceneSpacingM = 100000.0;  // origins 100 km apart

std::string SplitOfScene(const SyntheticBenchmarkOptions& o, int scene) {
  if (scene < o.train_scenes) return "train";
  if (scene < o.train_scenes + o.validation_scenes) return "validation";
  return "test";
}

// Scene `scene`'s names: its own tile and acquisition day.
BigEarthNetWriteOptions BenchmarkSceneWriteOptions(const SyntheticBenchmarkOptions& o, int scene) {
  BigEarthNetWriteOptions w;
  w.georef = o.georef;
  w.georef.origin_x_m += kSceneSpacingM * scene;
  w.label_min_fraction = o.label_min_fraction;
  const std::string split = SplitOfScene(o, scene);
  w.train_fraction = split == "train" ? 1.0 : 0.0;
  w.validation_fraction = split == "validation" ? 1.0 : 0.0;
  w.tile = std::string("33UV") + static_cast<char>('A' + scene);
  char day[16];
  std::snprintf(day, sizeof(day), "201706%02d", scene + 1);
  w.s2_product = std::string("S2A_MSIL2A_") + day + "T101031";
  w.s2_product_v2 = w.s2_product + "_N9999_R022_T" + w.tile;
  w.s1_product = std::string("S1A_IW_GRDH_1SDV_") + day + "T165043";
  w.write_parquet = false;  // one merged metadata.csv is written instead
  return w;
}

// Moves every entry of from/<sub> into to/<sub>.
Status MoveChildren(const fs::path& from, const fs::path& to, const char* sub) {
  std::error_code ec;
  fs::create_directories(to / sub, ec);
  if (ec) return Status::IOError((to / sub).string() + ": " + ec.message());
  if (!fs::exists(from / sub)) return Status::OK();
  for (const fs::directory_entry& entry : fs::directory_iterator(from / sub)) {
    const fs::path target = to / sub / entry.path().filename();
    if (fs::exists(target)) {
      return Status::Internal("synthetic benchmark: two scenes wrote " + target.string());
    }
    fs::rename(entry.path(), target, ec);
    if (ec) return Status::IOError("cannot move " + entry.path().string() + ": " + ec.message());
  }
  return Status::OK();
}

// Appends `part`'s metadata.csv to `merged` (its header only once).
Status AppendMetadata(const fs::path& part, std::string* merged) {
  std::ifstream in(part / "metadata.csv", std::ios::binary);
  if (!in) return Status::IOError((part / "metadata.csv").string() + ": cannot read");
  std::string header;
  std::getline(in, header);
  if (merged->empty()) *merged = header + "\n";
  std::ostringstream rest;
  rest << in.rdbuf();
  *merged += rest.str();
  if (!merged->empty() && merged->back() != '\n') *merged += "\n";
  return Status::OK();
}

}  // namespace

StatusOr<SyntheticBenchmark> WriteSyntheticBenchmarkV2(const SyntheticBenchmarkOptions& options,
                                                       const std::string& output_dir) {
  const int scenes = options.train_scenes + options.validation_scenes + options.test_scenes;
  if (options.train_scenes < 0 || options.validation_scenes < 0 || options.test_scenes < 0 ||
      scenes < 1 || scenes > kMaxScenes) {
    return Status::InvalidArgument(
        "synthetic benchmark: expected 1.." + std::to_string(kMaxScenes) +
        " scenes and no negative split count, got train " + std::to_string(options.train_scenes) +
        ", validation " + std::to_string(options.validation_scenes) + ", test " +
        std::to_string(options.test_scenes));
  }
  StatusOr<internal::StagingDir> staging = internal::StagingDir::Create(output_dir);
  if (!staging.ok()) return staging.status();
  const fs::path root(staging->path());

  SyntheticBenchmark result;
  result.root = output_dir;
  std::string metadata;
  for (int i = 0; i < scenes; ++i) {
    synth::SynthOptions scene_options = options.scene;
    scene_options.seed = options.first_seed + static_cast<uint64_t>(i);
    StatusOr<synth::SyntheticScene> scene = synth::GenerateScene(scene_options);
    if (!scene.ok()) return scene.status();
    const BigEarthNetWriteOptions write = BenchmarkSceneWriteOptions(options, i);
    const fs::path part = root / (".scene-" + std::to_string(i));
    StatusOr<WrittenDataset> written = WriteBigEarthNetV2(*scene, part.string(), write);
    if (!written.ok()) return written.status();
    for (const char* sub : {"BigEarthNet-S2", "BigEarthNet-S1", "Reference_Maps"}) {
      MOSAIC_RETURN_IF_ERROR(MoveChildren(part, root, sub));
    }
    MOSAIC_RETURN_IF_ERROR(AppendMetadata(part, &metadata));
    std::error_code ec;
    fs::remove_all(part, ec);
    result.scenes.push_back(BenchmarkScene{scene_options.seed, SplitOfScene(options, i), write.tile,
                                           static_cast<int64_t>(written->patches.size())});
    result.patches += static_cast<int64_t>(written->patches.size());
    if (options.progress) options.progress(i + 1, scenes);
  }
  {
    std::ofstream out(root / "metadata.csv", std::ios::binary);
    out << metadata;
    out.close();
    if (!out) return Status::IOError((root / "metadata.csv").string() + ": write failed");
  }
  MOSAIC_RETURN_IF_ERROR(staging->Commit());
  return result;
}

}  // namespace mosaic::geo
