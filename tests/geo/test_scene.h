// A small, deterministic SyntheticScene built by hand (independent of the
// synth generator), and GDAL helpers for the geo tests.
#ifndef MOSAIC_TESTS_GEO_TEST_SCENE_H_
#define MOSAIC_TESTS_GEO_TEST_SCENE_H_

#include <gdal.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/bands.h"
#include "mosaic/synth/scene_generator.h"

namespace mosaic::testing {

// width x height px (multiples of 6). Four classes in diagonal stripes plus a
// lake; S2 values encode band, position and class; S1 values are smooth in x
// and y plus a class offset; a cloud with a shadow in the upper-left corner.
inline synth::SyntheticScene MakeTestScene(int64_t width = 360, int64_t height = 240) {
  synth::SyntheticScene scene;
  scene.width = width;
  scene.height = height;
  scene.class_names = {"Arable land", "Coniferous forest", "Urban fabric", "Inland waters"};
  const size_t pixels = static_cast<size_t>(width * height);
  scene.land_cover.resize(pixels);
  scene.s1_vv.resize(pixels);
  scene.s1_vh.resize(pixels);
  scene.cloud_mask.assign(pixels, 0);
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      const size_t i = static_cast<size_t>(y * width + x);
      uint8_t c = static_cast<uint8_t>(((x + 2 * y) / 50) % 3);
      const int64_t dx = x - 300;
      const int64_t dy = y - 60;
      if (dx * dx + dy * dy < 40 * 40) c = 3;  // a lake in patch (2, 0)
      scene.land_cover[i] = c;
      scene.s1_vv[i] = -8.0f - 0.25f * static_cast<float>(x % 17) - 0.01f * static_cast<float>(y) -
                       2.0f * static_cast<float>(c);
      scene.s1_vh[i] = scene.s1_vv[i] - 6.5f + 0.125f * static_cast<float>(y % 5);
      if (x < 40 && y < 30) scene.cloud_mask[i] = 1;
      if (x >= 40 && x < 60 && y < 30) scene.cloud_mask[i] = 2;
    }
  }
  const std::vector<std::string> bands = ModalityBands(Modality::kS2);
  for (size_t b = 0; b < bands.size(); ++b) {
    synth::S2Band band;
    band.name = bands[b];
    band.resolution_m = FindBand(bands[b])->native_resolution_m;
    const int64_t factor = band.resolution_m / 10;
    band.width = width / factor;
    band.height = height / factor;
    band.data.resize(static_cast<size_t>(band.width * band.height));
    for (int64_t y = 0; y < band.height; ++y) {
      for (int64_t x = 0; x < band.width; ++x) {
        const uint8_t c = scene.land_cover[static_cast<size_t>(y * factor * width + x * factor)];
        band.data[static_cast<size_t>(y * band.width + x)] =
            static_cast<uint16_t>(100 * b + 500 * c + (7 * x + 13 * y) % 97);
      }
    }
    scene.s2.push_back(std::move(band));
  }
  return scene;
}

// Reads band `band` of a raster with GDAL directly, resampled to out_w x out_h.
inline std::vector<float> GdalRead(const std::string& path, int band, int out_w, int out_h,
                                   GDALRIOResampleAlg resampling = GRIORA_NearestNeighbour) {
  GDALAllRegister();
  std::vector<float> out(static_cast<size_t>(out_w * out_h), -1.0f);
  GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
  if (ds == nullptr) return {};
  GDALRasterIOExtraArg extra;
  INIT_RASTERIO_EXTRA_ARG(extra);
  extra.eResampleAlg = resampling;
  const CPLErr err =
      GDALRasterIOEx(GDALGetRasterBand(ds, band), GF_Read, 0, 0, GDALGetRasterXSize(ds),
                     GDALGetRasterYSize(ds), out.data(), out_w, out_h, GDT_Float32, 0, 0, &extra);
  GDALClose(ds);
  return err == CE_None ? out : std::vector<float>{};
}

}  // namespace mosaic::testing

#endif  // MOSAIC_TESTS_GEO_TEST_SCENE_H_
