// A multi-scene synthetic benchmark in the BigEarthNet v2.0 layout, split by
// scene: every patch of a scene is in the same split, so test patches never
// have training neighbours from the same scene (a per-patch split of one
// scene leaks its land-cover layout, spectra and speckle into the test set).
//
// Scene i (0-based) is synth::GenerateScene with seed = first_seed + i; the
// first train_scenes scenes are "train", the next validation_scenes
// "validation", the rest "test". Each scene gets its own tile (33UV + letter),
// product dates and an origin 100 km east of the previous one, so patch ids
// and S1 names never collide and the scenes do not overlap on the ground.
// The result is one BigEarthNet v2.0 folder (BigEarthNet-S2/, BigEarthNet-S1/,
// Reference_Maps/, metadata.csv) that `bigearthnet-v2:` opens as usual.
//
// Output is all-or-nothing (staging folder renamed at the end); output_dir
// must not exist. Thread-safe for different output folders.
#ifndef MOSAIC_GEO_SYNTHETIC_BENCHMARK_H_
#define MOSAIC_GEO_SYNTHETIC_BENCHMARK_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/geo/scene_writer.h"
#include "mosaic/status.h"
#include "mosaic/synth/scene_generator.h"

namespace mosaic::geo {

struct SyntheticBenchmarkOptions {
  // Everything but the seed applies to every scene (size, classes, clouds...).
  synth::SynthOptions scene;
  uint64_t first_seed = 0;
  int train_scenes = 5;
  int validation_scenes = 1;
  int test_scenes = 2;
  GeoReference georef;  // the first scene's; the others lie further east
  double label_min_fraction = 0.01;
  // Called after each scene with (scenes done, scenes in all); may be empty.
  std::function<void(int, int)> progress;
};

struct BenchmarkScene {
  uint64_t seed = 0;
  std::string split;
  std::string tile;
  int64_t patches = 0;
};

struct SyntheticBenchmark {
  std::string root;
  std::vector<BenchmarkScene> scenes;
  int64_t patches = 0;
};

// Errors: InvalidArgument for negative scene counts, no scene at all or more
// than 26 scenes, or bad scene options (naming the field); IOError for
// file-system failures (nothing is left under output_dir).
MOSAIC_EXPORT StatusOr<SyntheticBenchmark> WriteSyntheticBenchmarkV2(
    const SyntheticBenchmarkOptions& options, const std::string& output_dir);

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_SYNTHETIC_BENCHMARK_H_
