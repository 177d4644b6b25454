#include "mosaic/eval/scatter_plot.h"

#include <gtest/gtest.h>

#include <set>

namespace mosaic::eval {
namespace {

std::set<Rgb> Colors(const RgbImage& image) {
  std::set<Rgb> colors;
  for (int64_t y = 0; y < image.height; ++y) {
    for (int64_t x = 0; x < image.width; ++x) colors.insert(image.At(x, y));
  }
  return colors;
}

TEST(ScatterPlot, DrawsPointsInTheirClassColoursOnWhite) {
  const std::vector<double> xy = {0, 0, 1, 1, -1, 2, 0.5, -1};
  const std::vector<int> labels = {0, 1, 2, -1};
  ScatterPlotOptions options;
  options.width_px = 200;
  options.height_px = 150;
  StatusOr<RgbImage> image = RenderScatterPlot(xy, labels, 3, options);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->width, 200);
  EXPECT_EQ(image->height, 150);
  ASSERT_EQ(image->pixels.size(), 200u * 150u * 3u);
  EXPECT_EQ(image->At(0, 0), kBackground);
  const std::set<Rgb> colors = Colors(*image);
  for (int c = 0; c < 3; ++c) EXPECT_TRUE(colors.count(Palette(c))) << c;
  EXPECT_TRUE(colors.count(kUnlabelledColor));
  EXPECT_TRUE(colors.count(kFrameColor));
  EXPECT_NE(Palette(0), Palette(1));
  EXPECT_EQ(Palette(20), Palette(0));
}

TEST(ScatterPlot, LegendLinesFollowClassOrder) {
  const std::string text = LegendText("emb.png", {"a", "b"}, {0, 1, 1, -1});
  EXPECT_NE(text.find("0\t#1f77b4\ta\t1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("1\t#ff7f0e\tb\t2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("(no label)\t1"), std::string::npos) << text;
}

TEST(ScatterPlot, RejectsBadInput) {
  EXPECT_FALSE(RenderScatterPlot({0, 0, 1}, {0, 1}, 2).ok());
  EXPECT_FALSE(RenderScatterPlot({0, 0}, {5}, 2).ok());
  ScatterPlotOptions tiny;
  tiny.width_px = 10;
  EXPECT_FALSE(RenderScatterPlot({0, 0}, {0}, 1, tiny).ok());
  EXPECT_TRUE(RenderScatterPlot({}, {}, 0).ok());  // an empty plot is still an image
}

}  // namespace
}  // namespace mosaic::eval
