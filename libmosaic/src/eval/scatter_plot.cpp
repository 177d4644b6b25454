#include "mosaic/eval/scatter_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mosaic::eval {
namespace {

constexpr Rgb kTab20[20] = {{31, 119, 180},  {255, 127, 14},  {44, 160, 44},   {214, 39, 40},
                            {148, 103, 189}, {140, 86, 75},   {227, 119, 194}, {127, 127, 127},
                            {188, 189, 34},  {23, 190, 207},  {174, 199, 232}, {255, 187, 120},
                            {152, 223, 138}, {255, 152, 150}, {197, 176, 213}, {196, 156, 148},
                            {247, 182, 210}, {199, 199, 199}, {219, 219, 141}, {158, 218, 229}};

void Fill(RgbImage* image, int64_t x0, int64_t y0, int64_t x1, int64_t y1, const Rgb& color) {
  x0 = std::max<int64_t>(x0, 0);
  y0 = std::max<int64_t>(y0, 0);
  x1 = std::min(x1, image->width);
  y1 = std::min(y1, image->height);
  for (int64_t y = y0; y < y1; ++y) {
    for (int64_t x = x0; x < x1; ++x) {
      uint8_t* p = &image->pixels[static_cast<size_t>((y * image->width + x) * 3)];
      p[0] = color[0];
      p[1] = color[1];
      p[2] = color[2];
    }
  }
}

void Disc(RgbImage* image, int64_t cx, int64_t cy, int radius, const Rgb& color) {
  const int64_t r2 = static_cast<int64_t>(radius) * radius;
  for (int64_t dy = -radius; dy <= radius; ++dy) {
    for (int64_t dx = -radius; dx <= radius; ++dx) {
      if (dx * dx + dy * dy <= r2) Fill(image, cx + dx, cy + dy, cx + dx + 1, cy + dy + 1, color);
    }
  }
}

}  // namespace

Rgb Palette(int label) { return kTab20[(label < 0 ? 0 : label) % 20]; }

StatusOr<RgbImage> RenderScatterPlot(const std::vector<double>& xy, const std::vector<int>& labels,
                                     int num_classes, const ScatterPlotOptions& options) {
  if (xy.size() != 2 * labels.size()) {
    return Status::InvalidArgument("scatter plot: " + std::to_string(xy.size()) +
                                   " coordinates for " + std::to_string(labels.size()) +
                                   " labels (expected 2 per point)");
  }
  if (options.width_px < 64 || options.width_px > 8192 || options.height_px < 64 ||
      options.height_px > 8192 || options.point_radius_px < 0 || options.point_radius_px > 50 ||
      options.margin_px < 0 || options.legend_square_px < 2 || num_classes < 0) {
    return Status::InvalidArgument(
        "scatter plot: size 64..8192 px, radius 0..50 px, margin >= 0 "
        "and legend square >= 2 px expected");
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= num_classes) {
      return Status::InvalidArgument("scatter plot: label " + std::to_string(labels[i]) +
                                     " of point " + std::to_string(i) + " >= num_classes " +
                                     std::to_string(num_classes));
    }
    if (!std::isfinite(xy[2 * i]) || !std::isfinite(xy[2 * i + 1])) {
      return Status::InvalidArgument("scatter plot: non-finite coordinate of point " +
                                     std::to_string(i));
    }
  }
  RgbImage image;
  image.width = options.width_px;
  image.height = options.height_px;
  image.pixels.assign(static_cast<size_t>(image.width * image.height * 3), 255);

  const int64_t square = options.legend_square_px;
  const int64_t legend_width = options.legend && num_classes > 0 ? 2 * square : 0;
  const int64_t left = options.margin_px, top = options.margin_px;
  const int64_t right = image.width - options.margin_px - legend_width;
  const int64_t bottom = image.height - options.margin_px;
  if (right - left < 16 || bottom - top < 16) {
    return Status::InvalidArgument("scatter plot: margins and legend leave no plot area");
  }
  // Frame, one pixel outside the plot area.
  Fill(&image, left - 1, top - 1, right + 1, top, kFrameColor);
  Fill(&image, left - 1, bottom, right + 1, bottom + 1, kFrameColor);
  Fill(&image, left - 1, top - 1, left, bottom + 1, kFrameColor);
  Fill(&image, right, top - 1, right + 1, bottom + 1, kFrameColor);

  if (!labels.empty()) {
    double min_x = xy[0], max_x = xy[0], min_y = xy[1], max_y = xy[1];
    for (size_t i = 0; i < labels.size(); ++i) {
      min_x = std::min(min_x, xy[2 * i]);
      max_x = std::max(max_x, xy[2 * i]);
      min_y = std::min(min_y, xy[2 * i + 1]);
      max_y = std::max(max_y, xy[2 * i + 1]);
    }
    const int64_t inset = options.point_radius_px + 1;
    const double area_w = static_cast<double>(right - left - 2 * inset - 1);
    const double area_h = static_cast<double>(bottom - top - 2 * inset - 1);
    const double span = std::max(max_x - min_x, max_y - min_y);
    const double scale = span > 0 ? std::min(area_w, area_h) / span : 0.0;
    const double cx = 0.5 * (min_x + max_x), cy = 0.5 * (min_y + max_y);
    const double px0 = left + inset + 0.5 * area_w, py0 = top + inset + 0.5 * area_h;
    for (size_t i = 0; i < labels.size(); ++i) {
      const auto px = static_cast<int64_t>(std::lround(px0 + (xy[2 * i] - cx) * scale));
      const auto py = static_cast<int64_t>(std::lround(py0 - (xy[2 * i + 1] - cy) * scale));
      Disc(&image, px, py, options.point_radius_px,
           labels[i] < 0 ? kUnlabelledColor : Palette(labels[i]));
    }
  }
  if (legend_width > 0) {
    const int64_t x0 = right + square / 2 + 1;
    for (int c = 0; c < num_classes; ++c) {
      const int64_t y0 = top + c * (square + square / 2);
      if (y0 + square > bottom) break;  // more classes than fit: the text legend lists all
      Fill(&image, x0, y0, x0 + square, y0 + square, Palette(c));
    }
  }
  return image;
}

std::string LegendText(const std::string& plot_name, const std::vector<std::string>& class_names,
                       const std::vector<int>& labels) {
  std::vector<int64_t> counts(class_names.size(), 0);
  int64_t unlabelled = 0;
  for (int label : labels) {
    if (label >= 0 && static_cast<size_t>(label) < counts.size()) {
      ++counts[static_cast<size_t>(label)];
    } else {
      ++unlabelled;
    }
  }
  std::string out = "# legend of " + plot_name + ": index, colour, class, points\n";
  char colour[8];
  for (size_t c = 0; c < class_names.size(); ++c) {
    const Rgb rgb = Palette(static_cast<int>(c));
    std::snprintf(colour, sizeof(colour), "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    out += std::to_string(c) + "\t" + colour + "\t" + class_names[c] + "\t" +
           std::to_string(counts[c]) + "\n";
  }
  std::snprintf(colour, sizeof(colour), "#%02x%02x%02x", kUnlabelledColor[0], kUnlabelledColor[1],
                kUnlabelledColor[2]);
  out += std::string("-\t") + colour + "\t(no label)\t" + std::to_string(unlabelled) + "\n";
  return out;
}

}  // namespace mosaic::eval
