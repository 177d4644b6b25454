// Small valid manifests for tests.
#ifndef MOSAIC_TESTS_TESTING_MANIFESTS_H_
#define MOSAIC_TESTS_TESTING_MANIFESTS_H_

#include "mosaic/bands.h"
#include "mosaic/label_sets.h"
#include "mosaic/manifest.h"

namespace mosaic::testing {

// A tiny dual-stream small_cnn model: S1 VV/VH, S2 10-m bands, 3 classes, 16 px patches.
inline ModelManifest TinyManifest() {
  ModelManifest m;
  m.name = "tiny-test-model";
  m.description = "unit test model";
  m.s1.encoder = "small_cnn";
  m.s1.bands = {"VV", "VH"};
  m.s1.normalization = {{-12.0, -19.0}, {5.0, 5.5}};
  m.s2.encoder = "small_cnn";
  m.s2.bands = {"B02", "B03", "B04", "B08"};
  m.s2.normalization = {{400, 600, 580, 2200}, {600, 600, 680, 1370}};
  m.small_cnn_width = 4;
  m.projection_dim = 8;
  m.projection_hidden_dim = 16;
  m.class_names = {"Arable land", "Coniferous forest", "Inland waters"};
  m.patch_size_px = 16;
  m.training_json = R"({"objective":"mosaic","epochs":0})";
  m.provenance_json = R"({"created_by":"unit test"})";
  return m;
}

}  // namespace mosaic::testing

#endif  // MOSAIC_TESTS_TESTING_MANIFESTS_H_
