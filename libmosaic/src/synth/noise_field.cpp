#include "synth/noise_field.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "synth/prng.h"

namespace mosaic::synth {
namespace {

constexpr double kMinCellPx = 2.0;

inline float Fade(double t) { return static_cast<float>(t * t * (3.0 - 2.0 * t)); }

// Per-axis lookup for one octave: lattice index and fade weight of each pixel.
struct Axis {
  std::vector<int64_t> index;
  std::vector<float> fade;
  int64_t lattice_size = 0;
};

Axis MakeAxis(int64_t length, double cell_px, double origin) {
  Axis axis;
  axis.index.resize(static_cast<size_t>(length));
  axis.fade.resize(static_cast<size_t>(length));
  for (int64_t i = 0; i < length; ++i) {
    const double f = (static_cast<double>(i) + 0.5) / cell_px + origin;
    const double fl = std::floor(f);
    axis.index[static_cast<size_t>(i)] = static_cast<int64_t>(fl);
    axis.fade[static_cast<size_t>(i)] = Fade(f - fl);
  }
  axis.lattice_size = axis.index.empty() ? 2 : axis.index.back() + 2;
  return axis;
}

}  // namespace

std::vector<float> FbmField(int64_t width, int64_t height, uint64_t seed, const FbmParams& params) {
  std::vector<float> out(static_cast<size_t>(width * height), 0.0f);
  double cell = params.cell_px;
  double amplitude = 1.0;
  double total = 0.0;
  std::vector<float> row_a(static_cast<size_t>(width));
  for (int octave = 0; octave < params.octaves && cell >= kMinCellPx; ++octave) {
    const uint64_t octave_seed = Hash64(seed, static_cast<uint64_t>(octave));
    // A random sub-cell origin per octave keeps lattice lines of different
    // octaves (and fields) from lining up.
    const Axis ax = MakeAxis(width, cell, 1.0 + HashToUnit(Hash64(octave_seed, 1)));
    const Axis ay = MakeAxis(height, cell, 1.0 + HashToUnit(Hash64(octave_seed, 2)));
    const int64_t gx = ax.lattice_size;
    const int64_t gy = ay.lattice_size;
    std::vector<float> lattice(static_cast<size_t>(gx * gy));
    for (int64_t iy = 0; iy < gy; ++iy) {
      for (int64_t ix = 0; ix < gx; ++ix) {
        lattice[static_cast<size_t>(iy * gx + ix)] = static_cast<float>(
            HashToUnit(Hash64(octave_seed, static_cast<uint64_t>(ix), static_cast<uint64_t>(iy))));
      }
    }
    // Interpolate every lattice row along x once; each pixel row then only
    // blends two of them (contiguous, vectorisable).
    std::vector<float> rows(static_cast<size_t>(gy * width));
    for (int64_t iy = 0; iy < gy; ++iy) {
      const float* r = &lattice[static_cast<size_t>(iy * gx)];
      float* dst = &rows[static_cast<size_t>(iy * width)];
      for (int64_t x = 0; x < width; ++x) {
        const int64_t i = ax.index[static_cast<size_t>(x)];
        dst[x] = r[i] + (r[i + 1] - r[i]) * ax.fade[static_cast<size_t>(x)];
      }
    }
    const auto amp = static_cast<float>(amplitude);
    for (int64_t y = 0; y < height; ++y) {
      const float* a = &rows[static_cast<size_t>(ay.index[static_cast<size_t>(y)] * width)];
      const float* b = a + width;
      const float ty = ay.fade[static_cast<size_t>(y)];
      float* dst = &out[static_cast<size_t>(y * width)];
      for (int64_t x = 0; x < width; ++x) dst[x] += amp * (a[x] + (b[x] - a[x]) * ty);
    }
    total += amplitude;
    amplitude *= params.persistence;
    cell *= 0.5;
  }
  if (total > 0.0) {
    const auto inv = static_cast<float>(1.0 / total);
    for (float& v : out) v *= inv;
  }
  return out;
}

std::vector<float> Fbm1D(int64_t length, uint64_t seed, const FbmParams& params) {
  std::vector<float> out(static_cast<size_t>(length), 0.0f);
  double cell = params.cell_px;
  double amplitude = 1.0;
  double total = 0.0;
  for (int octave = 0; octave < params.octaves && cell >= kMinCellPx; ++octave) {
    const uint64_t octave_seed = Hash64(seed, static_cast<uint64_t>(octave), 0x1d);
    const Axis ax = MakeAxis(length, cell, 1.0 + HashToUnit(Hash64(octave_seed, 1)));
    for (int64_t x = 0; x < length; ++x) {
      const int64_t i = ax.index[static_cast<size_t>(x)];
      const auto a = static_cast<float>(HashToUnit(Hash64(octave_seed, static_cast<uint64_t>(i))));
      const auto b =
          static_cast<float>(HashToUnit(Hash64(octave_seed, static_cast<uint64_t>(i + 1))));
      out[static_cast<size_t>(x)] +=
          static_cast<float>(amplitude) * (a + (b - a) * ax.fade[static_cast<size_t>(x)]);
    }
    total += amplitude;
    amplitude *= params.persistence;
    cell *= 0.5;
  }
  if (total > 0.0) {
    for (float& v : out) v = static_cast<float>(v / total);
  }
  return out;
}

void Standardize(std::vector<float>* field) {
  if (field->empty()) return;
  double sum = 0.0;
  double sum_sq = 0.0;
  for (float v : *field) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(field->size());
  const double mean = sum / n;
  const double var = std::max(0.0, sum_sq / n - mean * mean);
  const double scale = var > 1e-12 ? 1.0 / std::sqrt(var) : 0.0;
  for (float& v : *field) v = static_cast<float>((v - mean) * scale);
}

float ThresholdAbove(const std::vector<float>& field, double fraction_above,
                     const std::vector<uint8_t>* mask) {
  constexpr int kBins = 4096;
  float lo = std::numeric_limits<float>::max();
  float hi = std::numeric_limits<float>::lowest();
  int64_t count = 0;
  for (size_t i = 0; i < field.size(); ++i) {
    if (mask != nullptr && (*mask)[i] == 0) continue;
    lo = std::min(lo, field[i]);
    hi = std::max(hi, field[i]);
    ++count;
  }
  if (count == 0) return 0.0f;
  if (fraction_above <= 0.0) return hi;  // value > hi never holds
  if (fraction_above >= 1.0) return std::nextafter(lo, std::numeric_limits<float>::lowest());
  if (hi <= lo) return fraction_above >= 0.5 ? std::nextafter(lo, -1e30f) : hi;

  std::vector<int64_t> histogram(kBins, 0);
  const double scale = kBins / (static_cast<double>(hi) - lo);
  auto bin_of = [&](float v) {
    const auto b = static_cast<int>((static_cast<double>(v) - lo) * scale);
    return std::min(b, kBins - 1);
  };
  for (size_t i = 0; i < field.size(); ++i) {
    if (mask != nullptr && (*mask)[i] == 0) continue;
    ++histogram[static_cast<size_t>(bin_of(field[i]))];
  }
  // Walk down from the top bin until `fraction_above` of the values lie above.
  const double target = fraction_above * static_cast<double>(count);
  int64_t above = 0;
  for (int b = kBins - 1; b > 0; --b) {
    if (static_cast<double>(above + histogram[static_cast<size_t>(b)]) > target) {
      // Closest of the two bin edges.
      const double below_edge = static_cast<double>(above + histogram[static_cast<size_t>(b)]);
      const int edge = (below_edge - target < target - static_cast<double>(above)) ? b : b + 1;
      // A value v lies in bin >= edge iff v >= lo + edge / scale; step just below.
      const auto t = static_cast<float>(lo + edge / scale);
      return std::nextafter(t, std::numeric_limits<float>::lowest());
    }
    above += histogram[static_cast<size_t>(b)];
  }
  return std::nextafter(lo, std::numeric_limits<float>::lowest());
}

}  // namespace mosaic::synth
