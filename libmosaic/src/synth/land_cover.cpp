#include "synth/land_cover.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <utility>

#include "synth/noise_field.h"
#include "synth/prng.h"

namespace mosaic::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Probability that the sea is drawn when Marine waters may appear (and the
// caller did not ask for every structure).
constexpr double kSeaProbability = 0.5;

// Classes that share a zone, with relative area weights. The order matters
// where a zone is split along a noise field: neighbours in the list become
// neighbours on the ground (mixed forest lies between broad-leaved and conifers).
struct Family {
  std::vector<uint8_t> classes;
  std::vector<double> weights;

  bool empty() const { return classes.empty(); }
  void Add(ClassId c, double weight) {
    classes.push_back(c);
    weights.push_back(weight);
  }
};

Family AvailableOf(const ClassMask& available,
                   std::initializer_list<std::pair<ClassId, double>> items) {
  Family family;
  for (const auto& [c, weight] : items) {
    if (available[c]) family.Add(c, weight);
  }
  return family;
}

// Splits the masked pixels among a family's classes along a noise field: the
// k-th class takes the k-th slice of field values, sized by its weight. Gives
// smooth stands whose neighbours follow the family order.
void SplitAlongField(const std::vector<float>& field, const std::vector<uint8_t>& mask,
                     const Family& family, std::vector<uint8_t>* class_id) {
  double total = 0.0;
  for (double w : family.weights) total += w;
  std::vector<float> thresholds;  // ascending
  double cumulative = 0.0;
  for (size_t k = 0; k + 1 < family.classes.size(); ++k) {
    cumulative += family.weights[k];
    thresholds.push_back(ThresholdAbove(field, 1.0 - cumulative / total, &mask));
  }
  for (size_t i = 0; i < field.size(); ++i) {
    if (mask[i] == 0) continue;
    size_t k = 0;
    while (k < thresholds.size() && field[i] > thresholds[k]) ++k;
    (*class_id)[i] = family.classes[k];
  }
}

// A blob outline: radius modulated by three angular harmonics.
struct RadialShape {
  double radius = 0.0;
  std::array<double, 3> amplitude{};
  std::array<double, 3> phase{};

  static RadialShape Random(Rng& rng, double radius, double wobble) {
    RadialShape shape;
    shape.radius = radius;
    for (int k = 0; k < 3; ++k) {
      shape.amplitude[static_cast<size_t>(k)] = rng.Uniform(-wobble, wobble) / (k + 1);
      shape.phase[static_cast<size_t>(k)] = rng.Uniform(0.0, 2.0 * kPi);
    }
    return shape;
  }
  double RadiusAt(double phi) const {
    double f = 1.0;
    for (int k = 0; k < 3; ++k) {
      f += amplitude[static_cast<size_t>(k)] *
           std::sin((k + 1) * phi + phase[static_cast<size_t>(k)]);
    }
    return radius * f;
  }
};

// Rectangles in a rotated frame: bands across v, each cut into cells along u.
// Agricultural parcels (coarse) and the fields inside them (fine).
class StripPartition {
 public:
  StripPartition(Rng& rng, double u0, double u1, double v0, double v1, double band_min,
                 double band_max, double cell_min, double cell_max) {
    for (double v = v0; v < v1; v += rng.Uniform(band_min, band_max)) {
      band_start_.push_back(v);
      first_cell_.push_back(num_cells_);
      std::vector<double> cuts;
      for (double u = u0 + rng.Uniform(cell_min, cell_max); u < u1;
           u += rng.Uniform(cell_min, cell_max)) {
        cuts.push_back(u);
      }
      num_cells_ += static_cast<int64_t>(cuts.size()) + 1;
      cuts_.push_back(std::move(cuts));
    }
  }

  int64_t num_cells() const { return num_cells_; }

  int64_t Locate(double u, double v) const {
    auto band_it = std::upper_bound(band_start_.begin(), band_start_.end(), v);
    const size_t band =
        band_it == band_start_.begin() ? 0 : static_cast<size_t>(band_it - band_start_.begin()) - 1;
    const std::vector<double>& cuts = cuts_[band];
    const auto cell = std::upper_bound(cuts.begin(), cuts.end(), u) - cuts.begin();
    return first_cell_[band] + cell;
  }

 private:
  std::vector<double> band_start_;
  std::vector<std::vector<double>> cuts_;
  std::vector<int64_t> first_cell_;
  int64_t num_cells_ = 0;
};

uint32_t KeyOf(uint64_t hash) { return static_cast<uint32_t>(hash) | 1u; }  // never 0

// Euclidean-ish distance (chamfer 1 / sqrt 2) in pixels to the nearest set pixel.
std::vector<float> ChamferDistance(const std::vector<uint8_t>& target, int64_t w, int64_t h) {
  constexpr float kInf = 1e9f;
  constexpr float kDiag = 1.41421356f;
  std::vector<float> d(target.size());
  for (size_t i = 0; i < d.size(); ++i) d[i] = target[i] ? 0.0f : kInf;
  auto relax = [&](int64_t x, int64_t y, int64_t nx, int64_t ny, float cost) {
    if (nx < 0 || ny < 0 || nx >= w || ny >= h) return;
    float& here = d[static_cast<size_t>(y * w + x)];
    here = std::min(here, d[static_cast<size_t>(ny * w + nx)] + cost);
  };
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      relax(x, y, x - 1, y, 1.0f);
      relax(x, y, x - 1, y - 1, kDiag);
      relax(x, y, x, y - 1, 1.0f);
      relax(x, y, x + 1, y - 1, kDiag);
    }
  }
  for (int64_t y = h - 1; y >= 0; --y) {
    for (int64_t x = w - 1; x >= 0; --x) {
      relax(x, y, x + 1, y, 1.0f);
      relax(x, y, x + 1, y + 1, kDiag);
      relax(x, y, x, y + 1, 1.0f);
      relax(x, y, x - 1, y + 1, kDiag);
    }
  }
  return d;
}

class Builder {
 public:
  Builder(int64_t width, int64_t height, uint64_t seed, const ClassMask& available,
          bool always_draw_structures)
      : w_(width),
        h_(height),
        n_(static_cast<size_t>(width * height)),
        seed_(seed),
        available_(available),
        always_(always_draw_structures),
        rng_(seed, Stream::kLandCover) {
    lc_.width = width;
    lc_.height = height;
    lc_.class_id.assign(n_, 0);
    lc_.field_key.assign(n_, 0);
    lc_.material.assign(n_, static_cast<uint8_t>(Material::kSurface));
    inland_water_.assign(n_, 0);
  }

  LandCover Build() {
    PaintZones();
    PaintSea();
    PaintTowns();
    PaintInlandWater();
    PaintInlandWetlands();
    return std::move(lc_);
  }

 private:
  std::vector<float> Field(uint64_t salt, double cell_px, int octaves,
                           double persistence = 0.5) const {
    return FbmField(w_, h_, FieldSeed(salt), FbmParams{cell_px, octaves, persistence});
  }
  uint64_t FieldSeed(uint64_t salt) const {
    return Hash64(StreamSeed(seed_, Stream::kNoiseFields), salt);
  }
  size_t Index(int64_t x, int64_t y) const { return static_cast<size_t>(y * w_ + x); }
  void Set(size_t i, ClassId c, uint32_t key = 0, Material material = Material::kSurface) {
    lc_.class_id[i] = c;
    lc_.field_key[i] = key;
    lc_.material[i] = static_cast<uint8_t>(material);
  }

  // The base layer: every pixel becomes agriculture, forest or natural vegetation.
  void PaintZones() {
    const ClassMask& a = available_;
    const Family agri = AvailableOf(a, {{kArable, 0.38},
                                        {kPastures, 0.22},
                                        {kPermanentCrops, 0.10},
                                        {kComplexCultivation, 0.12},
                                        {kAgriWithNatural, 0.10},
                                        {kAgroForestry, 0.08}});
    Family forest =
        AvailableOf(a, {{kBroadLeaved, 0.40}, {kMixedForest, 0.25}, {kConiferous, 0.35}});
    // Transitional woodland (regrowth, clear-cuts) forms its own patches inside
    // the forest zone, or the whole zone when no forest type may appear.
    const bool transitional_patches = a[kTransitionalWoodland] && !forest.empty();
    if (forest.empty() && a[kTransitionalWoodland]) forest.Add(kTransitionalWoodland, 1.0);
    Family natural = AvailableOf(a, {{kNaturalGrassland, 0.45}, {kMoors, 0.40}});
    // Classes whose own structure (coast, water's edge) cannot be drawn with
    // this class set appear as natural stands instead.
    if (!a[kMarineWaters]) {
      if (a[kBeaches]) natural.Add(kBeaches, 0.12);
      if (a[kCoastalWetlands]) natural.Add(kCoastalWetlands, 0.12);
    }
    if (!a[kInlandWaters] && a[kInlandWetlands]) natural.Add(kInlandWetlands, 0.2);
    if (agri.empty() && forest.empty() && natural.empty()) {
      // Only urban, water, wetland or beach classes: they share the base as blobs.
      for (int c = 0; c < kNumClasses; ++c) {
        if (a[static_cast<size_t>(c)]) natural.Add(static_cast<ClassId>(c), 1.0);
      }
    }

    // Zone shares vary per scene.
    double f_agri = 0.5 * rng_.Uniform(0.6, 1.4);
    double f_forest = 0.3 * rng_.Uniform(0.6, 1.4);
    double f_natural = 0.2 * rng_.Uniform(0.6, 1.4);
    if (agri.empty()) f_agri = 0.0;
    if (forest.empty()) f_forest = 0.0;
    if (natural.empty()) f_natural = 0.0;
    const double total = f_agri + f_forest + f_natural;
    f_agri /= total;
    f_forest /= total;
    f_natural /= total;

    enum : uint8_t { kAgriZone = 0, kForestZone = 1, kNaturalZone = 2 };
    std::vector<uint8_t> zone(n_, kAgriZone);
    const std::vector<float> n_forest = Field(1, 256.0, 4, 0.45);
    const std::vector<float> n_natural = Field(2, 224.0, 4, 0.45);
    if (f_forest > 0.0) {
      const float t = ThresholdAbove(n_forest, f_forest);
      for (size_t i = 0; i < n_; ++i) {
        if (n_forest[i] > t) zone[i] = kForestZone;
      }
    }
    if (f_natural > 0.0) {
      std::vector<uint8_t> rest(n_);
      for (size_t i = 0; i < n_; ++i) rest[i] = zone[i] != kForestZone;
      const float t = ThresholdAbove(n_natural, f_natural / (f_natural + f_agri), &rest);
      for (size_t i = 0; i < n_; ++i) {
        if (rest[i] && n_natural[i] > t) zone[i] = kNaturalZone;
      }
    }

    auto mask_of = [&](uint8_t z) {
      std::vector<uint8_t> m(n_);
      for (size_t i = 0; i < n_; ++i) m[i] = zone[i] == z;
      return m;
    };
    if (f_forest > 0.0) {
      const std::vector<uint8_t> mask = mask_of(kForestZone);
      SplitAlongField(Field(3, 256.0, 4), mask, forest, &lc_.class_id);
      if (transitional_patches) {
        const std::vector<float> n_transitional = Field(7, 128.0, 4);
        const float t = ThresholdAbove(n_transitional, 0.15, &mask);
        for (size_t i = 0; i < n_; ++i) {
          if (mask[i] && n_transitional[i] > t) lc_.class_id[i] = kTransitionalWoodland;
        }
      }
    }
    if (f_natural > 0.0) {
      SplitAlongField(Field(4, 224.0, 4), mask_of(kNaturalZone), natural, &lc_.class_id);
    }
    if (f_agri > 0.0) PaintFields(mask_of(kAgriZone), agri);
  }

  // Agricultural parcels (one class each) of rotated, gently warped
  // rectangles, each made of fields that vary in crop state.
  void PaintFields(const std::vector<uint8_t>& mask, const Family& agri) {
    const double angle = rng_.Uniform(-kPi / 4.0, kPi / 4.0);
    const double ca = std::cos(angle);
    const double sa = std::sin(angle);
    double u_min = 1e30, u_max = -1e30, v_min = 1e30, v_max = -1e30;
    const double w = static_cast<double>(w_);
    const double h = static_cast<double>(h_);
    const std::array<std::pair<double, double>, 4> corners = {
        std::pair<double, double>{0.0, 0.0}, {w, 0.0}, {0.0, h}, {w, h}};
    for (const auto& [x, y] : corners) {
      u_min = std::min(u_min, x * ca + y * sa);
      u_max = std::max(u_max, x * ca + y * sa);
      v_min = std::min(v_min, -x * sa + y * ca);
      v_max = std::max(v_max, -x * sa + y * ca);
    }
    constexpr double kWarpPx = 30.0;  // peak-to-peak boundary displacement ~ ±6 px
    u_min -= kWarpPx;
    v_min -= kWarpPx;
    u_max += kWarpPx;
    v_max += kWarpPx;
    const StripPartition parcels(rng_, u_min, u_max, v_min, v_max, 90.0, 220.0, 100.0, 300.0);
    const StripPartition fields(rng_, u_min, u_max, v_min, v_max, 15.0, 40.0, 20.0, 70.0);
    // Farming is regional: most parcels take the class of their district
    // (a coarse lattice, ~3-4 km), the rest are drawn independently.
    constexpr double kDistrictPx = 360.0;
    constexpr double kRegionalShare = 0.75;
    const uint64_t district_seed = rng_.Next();
    std::vector<uint8_t> parcel_class(static_cast<size_t>(parcels.num_cells()), 255);
    std::vector<uint8_t> parcel_regional(parcel_class.size());
    for (uint8_t& regional : parcel_regional) regional = rng_.Uniform() < kRegionalShare;
    auto district_class = [&](double u, double v) {
      Rng district(Hash64(district_seed, static_cast<uint64_t>(std::floor(u / kDistrictPx)),
                          static_cast<uint64_t>(std::floor(v / kDistrictPx))));
      return agri.classes[static_cast<size_t>(district.Pick(agri.weights))];
    };

    const std::vector<float> warp_u = Field(5, 96.0, 2);
    const std::vector<float> warp_v = Field(6, 96.0, 2);
    const uint64_t key_seed = Hash64(seed_, 0x6669656c64ULL);  // "field"
    for (int64_t y = 0; y < h_; ++y) {
      for (int64_t x = 0; x < w_; ++x) {
        const size_t i = Index(x, y);
        if (!mask[i]) continue;
        const double px = static_cast<double>(x) + 0.5;
        const double py = static_cast<double>(y) + 0.5;
        const double u = px * ca + py * sa + kWarpPx * (warp_u[i] - 0.5);
        const double v = -px * sa + py * ca + kWarpPx * (warp_v[i] - 0.5);
        const int64_t parcel = parcels.Locate(u, v);
        uint8_t& parcel_c = parcel_class[static_cast<size_t>(parcel)];
        if (parcel_c == 255) {
          // Decided at the parcel's first pixel in scan order (deterministic).
          parcel_c = parcel_regional[static_cast<size_t>(parcel)]
                         ? district_class(u, v)
                         : agri.classes[static_cast<size_t>(
                               Rng(Hash64(district_seed, 0xfe, static_cast<uint64_t>(parcel)))
                                   .Pick(agri.weights))];
        }
        const auto c = static_cast<ClassId>(parcel_c);
        uint64_t key;
        switch (c) {
          case kComplexCultivation:  // a mosaic of small plots (~70 x 90 m)
            key = Hash64(key_seed, static_cast<uint64_t>(parcel),
                         static_cast<uint64_t>(std::floor(u / 7.0)),
                         static_cast<uint64_t>(std::floor(v / 9.0)));
            break;
          case kAgroForestry:  // scattered trees, one draw per 20 m cell
            key = Hash64(key_seed, static_cast<uint64_t>(parcel),
                         static_cast<uint64_t>(std::floor(u / 2.0)),
                         static_cast<uint64_t>(std::floor(v / 2.0)));
            break;
          default:
            key = Hash64(key_seed, static_cast<uint64_t>(parcel),
                         static_cast<uint64_t>(fields.Locate(u, v)));
        }
        Set(i, c, KeyOf(key));
      }
    }
  }

  // A sea along one edge with a wiggly coastline, a beach strip and salt
  // marsh patches behind it.
  void PaintSea() {
    if (!available_[kMarineWaters]) return;
    const bool draw = rng_.Uniform() < kSeaProbability;
    if (!draw && !always_) return;
    const int64_t side = rng_.UniformInt(4);  // 0 west, 1 east, 2 north, 3 south
    const int64_t along = side < 2 ? h_ : w_;
    const int64_t across = side < 2 ? w_ : h_;
    const double depth = rng_.Uniform(0.12, 0.30) * static_cast<double>(across);
    const double amplitude = std::min(80.0, 0.12 * static_cast<double>(across));
    const std::vector<float> coast = Fbm1D(along, FieldSeed(10), FbmParams{220.0, 5, 0.5});
    const std::vector<float> beach = Fbm1D(along, FieldSeed(11), FbmParams{60.0, 3, 0.5});
    const std::vector<float> marsh = Field(12, 48.0, 3);
    const float t_marsh = ThresholdAbove(marsh, 0.4);
    constexpr double kMarshReachPx = 50.0;
    for (int64_t y = 0; y < h_; ++y) {
      for (int64_t x = 0; x < w_; ++x) {
        const int64_t t = side < 2 ? y : x;
        const int64_t s = side == 0 ? x : side == 1 ? w_ - 1 - x : side == 2 ? y : h_ - 1 - y;
        const double into_land = static_cast<double>(s) + 0.5 - depth -
                                 amplitude * 2.0 * (coast[static_cast<size_t>(t)] - 0.5);
        const double beach_px = 2.0 + 8.0 * beach[static_cast<size_t>(t)];
        const size_t i = Index(x, y);
        if (into_land < 0.0) {
          Set(i, kMarineWaters);
        } else if (available_[kBeaches] && into_land < beach_px) {
          Set(i, kBeaches);
        } else if (available_[kCoastalWetlands] && into_land < beach_px + kMarshReachPx &&
                   marsh[i] > t_marsh) {
          Set(i, kCoastalWetlands);
        }
      }
    }
  }

  void PaintTowns() {
    if (!available_[kUrbanFabric] && !available_[kIndustrial]) return;
    int64_t count = rng_.Pick(std::array<double, 3>{0.3, 0.45, 0.25});
    if (always_) count = std::max<int64_t>(count, 1);
    for (int64_t t = 0; t < count; ++t) PaintTown(static_cast<uint64_t>(t));
  }

  // A town: a rotated grid of blocks separated by streets, ragged at the edge,
  // with an industrial sector on its outskirts.
  void PaintTown(uint64_t index) {
    const bool urban = available_[kUrbanFabric];
    const bool industry = available_[kIndustrial];
    const double min_side = static_cast<double>(std::min(w_, h_));
    const double radius = std::min(rng_.Uniform(45.0, 140.0), 0.4 * min_side);
    const double cx = rng_.Uniform(0.15, 0.85) * static_cast<double>(w_);
    const double cy = rng_.Uniform(0.15, 0.85) * static_cast<double>(h_);
    const RadialShape shape = RadialShape::Random(rng_, radius, 0.3);
    const double angle = rng_.Uniform(0.0, kPi / 2.0);
    const double ca = std::cos(angle);
    const double sa = std::sin(angle);
    const double block_u = std::floor(rng_.Uniform(9.0, 21.0));
    const double block_v = std::floor(rng_.Uniform(9.0, 21.0));
    const double street = rng_.Uniform() < 0.5 ? 1.0 : 2.0;
    const double period_u = block_u + street;
    const double period_v = block_v + street;
    const double industry_dir = rng_.Uniform(-kPi, kPi);
    const double industry_half_width = rng_.Uniform(0.5, 1.0);
    const uint64_t town_seed = Hash64(seed_, 0x746f776eULL, index);  // "town"

    const double reach = 1.5 * radius;
    const int64_t x0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(cx - reach)));
    const int64_t x1 = std::min<int64_t>(w_ - 1, static_cast<int64_t>(std::ceil(cx + reach)));
    const int64_t y0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(cy - reach)));
    const int64_t y1 = std::min<int64_t>(h_ - 1, static_cast<int64_t>(std::ceil(cy + reach)));
    for (int64_t y = y0; y <= y1; ++y) {
      for (int64_t x = x0; x <= x1; ++x) {
        const size_t i = Index(x, y);
        const uint8_t here = lc_.class_id[i];
        if (here == kMarineWaters || here == kBeaches) continue;  // towns stop at the shore
        const double dx = static_cast<double>(x) + 0.5 - cx;
        const double dy = static_cast<double>(y) + 0.5 - cy;
        const double d = std::hypot(dx, dy);
        if (d > reach) continue;
        const double r = shape.RadiusAt(std::atan2(dy, dx));
        if (d > r) continue;
        const double u = dx * ca + dy * sa;
        const double v = -dx * sa + dy * ca;
        const double gu = std::floor(u / period_u);
        const double gv = std::floor(v / period_v);
        const bool is_street = u - gu * period_u >= block_u || v - gv * period_v >= block_v;
        const uint64_t block = Hash64(town_seed, static_cast<uint64_t>(static_cast<int64_t>(gu)),
                                      static_cast<uint64_t>(static_cast<int64_t>(gv)));
        // Block centre, back in scene axes: decides thinning and the sector.
        const double cu = (gu + 0.5) * period_u;
        const double cv = (gv + 0.5) * period_v;
        const double bx = cu * ca - cv * sa;
        const double by = cu * sa + cv * ca;
        const double edge = std::hypot(bx, by) / r;
        if (edge > 0.65 && HashToUnit(block) < (edge - 0.65) / 0.35) continue;  // ragged outskirts
        bool is_industry = !urban;
        if (urban && industry) {
          double diff = std::atan2(by, bx) - industry_dir;
          diff = std::fabs(std::remainder(diff, 2.0 * kPi));
          is_industry =
              (diff < industry_half_width && edge > 0.35) || HashToUnit(Hash64(block, 7)) < 0.06;
        }
        Set(i, is_industry ? kIndustrial : kUrbanFabric, KeyOf(block),
            is_street ? Material::kStreet : Material::kSurface);
      }
    }
  }

  void SetInlandWater(size_t i) {
    if (lc_.class_id[i] == kMarineWaters) return;  // rivers end in the sea
    Set(i, kInlandWaters);
    inland_water_[i] = 1;
  }

  void PaintInlandWater() {
    if (!available_[kInlandWaters]) return;
    int64_t lakes = rng_.Pick(std::array<double, 4>{0.35, 0.35, 0.2, 0.1});
    int64_t rivers = rng_.Pick(std::array<double, 3>{0.4, 0.45, 0.15});
    if (always_) {
      lakes = std::max<int64_t>(lakes, 1);
      rivers = std::max<int64_t>(rivers, 1);
    }
    const double min_side = static_cast<double>(std::min(w_, h_));
    for (int64_t k = 0; k < lakes; ++k) {
      const double radius = std::min(rng_.Uniform(12.0, 55.0), 0.25 * min_side);
      const double cx = rng_.Uniform(0.1, 0.9) * static_cast<double>(w_);
      const double cy = rng_.Uniform(0.1, 0.9) * static_cast<double>(h_);
      const RadialShape shape = RadialShape::Random(rng_, radius, 0.35);
      const double reach = 1.6 * radius;
      for (int64_t y = std::max<int64_t>(0, static_cast<int64_t>(cy - reach));
           y <= std::min<int64_t>(h_ - 1, static_cast<int64_t>(cy + reach)); ++y) {
        for (int64_t x = std::max<int64_t>(0, static_cast<int64_t>(cx - reach));
             x <= std::min<int64_t>(w_ - 1, static_cast<int64_t>(cx + reach)); ++x) {
          const double dx = static_cast<double>(x) + 0.5 - cx;
          const double dy = static_cast<double>(y) + 0.5 - cy;
          if (std::hypot(dx, dy) <= shape.RadiusAt(std::atan2(dy, dx))) {
            SetInlandWater(Index(x, y));
          }
        }
      }
    }
    for (int64_t k = 0; k < rivers; ++k) PaintRiver(static_cast<uint64_t>(k));
  }

  // A meandering river from one edge towards the opposite one: a polyline
  // whose heading oscillates (meanders) and drifts, rasterised with its width.
  void PaintRiver(uint64_t index) {
    const int64_t side = rng_.UniformInt(4);
    const double w = static_cast<double>(w_);
    const double h = static_cast<double>(h_);
    const double a0 = rng_.Uniform(0.1, 0.9);
    const double a1 = rng_.Uniform(0.1, 0.9);
    double sx, sy, tx, ty;
    switch (side) {
      case 0:
        sx = 0;
        sy = a0 * h;
        tx = w;
        ty = a1 * h;
        break;
      case 1:
        sx = w;
        sy = a0 * h;
        tx = 0;
        ty = a1 * h;
        break;
      case 2:
        sx = a0 * w;
        sy = 0;
        tx = a1 * w;
        ty = h;
        break;
      default:
        sx = a0 * w;
        sy = h;
        tx = a1 * w;
        ty = 0;
        break;
    }
    const double heading = std::atan2(ty - sy, tx - sx);
    const double width_px = rng_.Uniform(3.0, 10.0);
    const double meander_amplitude = rng_.Uniform(0.3, 0.8);  // radians
    const double wavelength = rng_.Uniform(90.0, 260.0);      // pixels along the river
    const double phase = rng_.Uniform(0.0, 2.0 * kPi);
    constexpr double kStepPx = 3.0;
    const auto max_steps = static_cast<int64_t>(4.0 * (w + h) / kStepPx);
    const std::vector<float> width_noise =
        Fbm1D(max_steps + 1, FieldSeed(30 + index), FbmParams{40.0, 2, 0.5});

    struct Node {
      double x, y, half_width;
    };
    std::vector<Node> nodes = {{sx, sy, 0.5 * width_px}};
    double drift = 0.0;
    double x = sx;
    double y = sy;
    const double margin = 2.0 * width_px + 5.0;
    for (int64_t k = 0; k < max_steps; ++k) {
      const double s = static_cast<double>(k) * kStepPx;
      const double dir =
          heading + meander_amplitude * std::sin(2.0 * kPi * s / wavelength + phase) + drift;
      drift = 0.97 * drift + 0.06 * rng_.FastNormal();
      x += kStepPx * std::cos(dir);
      y += kStepPx * std::sin(dir);
      const double half = 0.5 * width_px * (0.75 + 0.5 * width_noise[static_cast<size_t>(k)]);
      nodes.push_back({x, y, half});
      if (x < -margin || y < -margin || x > w + margin || y > h + margin) break;
    }
    for (size_t k = 1; k < nodes.size(); ++k) RasterizeCapsule(nodes[k - 1], nodes[k]);
  }

  template <typename NodeT>
  void RasterizeCapsule(const NodeT& p, const NodeT& q) {
    const double r = 0.5 * (p.half_width + q.half_width);
    const int64_t x0 =
        std::max<int64_t>(0, static_cast<int64_t>(std::floor(std::min(p.x, q.x) - r)));
    const int64_t x1 =
        std::min<int64_t>(w_ - 1, static_cast<int64_t>(std::ceil(std::max(p.x, q.x) + r)));
    const int64_t y0 =
        std::max<int64_t>(0, static_cast<int64_t>(std::floor(std::min(p.y, q.y) - r)));
    const int64_t y1 =
        std::min<int64_t>(h_ - 1, static_cast<int64_t>(std::ceil(std::max(p.y, q.y) + r)));
    const double ex = q.x - p.x;
    const double ey = q.y - p.y;
    const double len2 = std::max(1e-12, ex * ex + ey * ey);
    for (int64_t y = y0; y <= y1; ++y) {
      for (int64_t x = x0; x <= x1; ++x) {
        const double px = static_cast<double>(x) + 0.5 - p.x;
        const double py = static_cast<double>(y) + 0.5 - p.y;
        const double t = std::clamp((px * ex + py * ey) / len2, 0.0, 1.0);
        const double dx = px - t * ex;
        const double dy = py - t * ey;
        if (dx * dx + dy * dy <= r * r) SetInlandWater(Index(x, y));
      }
    }
  }

  // Marsh and bog patches on the banks of rivers and lakes.
  void PaintInlandWetlands() {
    if (!available_[kInlandWetlands] || !available_[kInlandWaters]) return;
    if (std::find(inland_water_.begin(), inland_water_.end(), 1) == inland_water_.end()) return;
    const std::vector<float> distance = ChamferDistance(inland_water_, w_, h_);
    const std::vector<float> reach = Field(20, 40.0, 3);
    const std::vector<float> cover = Field(21, 32.0, 3);
    const float t_cover = ThresholdAbove(cover, 0.45);
    for (size_t i = 0; i < n_; ++i) {
      const uint8_t c = lc_.class_id[i];
      if (c == kUrbanFabric || c == kIndustrial || c == kMarineWaters || c == kInlandWaters ||
          c == kBeaches) {
        continue;
      }
      if (distance[i] <= 40.0f * reach[i] && cover[i] > t_cover) Set(i, kInlandWetlands);
    }
  }

  int64_t w_;
  int64_t h_;
  size_t n_;
  uint64_t seed_;
  ClassMask available_;
  bool always_;
  Rng rng_;
  LandCover lc_;
  std::vector<uint8_t> inland_water_;
};

}  // namespace

LandCover GenerateLandCover(int64_t width, int64_t height, uint64_t seed,
                            const ClassMask& available, bool always_draw_structures) {
  return Builder(width, height, seed, available, always_draw_structures).Build();
}

}  // namespace mosaic::synth
