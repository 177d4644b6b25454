// Rendering labelled 2-D points (e.g. a PCA projection of embeddings) into an
// RGB raster, for a quick look at how embeddings group by class. Torch-free;
// encoding the raster as PNG is the geo layer's job (geo/png_writer.h).
//
// Layout: white background; the plot area is the image minus a margin on
// every side and a legend column on the right. Points are scaled uniformly
// (same scale on both axes, centred) to fill the plot area and drawn in input
// order as filled discs; unlabelled points (label < 0) in grey, labelled ones
// in Palette(label). A thin grey frame surrounds the plot area. The legend is
// one coloured square per class, top to bottom in class order (text is not
// rendered; LegendText() gives the matching names for a sidecar file).
//
// Thread-safety: pure functions.
#ifndef MOSAIC_EVAL_SCATTER_PLOT_H_
#define MOSAIC_EVAL_SCATTER_PLOT_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::eval {

using Rgb = std::array<uint8_t, 3>;

// An 8-bit RGB image, pixel-interleaved: pixels[(y * width + x) * 3 + channel].
struct RgbImage {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> pixels;
  Rgb At(int64_t x, int64_t y) const {
    const size_t i = static_cast<size_t>((y * width + x) * 3);
    return {pixels[i], pixels[i + 1], pixels[i + 2]};
  }
};

inline constexpr Rgb kBackground = {255, 255, 255};
inline constexpr Rgb kUnlabelledColor = {160, 160, 160};
inline constexpr Rgb kFrameColor = {200, 200, 200};

// The fixed categorical colour of class `label` (>= 0): matplotlib's tab20
// order (the 10 strong tab10 colours first, then their light variants),
// repeating after 20.
MOSAIC_EXPORT Rgb Palette(int label);

struct ScatterPlotOptions {
  int64_t width_px = 800;   // 64..8192
  int64_t height_px = 800;  // 64..8192
  int point_radius_px = 3;  // 0..50; 0 draws single pixels
  int64_t margin_px = 20;   // around the plot area
  bool legend = true;       // the legend column (num_classes squares)
  int legend_square_px = 14;
};

// Renders points ([N, 2] row-major x, y; y grows upwards) with one label per
// point (-1 for none, else < num_classes).
// Errors (InvalidArgument): xy.size() != 2 * labels.size(), a non-finite
// coordinate, a label >= num_classes, options out of range.
MOSAIC_EXPORT StatusOr<RgbImage> RenderScatterPlot(const std::vector<double>& xy,
                                                   const std::vector<int>& labels, int num_classes,
                                                   const ScatterPlotOptions& options = {});

// The legend as text, one line per class in legend order:
//   "<index>\t#rrggbb\t<class name>\t<points>"
// after a header line "# legend of <plot>: index, colour, class, points".
MOSAIC_EXPORT std::string LegendText(const std::string& plot_name,
                                     const std::vector<std::string>& class_names,
                                     const std::vector<int>& labels);

}  // namespace mosaic::eval

#endif  // MOSAIC_EVAL_SCATTER_PLOT_H_
