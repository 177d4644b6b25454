#include "mosaic/bands.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace mosaic {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::ostringstream out;
  for (size_t i = 0; i < names.size(); ++i) out << (i ? ", " : "") << names[i];
  return out.str();
}

struct BandStats {
  const char* name;
  double mean;
  double std;
};

// Approximate per-band statistics of BigEarthNet (S2 L2A ×10000, S1 σ0 dB).
// Used only as a starting normalisation before dataset statistics exist.
constexpr BandStats kDefaultStats[] = {
    {"VV", -12.6, 5.1},      {"VH", -19.3, 5.5},      {"B01", 361.0, 575.0},
    {"B02", 438.0, 607.0},   {"B03", 614.0, 603.0},   {"B04", 588.0, 684.0},
    {"B05", 943.0, 728.0},   {"B06", 1769.0, 1100.0}, {"B07", 2049.0, 1275.0},
    {"B08", 2193.0, 1369.0}, {"B8A", 2236.0, 1357.0}, {"B09", 2240.0, 1350.0},
    {"B11", 1568.0, 1071.0}, {"B12", 997.0, 813.0},
};

}  // namespace

const char* ModalityName(Modality modality) { return modality == Modality::kS1 ? "s1" : "s2"; }

StatusOr<Modality> ParseModality(const std::string& name) {
  if (name == "s1" || name == "S1") return Modality::kS1;
  if (name == "s2" || name == "S2") return Modality::kS2;
  return Status::InvalidArgument("unknown modality '" + name + "': expected 's1' or 's2'");
}

const std::vector<BandInfo>& AllBands() {
  static const std::vector<BandInfo> kBands = {
      {"VV", Modality::kS1, 10, 0, "SAR backscatter, vertical transmit / vertical receive"},
      {"VH", Modality::kS1, 10, 0, "SAR backscatter, vertical transmit / horizontal receive"},
      {"B01", Modality::kS2, 60, 442.7, "Coastal aerosol"},
      {"B02", Modality::kS2, 10, 492.4, "Blue"},
      {"B03", Modality::kS2, 10, 559.8, "Green"},
      {"B04", Modality::kS2, 10, 664.6, "Red"},
      {"B05", Modality::kS2, 20, 704.1, "Vegetation red edge 1"},
      {"B06", Modality::kS2, 20, 740.5, "Vegetation red edge 2"},
      {"B07", Modality::kS2, 20, 782.8, "Vegetation red edge 3"},
      {"B08", Modality::kS2, 10, 832.8, "Near infrared"},
      {"B8A", Modality::kS2, 20, 864.7, "Narrow near infrared"},
      {"B09", Modality::kS2, 60, 945.1, "Water vapour"},
      {"B11", Modality::kS2, 20, 1613.7, "Short-wave infrared 1"},
      {"B12", Modality::kS2, 20, 2202.4, "Short-wave infrared 2"},
  };
  return kBands;
}

StatusOr<BandInfo> FindBand(const std::string& name) {
  for (const BandInfo& band : AllBands()) {
    if (band.name == name) return band;
  }
  std::vector<std::string> names;
  for (const BandInfo& band : AllBands()) names.push_back(band.name);
  return Status::NotFound("unknown band '" + name + "': expected one of " + JoinNames(names));
}

std::vector<std::string> ModalityBands(Modality modality) {
  std::vector<std::string> names;
  for (const BandInfo& band : AllBands()) {
    if (band.modality == modality) names.push_back(band.name);
  }
  return names;
}

std::vector<std::string> BandSetNames() { return {"s1", "s2-all", "s2-10", "s2-10m", "s2-rgb"}; }

StatusOr<std::vector<std::string>> BandSet(const std::string& set_name) {
  if (set_name == "s1") return ModalityBands(Modality::kS1);
  if (set_name == "s2-all") return ModalityBands(Modality::kS2);
  if (set_name == "s2-10") {
    return std::vector<std::string>{"B02", "B03", "B04", "B05", "B06",
                                    "B07", "B08", "B8A", "B11", "B12"};
  }
  if (set_name == "s2-10m") return std::vector<std::string>{"B02", "B03", "B04", "B08"};
  if (set_name == "s2-rgb") return std::vector<std::string>{"B04", "B03", "B02"};
  return Status::NotFound("unknown band set '" + set_name + "': expected one of " +
                          JoinNames(BandSetNames()));
}

Status ValidateBandList(const std::vector<std::string>& bands, Modality modality) {
  if (bands.empty()) {
    return Status::InvalidArgument(std::string("empty ") + ModalityName(modality) + " band list");
  }
  std::set<std::string> seen;
  for (const std::string& name : bands) {
    StatusOr<BandInfo> band = FindBand(name);
    if (!band.ok()) return band.status();
    if (band->modality != modality) {
      return Status::InvalidArgument("band '" + name + "' is a " + ModalityName(band->modality) +
                                     " band, expected only " + ModalityName(modality) + " bands");
    }
    if (!seen.insert(name).second) {
      return Status::InvalidArgument("band '" + name + "' is listed twice");
    }
  }
  return Status::OK();
}

StatusOr<std::vector<std::string>> ResolveBands(const std::string& spec, Modality modality) {
  std::vector<std::string> bands;
  StatusOr<std::vector<std::string>> named = BandSet(spec);
  if (named.ok()) {
    bands = *named;
  } else {
    std::stringstream in(spec);
    std::string item;
    while (std::getline(in, item, ',')) {
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      if (!item.empty()) bands.push_back(item);
    }
  }
  Status status = ValidateBandList(bands, modality);
  if (!status.ok()) {
    return status.WithContext("band specification '" + spec + "' (a band set name: " +
                              JoinNames(BandSetNames()) + ", or a comma-separated list)");
  }
  return bands;
}

BandNormalization DefaultNormalization(const std::vector<std::string>& bands) {
  BandNormalization norm;
  for (const std::string& name : bands) {
    const auto it = std::find_if(std::begin(kDefaultStats), std::end(kDefaultStats),
                                 [&](const BandStats& s) { return name == s.name; });
    norm.mean.push_back(it == std::end(kDefaultStats) ? 0.0 : it->mean);
    norm.std.push_back(it == std::end(kDefaultStats) ? 1.0 : it->std);
  }
  return norm;
}

}  // namespace mosaic
