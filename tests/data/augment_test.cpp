#include "mosaic/data/augment.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>

namespace mosaic::data {
namespace {

namespace F = torch::nn::functional;

torch::Tensor RandomImage(int64_t channels, int64_t size, uint64_t seed, double scale = 1000.0) {
  torch::manual_seed(seed);
  return torch::rand({channels, size, size}) * scale;
}

BandNormalization Identity(int64_t channels) {
  return BandNormalization{std::vector<double>(static_cast<size_t>(channels), 0.0),
                           std::vector<double>(static_cast<size_t>(channels), 1.0)};
}

// Only the geometric augmentations, each with the given probability.
AugmentOptions GeometryOnly(double p) {
  AugmentOptions o = AugmentOptions::None();
  o.hflip_probability = o.vflip_probability = o.rot90_probability = o.crop_probability = p;
  return o;
}

TEST(Augment, Rot90OnHandMadePatch) {
  // [[1, 2], [3, 4]] turned a quarter counter-clockwise is [[2, 4], [1, 3]].
  const torch::Tensor image = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).reshape({1, 2, 2});
  GeometricParams g;
  g.rot90 = 1;
  EXPECT_TRUE(torch::equal(ApplyGeometry(image, g),
                           torch::tensor({2.0f, 4.0f, 1.0f, 3.0f}).reshape({1, 2, 2})));
  g.rot90 = 0;
  g.flip_horizontal = true;
  EXPECT_TRUE(torch::equal(ApplyGeometry(image, g),
                           torch::tensor({2.0f, 1.0f, 4.0f, 3.0f}).reshape({1, 2, 2})));
  g.flip_horizontal = false;
  g.flip_vertical = true;
  EXPECT_TRUE(torch::equal(ApplyGeometry(image, g),
                           torch::tensor({3.0f, 4.0f, 1.0f, 2.0f}).reshape({1, 2, 2})));
}

TEST(Augment, FlipsAndRot90PermutePixelsExactly) {
  const torch::Tensor image = torch::arange(3 * 5 * 5, torch::kFloat).reshape({3, 5, 5});
  for (int hflip = 0; hflip < 2; ++hflip) {
    for (int vflip = 0; vflip < 2; ++vflip) {
      for (int k = 0; k < 4; ++k) {
        GeometricParams g;
        g.flip_horizontal = hflip != 0;
        g.flip_vertical = vflip != 0;
        g.rot90 = k;
        torch::Tensor expected = image;
        if (g.flip_horizontal) expected = torch::flip(expected, {2});
        if (g.flip_vertical) expected = torch::flip(expected, {1});
        expected = torch::rot90(expected, k, {1, 2});
        EXPECT_TRUE(torch::equal(ApplyGeometry(image, g), expected))
            << "hflip " << hflip << " vflip " << vflip << " rot90 " << k;
        EXPECT_EQ(g.IsIdentity(5), hflip == 0 && vflip == 0 && k == 0);
      }
    }
  }
}

TEST(Augment, ResizedCropMatchesTorchBilinearInterpolate) {
  const torch::Tensor image = RandomImage(3, 16, 1);
  GeometricParams g;
  g.crop_top_px = 2;
  g.crop_left_px = 3;
  g.crop_height_px = 7;
  g.crop_width_px = 9;
  const torch::Tensor crop = image.slice(1, 2, 9).slice(2, 3, 12).unsqueeze(0);
  const torch::Tensor expected = F::interpolate(crop, F::InterpolateFuncOptions()
                                                          .size(std::vector<int64_t>{16, 16})
                                                          .mode(torch::kBilinear)
                                                          .align_corners(false))
                                     .squeeze(0);
  EXPECT_TRUE(torch::allclose(ApplyGeometry(image, g), expected, 1e-5, 1e-3));

  // Crop + resize, then the flips and the turn, in that order.
  g.flip_horizontal = true;
  g.rot90 = 3;
  EXPECT_TRUE(torch::allclose(ApplyGeometry(image, g),
                              torch::rot90(torch::flip(expected, {2}), 3, {1, 2}), 1e-5, 1e-3));
}

TEST(Augment, RandomResizedCropWithScaleOneAndRatioOneIsIdentity) {
  AugmentOptions o = GeometryOnly(0.0);
  o.crop_probability = 1.0;
  o.crop_scale_min = o.crop_scale_max = 1.0;
  o.crop_ratio_min = o.crop_ratio_max = 1.0;
  const torch::Tensor image = RandomImage(4, 12, 2);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const ViewParams p = SampleViewParams(o, 12, 2, 4, seed);
    EXPECT_TRUE(p.s2_geometry.IsIdentity(12));
    torch::Tensor out = torch::empty_like(image);
    RenderView(Modality::kS2, p, Identity(4), image, out);
    EXPECT_TRUE(torch::equal(out, image));
  }
}

TEST(Augment, RandomResizedCropStaysInRange) {
  AugmentOptions o = GeometryOnly(0.0);
  o.crop_probability = 1.0;
  o.crop_scale_min = 0.25;
  o.crop_scale_max = 0.5;
  const int64_t size = 120;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const GeometricParams g = SampleViewParams(o, size, 2, 12, seed).s2_geometry;
    ASSERT_GE(g.crop_top_px, 0);
    ASSERT_GE(g.crop_left_px, 0);
    ASSERT_LE(g.crop_top_px + g.crop_height_px, size);
    ASSERT_LE(g.crop_left_px + g.crop_width_px, size);
    const double scale = static_cast<double>(g.crop_height_px * g.crop_width_px) / (size * size);
    const double ratio =
        static_cast<double>(g.crop_width_px) / static_cast<double>(g.crop_height_px);
    EXPECT_GT(scale, 0.24);  // rounding of the box to whole pixels
    EXPECT_LT(scale, 0.51);
    EXPECT_GT(ratio, 0.74);
    EXPECT_LT(ratio, 1.35);
  }
}

// S1 and S2 carry the same spatial pattern in every band; after the geometric
// augmentation their bands must still agree pixel for pixel when the geometry
// is shared, and (almost always) disagree when it is not.
TEST(Augment, SharedGeometryKeepsS1AndS2Aligned) {
  const torch::Tensor pattern = RandomImage(1, 16, 3);
  const torch::Tensor s1 = pattern.expand({2, 16, 16}).contiguous();
  const torch::Tensor s2 = pattern.expand({4, 16, 16}).contiguous();
  for (bool shared : {true, false}) {
    AugmentOptions o = GeometryOnly(0.5);
    o.shared_geometry = shared;
    int misaligned = 0;
    for (uint64_t seed = 0; seed < 40; ++seed) {
      const ViewParams p = SampleViewParams(o, 16, 2, 4, seed);
      torch::Tensor out1 = torch::empty_like(s1), out2 = torch::empty_like(s2);
      RenderView(Modality::kS1, p, Identity(2), s1, out1);
      RenderView(Modality::kS2, p, Identity(4), s2, out2);
      const bool aligned = torch::equal(out1[0], out2[0]) && torch::equal(out1[1], out2[3]);
      if (shared) {
        EXPECT_TRUE(aligned) << "seed " << seed;
      }
      misaligned += aligned ? 0 : 1;
    }
    if (!shared) {
      EXPECT_GT(misaligned, 30);
    }
  }
}

TEST(Augment, JitterScalesMeanByBrightnessAndStdByBrightnessTimesContrast) {
  const torch::Tensor image = RandomImage(3, 32, 4);
  const double brightness = 1.3, contrast = 0.6;
  const torch::Tensor out = JitterS2(image, brightness, contrast);
  for (int64_t c = 0; c < 3; ++c) {
    const double mean = image[c].mean().item<double>();
    const double std = image[c].std(/*unbiased=*/false).item<double>();
    EXPECT_NEAR(out[c].mean().item<double>(), brightness * mean, 1e-4 * mean);
    EXPECT_NEAR(out[c].std(false).item<double>(), brightness * contrast * std, 1e-4 * std);
  }
}

TEST(Augment, SpeckleHasUnitMeanRatioInLinearDomain) {
  const torch::Tensor image = torch::full({2, 64, 64}, -12.0f);
  const double looks = 4.0;
  const torch::Tensor out = SpeckleS1(image, looks, 7);
  const torch::Tensor ratio = torch::pow(10.0, (out - image) / 10.0);
  // Gamma(L, 1/L): mean 1, variance 1/L; 8192 values, standard error 0.0055.
  EXPECT_NEAR(ratio.mean().item<double>(), 1.0, 0.025);
  EXPECT_NEAR(ratio.var().item<double>(), 1.0 / looks, 0.025);
  EXPECT_TRUE(torch::equal(out, SpeckleS1(image, looks, 7)));  // same seed, same field
  EXPECT_FALSE(torch::equal(out, SpeckleS1(image, looks, 8)));

  // One look: g ~ Exp(1), so P(g < 1) = 1 - 1/e and the median is ln 2.
  const torch::Tensor g = torch::pow(10.0, (SpeckleS1(image, 1.0, 3) - image) / 10.0);
  EXPECT_NEAR(g.mean().item<double>(), 1.0, 0.04);
  EXPECT_NEAR((g < 1.0).to(torch::kDouble).mean().item<double>(), 1.0 - std::exp(-1.0), 0.015);
  EXPECT_NEAR(g.median().item<double>(), std::log(2.0), 0.03);
}

TEST(Augment, AdditiveNoiseHasRequestedStdInDb) {
  const torch::Tensor image = RandomImage(2, 64, 5, 10.0) - 15.0;
  const torch::Tensor noise = AddNoiseS1(image, 0.5, 9) - image;
  EXPECT_NEAR(noise.mean().item<double>(), 0.0, 0.02);
  EXPECT_NEAR(noise.std().item<double>(), 0.5, 0.02);
  // Normal quantiles: 15.87 % of the values lie below -1 std.
  EXPECT_NEAR((noise < -0.5).to(torch::kDouble).mean().item<double>(), 0.1587, 0.012);
}

TEST(Augment, BandDropoutZeroesExactlyOneBand) {
  AugmentOptions o = AugmentOptions::None();
  o.band_dropout_probability = 1.0;
  const torch::Tensor image = RandomImage(4, 8, 6) + 1.0;
  const BandNormalization norm{{100, 200, 300, 400}, {50, 60, 70, 80}};
  const torch::Tensor normalized = NormalizeBands(image, norm);
  std::set<int64_t> dropped;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    const ViewParams p = SampleViewParams(o, 8, 2, 4, seed);
    ASSERT_GE(p.s2_dropped_band, 0);
    ASSERT_LT(p.s2_dropped_band, 4);
    torch::Tensor out = torch::empty_like(image);
    RenderView(Modality::kS2, p, norm, image, out);
    int zero_bands = 0;
    for (int64_t c = 0; c < 4; ++c) {
      if (c == p.s2_dropped_band) {
        EXPECT_TRUE(torch::equal(out[c], torch::zeros_like(out[c])));
      } else {
        EXPECT_TRUE(torch::equal(out[c], normalized[c]));
      }
      zero_bands += torch::equal(out[c], torch::zeros_like(out[c])) ? 1 : 0;
    }
    EXPECT_EQ(zero_bands, 1);
    dropped.insert(p.s2_dropped_band);
  }
  EXPECT_EQ(dropped.size(), 4u);  // every band gets dropped sometimes
  EXPECT_TRUE(torch::equal(DropBand(normalized, 2)[2], torch::zeros({8, 8})));
}

TEST(Augment, NormalizationMatchesHandComputation) {
  const torch::Tensor image = RandomImage(2, 4, 7);
  const BandNormalization norm{{10.0, -3.0}, {2.0, 0.5}};
  const torch::Tensor out = NormalizeBands(image, norm);
  auto in = image.accessor<float, 3>();
  auto got = out.accessor<float, 3>();
  for (int64_t c = 0; c < 2; ++c) {
    for (int64_t y = 0; y < 4; ++y) {
      for (int64_t x = 0; x < 4; ++x) {
        const double expected = (in[c][y][x] - norm.mean[c]) / norm.std[c];
        EXPECT_NEAR(got[c][y][x], expected, 1e-4 * std::abs(expected) + 1e-5);
      }
    }
  }
  // Without augmentation a rendered view is exactly the normalised patch.
  torch::Tensor view = torch::empty_like(image);
  RenderView(Modality::kS1, ViewParams{}, norm, image, view);
  EXPECT_TRUE(torch::allclose(view, out, 1e-6, 1e-6));
}

TEST(Augment, RenderViewEqualsTheComposedSteps) {
  AugmentOptions o;  // the defaults, all on with these probabilities
  o.s2_jitter_probability = o.s1_speckle_probability = o.s1_noise_probability = 1.0;
  o.band_dropout_probability = 1.0;
  o.crop_probability = 1.0;
  const torch::Tensor s1 = RandomImage(2, 16, 8, 20.0) - 25.0;
  const torch::Tensor s2 = RandomImage(4, 16, 9, 3000.0);
  const BandNormalization n1{{-12, -19}, {3, 4}}, n2{{500, 700, 900, 1100}, {300, 400, 500, 600}};
  for (uint64_t seed = 0; seed < 5; ++seed) {
    const ViewParams p = SampleViewParams(o, 16, 2, 4, seed);
    torch::Tensor out1 = torch::empty_like(s1), out2 = torch::empty_like(s2);
    RenderView(Modality::kS1, p, n1, s1, out1);
    RenderView(Modality::kS2, p, n2, s2, out2);
    const torch::Tensor expected1 =
        DropBand(NormalizeBands(AddNoiseS1(SpeckleS1(ApplyGeometry(s1, p.s1_geometry),
                                                     p.s1_speckle_looks, p.s1_noise_seed),
                                           p.s1_noise_std_db, p.s1_noise_seed),
                                n1),
                 p.s1_dropped_band);
    const torch::Tensor expected2 = DropBand(
        NormalizeBands(JitterS2(ApplyGeometry(s2, p.s2_geometry), p.s2_brightness, p.s2_contrast),
                       n2),
        p.s2_dropped_band);
    EXPECT_TRUE(torch::allclose(out1, expected1, 1e-4, 1e-4)) << "seed " << seed;
    EXPECT_TRUE(torch::allclose(out2, expected2, 1e-4, 1e-4)) << "seed " << seed;
  }
}

TEST(Augment, SameSeedSameParamsDifferentSeedDifferentParams) {
  const AugmentOptions o;
  const ViewParams a = SampleViewParams(o, 120, 2, 12, 42);
  const ViewParams b = SampleViewParams(o, 120, 2, 12, 42);
  EXPECT_EQ(a.s2_geometry.crop_top_px, b.s2_geometry.crop_top_px);
  EXPECT_EQ(a.s2_geometry.crop_width_px, b.s2_geometry.crop_width_px);
  EXPECT_EQ(a.s2_brightness, b.s2_brightness);
  EXPECT_EQ(a.s1_noise_seed, b.s1_noise_seed);
  int differ = 0;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const ViewParams c = SampleViewParams(o, 120, 2, 12, seed);
    differ += c.s1_noise_seed != a.s1_noise_seed ? 1 : 0;
  }
  EXPECT_EQ(differ, 10);
}

TEST(Augment, ValidateRejectsOutOfRangeOptions) {
  EXPECT_TRUE(AugmentOptions().Validate().ok());
  EXPECT_TRUE(AugmentOptions::None().Validate().ok());
  AugmentOptions o;
  o.hflip_probability = 1.5;
  EXPECT_NE(o.Validate().message().find("hflip_probability"), std::string::npos);
  o = AugmentOptions();
  o.crop_scale_min = 0.0;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o = AugmentOptions();
  o.s1_speckle_looks = 0.0;
  EXPECT_NE(o.Validate().message().find("s1_speckle_looks"), std::string::npos);
}

TEST(Augment, BadShapesThrow) {
  EXPECT_THROW(ApplyGeometry(torch::zeros({2, 4, 5}), GeometricParams{}), c10::Error);
  GeometricParams g;
  g.crop_top_px = 3;
  g.crop_height_px = g.crop_width_px = 3;
  EXPECT_THROW(ApplyGeometry(torch::zeros({1, 4, 4}), g), c10::Error);
  EXPECT_THROW(NormalizeBands(torch::zeros({2, 4, 4}), BandNormalization{{0}, {1}}), c10::Error);
  EXPECT_THROW(NormalizeBands(torch::zeros({1, 4, 4}), BandNormalization{{0}, {0}}), c10::Error);
}

}  // namespace
}  // namespace mosaic::data
