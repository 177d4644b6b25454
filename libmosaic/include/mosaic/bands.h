// The band registry: every Sentinel-1 and Sentinel-2 band MoSAiC knows, and
// named band sets.
//
// Sentinel-1 bands are GRD backscatter σ0 in dB. Sentinel-2 bands are L2A
// surface reflectance scaled by 10000 (uint16), in BigEarthNet order, without
// B10 (cirrus, absent from L2A). All bands are fed to the encoders on the 10 m
// grid; native_resolution_m tells readers how to resample.
// Torch-free; thread-safe (the registry is immutable).
#ifndef MOSAIC_BANDS_H_
#define MOSAIC_BANDS_H_

#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic {

enum class Modality { kS1, kS2 };

// "s1" or "s2".
MOSAIC_EXPORT const char* ModalityName(Modality modality);
MOSAIC_EXPORT StatusOr<Modality> ParseModality(const std::string& name);

struct BandInfo {
  std::string name;  // "VV", "B8A", ...
  Modality modality;
  int native_resolution_m;      // 10, 20 or 60
  double center_wavelength_nm;  // 0 for SAR bands
  std::string description;      // "Near infrared", "Vertical transmit, horizontal receive", ...
};

// All bands: VV, VH, then B01 B02 B03 B04 B05 B06 B07 B08 B8A B09 B11 B12.
MOSAIC_EXPORT const std::vector<BandInfo>& AllBands();

// The band of that name (case-sensitive, e.g. "B8A"), or NotFound with the list of valid names.
MOSAIC_EXPORT StatusOr<BandInfo> FindBand(const std::string& name);

// The bands of one modality in canonical (BigEarthNet) order.
MOSAIC_EXPORT std::vector<std::string> ModalityBands(Modality modality);

// Named band sets:
//   "s1"        VV VH
//   "s2-all"    the 12 L2A bands B01..B12 (no B10)
//   "s2-10"     B02 B03 B04 B05 B06 B07 B08 B8A B11 B12 (the common 10-band set)
//   "s2-10m"    B02 B03 B04 B08
//   "s2-rgb"    B04 B03 B02
MOSAIC_EXPORT std::vector<std::string> BandSetNames();
MOSAIC_EXPORT StatusOr<std::vector<std::string>> BandSet(const std::string& set_name);

// Resolves either a band set name or a comma-separated band list ("B04,B03,B02")
// and checks every band exists and belongs to `modality`, with no duplicates.
MOSAIC_EXPORT StatusOr<std::vector<std::string>> ResolveBands(const std::string& spec,
                                                              Modality modality);

// Checks a band list: non-empty, known names, all of `modality`, no duplicates.
MOSAIC_EXPORT Status ValidateBandList(const std::vector<std::string>& bands, Modality modality);

// Per-band normalisation x' = (x - mean) / std, carried in the model manifest.
struct BandNormalization {
  std::vector<double> mean;  // one per band, in the band list's order
  std::vector<double> std;   // one per band, > 0
};

// Typical statistics of each band (BigEarthNet-scale values) for models that
// have not been fitted to a dataset yet: S2 in reflectance ×10000, S1 in dB.
// `mosaic stats` computes real ones from a dataset.
MOSAIC_EXPORT BandNormalization DefaultNormalization(const std::vector<std::string>& bands);

}  // namespace mosaic

#endif  // MOSAIC_BANDS_H_
