#include "geo/scene_sources.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal_utils.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "geo/gdal_env.h"

namespace mosaic::geo::internal {
namespace {

// ---------------------------------------------------------------- band names

std::vector<std::string> UpperTokens(const std::string& text) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      current += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (!current.empty()) {
      tokens.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) tokens.push_back(current);
  return tokens;
}

// "B4", "B04", "b8a" -> "B04", "B8A"; else "".
std::string CanonicalS2Token(const std::string& token) {
  if (token == "B8A") return "B8A";
  if (token.size() < 2 || token.size() > 3 || token[0] != 'B') return "";
  for (size_t i = 1; i < token.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(token[i]))) return "";
  }
  const int number = std::stoi(token.substr(1));
  if (number < 1 || number > 12) return "";
  char name[8];
  std::snprintf(name, sizeof(name), "B%02d", number);
  return name;
}

// The first band name found in free text (a description or a file name).
std::string FindBandName(const std::string& text, bool sentinel1) {
  for (const std::string& token : UpperTokens(text)) {
    if (sentinel1) {
      if (token == "VV" || token == "VH") return token;
    } else {
      const std::string name = CanonicalS2Token(token);
      if (!name.empty()) return name;
    }
  }
  return "";
}

std::string CanonicalUserName(const std::string& name, bool sentinel1) {
  const std::string found = FindBandName(name, sentinel1);
  return found.empty() ? name : found;
}

// ------------------------------------------------------------ source rasters

struct RasterFacts {
  std::string path;
  int64_t width = 0;
  int64_t height = 0;
  std::array<double, 6> gt{};
  std::string crs_wkt;
  std::vector<std::string> band_names;  // found names per band ("" unknown)
  std::vector<std::optional<double>> nodata;
};

bool HasDriverPrefix(const std::string& path) {
  const size_t colon = path.find(':');
  if (colon == std::string::npos || colon < 2) return false;
  for (size_t i = 0; i < colon; ++i) {
    const char c = path[i];
    if (!(std::isupper(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

StatusOr<GdalDatasetPtr> OpenSource(const std::string& path, GdalErrorCapture& errors) {
  if (!HasDriverPrefix(path)) return OpenRasterReadOnly(path, errors);
  EnsureGdalRegistered();
  GDALDatasetH handle =
      GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
  if (handle == nullptr) {
    return Status::NotFound(WithGdalMessage(path + ": cannot be opened as a raster", errors));
  }
  return GdalDatasetPtr(handle);
}

// A Sentinel-2 product (its folder, its metadata file) becomes the list of its
// 10/20/60 m subdatasets; anything else stays as it is.
StatusOr<std::vector<std::string>> ExpandProduct(const std::string& path) {
  std::string target = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (const char* name : {"MTD_MSIL2A.xml", "MTD_MSIL1C.xml"}) {
      const std::string candidate = (std::filesystem::path(path) / name).string();
      if (std::filesystem::exists(candidate, ec)) target = candidate;
    }
    if (target == path) {
      return Status::InvalidArgument(
          path + ": is a folder but not a Sentinel-2 product (no MTD_MSIL2A.xml)");
    }
  }
  GdalErrorCapture errors;
  StatusOr<GdalDatasetPtr> dataset = OpenSource(target, errors);
  if (!dataset.ok()) return dataset.status();
  if (GDALGetRasterCount(dataset->get()) > 0) return std::vector<std::string>{target};
  std::vector<std::string> subdatasets;
  char** items = GDALGetMetadata(dataset->get(), "SUBDATASETS");
  for (int i = 0; items != nullptr && items[i] != nullptr; ++i) {
    const std::string item = items[i];
    const size_t eq = item.find('=');
    if (eq == std::string::npos || item.find("_NAME") > eq) continue;
    const std::string name = item.substr(eq + 1);
    if (name.find(":10m:") != std::string::npos || name.find(":20m:") != std::string::npos ||
        name.find(":60m:") != std::string::npos) {
      subdatasets.push_back(name);
    }
  }
  if (subdatasets.empty()) {
    return Status::InvalidArgument(target + ": has no raster bands and no 10/20/60 m subdatasets");
  }
  return subdatasets;
}

StatusOr<RasterFacts> ProbeSource(const std::string& path, bool sentinel1) {
  GdalErrorCapture errors;
  StatusOr<GdalDatasetPtr> dataset = OpenSource(path, errors);
  if (!dataset.ok()) return dataset.status();
  GDALDatasetH ds = dataset->get();
  RasterFacts facts;
  facts.path = path;
  facts.width = GDALGetRasterXSize(ds);
  facts.height = GDALGetRasterYSize(ds);
  if (GDALGetGeoTransform(ds, facts.gt.data()) != CE_None) {
    return Status::InvalidArgument(path + ": has no georeferencing (geotransform)");
  }
  if (facts.gt[2] != 0.0 || facts.gt[4] != 0.0 || facts.gt[1] <= 0.0 || facts.gt[5] >= 0.0) {
    return Status::InvalidArgument(path + ": is not a north-up grid; warp it first (gdalwarp)");
  }
  const char* wkt = GDALGetProjectionRef(ds);
  facts.crs_wkt = wkt != nullptr ? wkt : "";
  if (facts.crs_wkt.empty()) {
    return Status::InvalidArgument(path + ": has no coordinate reference system");
  }
  const int bands = GDALGetRasterCount(ds);
  if (bands < 1) return Status::InvalidArgument(path + ": has no raster bands");
  for (int b = 1; b <= bands; ++b) {
    GDALRasterBandH band = GDALGetRasterBand(ds, b);
    const GDALDataType type = GDALGetRasterDataType(band);
    if (GDALDataTypeIsComplex(type)) {
      return Status::InvalidArgument(path + ": band " + std::to_string(b) + " is " +
                                     GDALGetDataTypeName(type) +
                                     "; complex values are not supported (expected real-valued "
                                     "reflectance or backscatter)");
    }
    std::string name;
    const char* description = GDALGetDescription(band);
    if (description != nullptr) name = FindBandName(description, sentinel1);
    const char* band_name = GDALGetMetadataItem(band, "BANDNAME", nullptr);
    if (name.empty() && band_name != nullptr) name = FindBandName(band_name, sentinel1);
    if (name.empty() && bands == 1) {
      name = FindBandName(std::filesystem::path(path).filename().string(), sentinel1);
    }
    facts.band_names.push_back(name);
    int has_nodata = 0;
    const double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    facts.nodata.push_back(has_nodata ? std::optional<double>(nodata) : std::nullopt);
  }
  return facts;
}

// ------------------------------------------------------------------ CRS math

struct SrsHandle {
  OGRSpatialReferenceH h = nullptr;
  explicit SrsHandle(const std::string& wkt) {
    h = OSRNewSpatialReference(nullptr);
    if (wkt.empty()) return;
    char* text = const_cast<char*>(wkt.c_str());
    if (OSRImportFromWkt(h, &text) != OGRERR_NONE) {
      OSRDestroySpatialReference(h);
      h = nullptr;
    } else {
      OSRSetAxisMappingStrategy(h, OAMS_TRADITIONAL_GIS_ORDER);
    }
  }
  ~SrsHandle() {
    if (h != nullptr) OSRDestroySpatialReference(h);
  }
};

bool SameCrs(const std::string& a, const std::string& b) {
  if (a == b) return true;
  SrsHandle sa(a), sb(b);
  return sa.h != nullptr && sb.h != nullptr && OSRIsSame(sa.h, sb.h);
}

struct Extent {
  double xmin, ymin, xmax, ymax;
};

Extent ExtentOf(const std::array<double, 6>& gt, int64_t width, int64_t height) {
  return {gt[0], gt[3] + gt[5] * static_cast<double>(height),
          gt[0] + gt[1] * static_cast<double>(width), gt[3]};
}

// `extent` (in CRS `from`) as a bounding box in CRS `to`; nullopt if GDAL cannot transform it.
std::optional<Extent> TransformExtent(const Extent& extent, const std::string& from,
                                      const std::string& to) {
  if (SameCrs(from, to)) return extent;
  SrsHandle source(from), target(to);
  if (source.h == nullptr || target.h == nullptr) return std::nullopt;
  OGRCoordinateTransformationH transform = OCTNewCoordinateTransformation(source.h, target.h);
  if (transform == nullptr) return std::nullopt;
  Extent out{};
  const int ok = OCTTransformBounds(transform, extent.xmin, extent.ymin, extent.xmax, extent.ymax,
                                    &out.xmin, &out.ymin, &out.xmax, &out.ymax, 21);
  OCTDestroyCoordinateTransformation(transform);
  if (!ok) return std::nullopt;
  return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& n : names) joined += (joined.empty() ? "" : " ") + n;
  return joined.empty() ? "(none)" : joined;
}

// --------------------------------------------------------------- band plans

struct Candidate {
  const RasterFacts* raster;
  int band;
};

// Maps every model band to a source band; the finest raster wins when several hold it.
StatusOr<std::vector<SourceBand>> MapBands(const std::vector<RasterFacts>& rasters,
                                           const std::vector<std::string>& user_names,
                                           const ModalitySpec& spec, bool sentinel1,
                                           const std::string& option,
                                           std::vector<std::string>* notices) {
  int total_bands = 0;
  for (const RasterFacts& r : rasters) total_bands += static_cast<int>(r.band_names.size());
  std::vector<std::string> names;  // per source band, in order over all rasters
  if (!user_names.empty()) {
    if (static_cast<int>(user_names.size()) != total_bands) {
      return Status::InvalidArgument(option + " band names: " + std::to_string(user_names.size()) +
                                     " given, but the input rasters have " +
                                     std::to_string(total_bands) + " bands");
    }
    for (const std::string& n : user_names) {
      const std::string name = CanonicalUserName(n, sentinel1);
      const bool known =
          sentinel1 ? (name == "VV" || name == "VH") : !CanonicalS2Token(name).empty();
      // "-" or "" marks a source band the model does not use.
      if (n == "-" || n.empty()) {
        names.push_back("");
        continue;
      }
      if (!known) {
        return Status::InvalidArgument(
            option + "-bands: '" + n + "' is not a " +
            (sentinel1 ? "Sentinel-1 band (VV or VH)" : "Sentinel-2 band (B01..B12, B8A)") +
            "; use - for a band to skip");
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        return Status::InvalidArgument(option + "-bands: " + name + " is named twice");
      }
      names.push_back(name);
    }
  } else {
    for (const RasterFacts& r : rasters)
      names.insert(names.end(), r.band_names.begin(), r.band_names.end());
    const bool any_named =
        std::any_of(names.begin(), names.end(), [](auto& n) { return !n.empty(); });
    if (!any_named && total_bands == static_cast<int>(spec.bands.size())) {
      names = spec.bands;
      notices->push_back(option + ": no band names found; assuming the model's band order (" +
                         JoinNames(spec.bands) + ")");
    }
  }
  std::map<std::string, Candidate> best;
  size_t index = 0;
  for (const RasterFacts& r : rasters) {
    for (size_t b = 0; b < r.band_names.size(); ++b, ++index) {
      const std::string& name = names[index];
      if (name.empty()) continue;
      auto it = best.find(name);
      if (it == best.end() || r.gt[1] < it->second.raster->gt[1]) {
        best[name] = Candidate{&r, static_cast<int>(b) + 1};
      }
    }
  }
  std::vector<std::string> missing, found;
  for (const auto& [name, candidate] : best) found.push_back(name);
  std::vector<SourceBand> mapped;
  for (size_t i = 0; i < spec.bands.size(); ++i) {
    auto it = best.find(spec.bands[i]);
    if (it == best.end()) {
      missing.push_back(spec.bands[i]);
      continue;
    }
    SourceBand band;
    band.model_name = spec.bands[i];
    band.path = it->second.raster->path;
    band.band = it->second.band;
    band.nodata = it->second.raster->nodata[band.band - 1];
    band.fill = static_cast<float>(spec.normalization.mean[i]);
    mapped.push_back(band);
  }
  if (!missing.empty()) {
    std::string files;
    for (const RasterFacts& r : rasters) files += (files.empty() ? "" : ", ") + r.path;
    return Status::InvalidArgument(option + " (" + files + ") lacks band(s) " + JoinNames(missing) +
                                   " that the model needs; bands found: " + JoinNames(found) +
                                   ". Name the bands in the band descriptions or give them "
                                   "explicitly (" +
                                   option + "-bands)");
  }
  return mapped;
}

const RasterFacts* FindRaster(const std::vector<RasterFacts>& rasters, const std::string& path) {
  for (const RasterFacts& r : rasters) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

Status CheckSameFootprint(const RasterFacts& raster, const SceneGrid& grid, const char* what) {
  if (!SameCrs(raster.crs_wkt, grid.crs_wkt)) {
    return Status::InvalidArgument(raster.path + ": " + what +
                                   " is in another CRS than the Sentinel-2 grid; warp it first");
  }
  const Extent a = ExtentOf(raster.gt, raster.width, raster.height);
  const Extent b = ExtentOf(grid.geotransform, grid.width, grid.height);
  const double tolerance = 0.5 * grid.geotransform[1];
  if (std::abs(a.xmin - b.xmin) > tolerance || std::abs(a.xmax - b.xmax) > tolerance ||
      std::abs(a.ymin - b.ymin) > tolerance || std::abs(a.ymax - b.ymax) > tolerance) {
    return Status::InvalidArgument(raster.path + ": " + what +
                                   " covers another extent than the Sentinel-2 grid; all S2 "
                                   "bands and the mask must cover the same area");
  }
  return Status::OK();
}

StatusOr<std::vector<RasterFacts>> ProbeAll(const std::vector<std::string>& paths, bool sentinel1) {
  std::vector<RasterFacts> rasters;
  for (const std::string& path : paths) {
    std::vector<std::string> expanded{path};
    if (!sentinel1) {
      StatusOr<std::vector<std::string>> e = ExpandProduct(path);
      if (!e.ok()) return e.status();
      expanded = *e;
    }
    for (const std::string& p : expanded) {
      StatusOr<RasterFacts> facts = ProbeSource(p, sentinel1);
      if (!facts.ok()) return facts.status();
      rasters.push_back(std::move(*facts));
    }
  }
  return rasters;
}

}  // namespace

StatusOr<ScenePlan> PlanScene(const SceneInputs& inputs, const ModelManifest& manifest,
                              HeadChoice head, double s2_default_nodata) {
  ScenePlan plan;
  const bool use_s2 = !inputs.s2.empty() && manifest.s2.present() && head != HeadChoice::kS1;
  const bool use_s1 = !inputs.s1.empty() && manifest.s1.present() && head != HeadChoice::kS2;
  if (inputs.s2.empty() && inputs.s1.empty()) {
    return Status::InvalidArgument(
        "no input: give a Sentinel-2 scene (--s2) and/or a Sentinel-1 scene (--s1)");
  }
  if (!inputs.s2.empty() && !manifest.s2.present() && inputs.s1.empty()) {
    return Status::InvalidArgument("model '" + manifest.name +
                                   "' has no Sentinel-2 stream; give a Sentinel-1 scene (--s1)");
  }
  if (!inputs.s1.empty() && !manifest.s1.present() && inputs.s2.empty()) {
    return Status::InvalidArgument("model '" + manifest.name +
                                   "' has no Sentinel-1 stream; give a Sentinel-2 scene (--s2)");
  }
  if (head == HeadChoice::kFused && !(use_s1 && use_s2)) {
    return Status::InvalidArgument(
        "head fused: needs both a Sentinel-1 and a Sentinel-2 scene and a model with both streams");
  }
  if (head == HeadChoice::kS1 && !use_s1) {
    return Status::InvalidArgument(
        "head s1: needs a Sentinel-1 scene (--s1) and a model with a Sentinel-1 stream");
  }
  if (head == HeadChoice::kS2 && !use_s2) {
    return Status::InvalidArgument(
        "head s2: needs a Sentinel-2 scene (--s2) and a model with a Sentinel-2 stream");
  }
  if (!use_s1 && !use_s2) {
    return Status::InvalidArgument("the inputs give no modality that model '" + manifest.name +
                                   "' can use");
  }

  std::vector<RasterFacts> s2_rasters, s1_rasters;
  if (use_s2) {
    StatusOr<std::vector<RasterFacts>> r = ProbeAll(inputs.s2, false);
    if (!r.ok()) return r.status();
    s2_rasters = std::move(*r);
    StatusOr<std::vector<SourceBand>> bands =
        MapBands(s2_rasters, inputs.s2_band_names, manifest.s2, false, "--s2", &plan.notices);
    if (!bands.ok()) return bands.status();
    plan.s2 = std::move(*bands);
    // The grid: the finest raster that provides a used band.
    const RasterFacts* finest = nullptr;
    for (const SourceBand& b : plan.s2) {
      const RasterFacts* r2 = FindRaster(s2_rasters, b.path);
      if (finest == nullptr || r2->gt[1] < finest->gt[1]) finest = r2;
    }
    plan.grid = SceneGrid{finest->width, finest->height, finest->gt, finest->crs_wkt};
    for (const SourceBand& b : plan.s2) {
      MOSAIC_RETURN_IF_ERROR(
          CheckSameFootprint(*FindRaster(s2_rasters, b.path), plan.grid, "Sentinel-2 band"));
    }
    for (SourceBand& b : plan.s2) {
      if (!b.nodata.has_value() && !std::isnan(s2_default_nodata)) b.nodata = s2_default_nodata;
    }
  }
  if (use_s1) {
    StatusOr<std::vector<RasterFacts>> r = ProbeAll(inputs.s1, true);
    if (!r.ok()) return r.status();
    s1_rasters = std::move(*r);
    std::vector<std::string> names = inputs.s1_band_names;
    if (names.empty()) {
      // Unnamed S1 bands default to VV then VH over all files.
      bool any_named = false;
      int total = 0;
      for (const RasterFacts& f : s1_rasters) {
        total += static_cast<int>(f.band_names.size());
        for (const std::string& n : f.band_names) any_named = any_named || !n.empty();
      }
      if (!any_named && total >= 2) {
        names.assign(static_cast<size_t>(total), "");
        names[0] = "VV";
        names[1] = "VH";
        plan.notices.push_back(
            "--s1: no band names found; taking the first band as VV and the second as VH");
      }
    }
    StatusOr<std::vector<SourceBand>> bands =
        MapBands(s1_rasters, names, manifest.s1, true, "--s1", &plan.notices);
    if (!bands.ok()) return bands.status();
    plan.s1 = std::move(*bands);
    plan.s1_linear = inputs.s1_linear;
    if (!use_s2) {
      const RasterFacts& first = *FindRaster(s1_rasters, plan.s1[0].path);
      plan.grid = SceneGrid{first.width, first.height, first.gt, first.crs_wkt};
      const double pixel = manifest.pixel_size_m;
      if (std::abs(first.gt[1] - pixel) > 0.01 * pixel ||
          std::abs(-first.gt[5] - pixel) > 0.01 * pixel) {
        SrsHandle srs(first.crs_wkt);
        if (srs.h == nullptr || OSRIsGeographic(srs.h)) {
          return Status::InvalidArgument(
              first.path +
              ": a Sentinel-1-only scene must be in a projected CRS; "
              "warp it (gdalwarp -t_srs EPSG:326xx -tr 10 10) or give --s2");
        }
        const Extent e = ExtentOf(first.gt, first.width, first.height);
        plan.grid.width = static_cast<int64_t>(std::ceil((e.xmax - e.xmin) / pixel));
        plan.grid.height = static_cast<int64_t>(std::ceil((e.ymax - e.ymin) / pixel));
        plan.grid.geotransform = {e.xmin, pixel, 0.0, e.ymax, 0.0, -pixel};
      }
    }
    // Does S1 lie on the grid already? Else it is warped, and must overlap.
    const Extent scene = ExtentOf(plan.grid.geotransform, plan.grid.width, plan.grid.height);
    for (const SourceBand& b : plan.s1) {
      const RasterFacts& f = *FindRaster(s1_rasters, b.path);
      const bool on_grid = f.width == plan.grid.width && f.height == plan.grid.height &&
                           SameCrs(f.crs_wkt, plan.grid.crs_wkt) &&
                           std::equal(f.gt.begin(), f.gt.end(), plan.grid.geotransform.begin(),
                                      [](double a, double c) { return std::abs(a - c) < 1e-6; });
      if (!on_grid) plan.s1_warp = true;
      const std::optional<Extent> e =
          TransformExtent(ExtentOf(f.gt, f.width, f.height), f.crs_wkt, plan.grid.crs_wkt);
      if (!e.has_value()) {
        return Status::InvalidArgument(f.path +
                                       ": its CRS cannot be transformed to the Sentinel-2 CRS");
      }
      if (e->xmax <= scene.xmin || e->xmin >= scene.xmax || e->ymax <= scene.ymin ||
          e->ymin >= scene.ymax) {
        return Status::InvalidArgument(f.path + ": the Sentinel-1 scene does not overlap the " +
                                       (use_s2 ? std::string("Sentinel-2 scene") : "scene grid"));
      }
    }
  }
  if (use_s2 && !inputs.s2_mask.empty()) {
    StatusOr<RasterFacts> mask = ProbeSource(inputs.s2_mask, false);
    if (!mask.ok()) return mask.status();
    MOSAIC_RETURN_IF_ERROR(CheckSameFootprint(*mask, plan.grid, "the S2 validity mask"));
    plan.s2_mask = inputs.s2_mask;
    plan.s2_mask_invalid_values = inputs.s2_mask_invalid_values;
  }
  if (plan.grid.width < kMinSceneSidePx || plan.grid.height < kMinSceneSidePx) {
    const std::string first = !inputs.s2.empty() ? inputs.s2.front() : inputs.s1.front();
    return Status::InvalidArgument(first + ": the scene is " + std::to_string(plan.grid.width) +
                                   " x " + std::to_string(plan.grid.height) + " px; at least " +
                                   std::to_string(kMinSceneSidePx) + " x " +
                                   std::to_string(kMinSceneSidePx) + " px are needed");
  }
  return plan;
}

std::optional<std::array<double, 4>> GridExtentWgs84(const SceneGrid& grid) {
  SrsHandle wgs84("");
  OSRSetWellKnownGeogCS(wgs84.h, "WGS84");
  OSRSetAxisMappingStrategy(wgs84.h, OAMS_TRADITIONAL_GIS_ORDER);
  char* text = nullptr;
  OSRExportToWkt(wgs84.h, &text);
  const std::string wkt = text != nullptr ? text : "";
  CPLFree(text);
  const std::optional<Extent> e =
      TransformExtent(ExtentOf(grid.geotransform, grid.width, grid.height), grid.crs_wkt, wkt);
  if (!e.has_value()) return std::nullopt;
  return std::array<double, 4>{e->xmin, e->ymin, e->xmax, e->ymax};
}

// ================================================================== reading

namespace {

// Maps scene pixel coordinates of one grid onto a source raster's pixels.
struct BandAccess {
  GDALRasterBandH band = nullptr;
  double scale_x = 1.0, scale_y = 1.0;    // source pixels per scene pixel
  double offset_x = 0.0, offset_y = 0.0;  // source pixel coordinate of the scene origin
  std::optional<double> nodata;
  float fill = 0.0f;
};

// Symmetric mirror into [0, n): -1 -> 0, n -> n - 1.
int64_t Mirror(int64_t i, int64_t n) {
  if (n == 1) return 0;
  while (i < 0 || i >= n) {
    if (i < 0) i = -i - 1;
    if (i >= n) i = 2 * n - 1 - i;
  }
  return i;
}

}  // namespace

struct SceneReader::Impl {
  ScenePlan plan;
  GdalErrorCapture errors;  // first member constructed on this thread... see Open()
  std::map<std::string, GdalDatasetPtr> sources;  // opened files
  std::map<std::string, GdalDatasetPtr> warped;   // S1 warped onto the grid
  std::vector<BandAccess> s2, s1;
  std::optional<BandAccess> mask;
  std::vector<float> scratch;
  std::vector<int64_t> map_x, map_y;

  Status OpenFile(const std::string& path) {
    if (sources.count(path) != 0) return Status::OK();
    StatusOr<GdalDatasetPtr> ds = OpenSource(path, errors);
    if (!ds.ok()) return ds.status();
    sources[path] = std::move(*ds);
    return Status::OK();
  }

  StatusOr<BandAccess> Access(GDALDatasetH ds, int band, const std::string& path) {
    BandAccess access;
    access.band = GDALGetRasterBand(ds, band);
    if (access.band == nullptr)
      return Status::Corruption(path + ": band " + std::to_string(band) + " is missing");
    std::array<double, 6> gt{};
    if (GDALGetGeoTransform(ds, gt.data()) != CE_None) {
      return Status::InvalidArgument(path + ": has no geotransform");
    }
    const auto& g = plan.grid.geotransform;
    access.scale_x = g[1] / gt[1];
    access.scale_y = g[5] / gt[5];
    access.offset_x = (g[0] - gt[0]) / gt[1];
    access.offset_y = (g[3] - gt[3]) / gt[5];
    return access;
  }

  Status WarpS1(const std::string& path) {
    if (warped.count(path) != 0) return Status::OK();
    MOSAIC_RETURN_IF_ERROR(OpenFile(path));
    const auto& g = plan.grid.geotransform;
    const Extent e = ExtentOf(g, plan.grid.width, plan.grid.height);
    auto num = [](double v) {
      std::ostringstream s;
      s.precision(17);
      s << v;
      return s.str();
    };
    const std::vector<std::string> args = {"-of",
                                           "VRT",
                                           "-t_srs",
                                           plan.grid.crs_wkt,
                                           "-te",
                                           num(e.xmin),
                                           num(e.ymin),
                                           num(e.xmax),
                                           num(e.ymax),
                                           "-ts",
                                           std::to_string(plan.grid.width),
                                           std::to_string(plan.grid.height),
                                           "-r",
                                           "bilinear",
                                           "-ot",
                                           "Float32",
                                           "-dstnodata",
                                           "nan"};
    CPLStringList argv;
    for (const std::string& a : args) argv.AddString(a.c_str());
    GDALWarpAppOptions* options = GDALWarpAppOptionsNew(argv.List(), nullptr);
    GDALDatasetH source = sources[path].get();
    int usage_error = 0;
    GDALDatasetH result = GDALWarp("", nullptr, 1, &source, options, &usage_error);
    GDALWarpAppOptionsFree(options);
    if (result == nullptr) {
      return Status::Corruption(
          WithGdalMessage(path + ": cannot warp Sentinel-1 onto the Sentinel-2 grid", errors));
    }
    warped[path] = GdalDatasetPtr(result);
    return Status::OK();
  }

  // Reads `access` over `window` into out[h*w] (mirrored past the edges).
  Status ReadBand(const BandAccess& access, const Window& w, float* out, const std::string& what) {
    const int64_t W = plan.grid.width, H = plan.grid.height;
    map_x.resize(static_cast<size_t>(w.width));
    map_y.resize(static_cast<size_t>(w.height));
    int64_t rx0 = W, rx1 = 0, ry0 = H, ry1 = 0;
    for (int64_t i = 0; i < w.width; ++i) {
      map_x[i] = Mirror(w.x0 + i, W);
      rx0 = std::min(rx0, map_x[i]);
      rx1 = std::max(rx1, map_x[i] + 1);
    }
    for (int64_t j = 0; j < w.height; ++j) {
      map_y[j] = Mirror(w.y0 + j, H);
      ry0 = std::min(ry0, map_y[j]);
      ry1 = std::max(ry1, map_y[j] + 1);
    }
    const int64_t rw = rx1 - rx0, rh = ry1 - ry0;
    // A window inside the scene is read straight into `out`; only windows
    // that run past an edge go through the scratch buffer and the mirror map.
    const bool inside = rx0 == w.x0 && rw == w.width && ry0 == w.y0 && rh == w.height;
    float* target = out;
    if (!inside) {
      scratch.resize(static_cast<size_t>(rw * rh));
      target = scratch.data();
    }
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.eResampleAlg = GRIORA_NearestNeighbour;
    const double sx = access.offset_x + static_cast<double>(rx0) * access.scale_x;
    const double sy = access.offset_y + static_cast<double>(ry0) * access.scale_y;
    const double sw = static_cast<double>(rw) * access.scale_x;
    const double sh = static_cast<double>(rh) * access.scale_y;
    const bool exact = access.scale_x == 1.0 && access.scale_y == 1.0 && sx == std::floor(sx) &&
                       sy == std::floor(sy);
    int xoff = static_cast<int>(std::floor(sx + 1e-9)),
        yoff = static_cast<int>(std::floor(sy + 1e-9));
    int xsize = std::max(1, static_cast<int>(std::ceil(sx + sw - 1e-9)) - xoff);
    int ysize = std::max(1, static_cast<int>(std::ceil(sy + sh - 1e-9)) - yoff);
    const int band_w = GDALGetRasterBandXSize(access.band),
              band_h = GDALGetRasterBandYSize(access.band);
    xoff = std::clamp(xoff, 0, band_w - 1);
    yoff = std::clamp(yoff, 0, band_h - 1);
    xsize = std::min(xsize, band_w - xoff);
    ysize = std::min(ysize, band_h - yoff);
    if (!exact) {
      extra.bFloatingPointWindowValidity = TRUE;
      extra.dfXOff = std::clamp(sx, 0.0, static_cast<double>(band_w));
      extra.dfYOff = std::clamp(sy, 0.0, static_cast<double>(band_h));
      extra.dfXSize = std::min(sw, band_w - extra.dfXOff);
      extra.dfYSize = std::min(sh, band_h - extra.dfYOff);
    }
    if (GDALRasterIOEx(access.band, GF_Read, xoff, yoff, xsize, ysize, target, static_cast<int>(rw),
                       static_cast<int>(rh), GDT_Float32, 0, 0, &extra) != CE_None) {
      return Status::Corruption(WithGdalMessage(what + ": reading pixels failed", errors));
    }
    if (inside) return Status::OK();
    for (int64_t j = 0; j < w.height; ++j) {
      const float* src = scratch.data() + (map_y[j] - ry0) * rw;
      float* dst = out + j * w.width;
      for (int64_t i = 0; i < w.width; ++i) dst[i] = src[map_x[i] - rx0];
    }
    return Status::OK();
  }

  Status ReadBands(const std::vector<BandAccess>& bands, const std::vector<SourceBand>& specs,
                   bool linear_to_db, const Window& w, float* values, uint8_t* invalid) {
    const int64_t n = w.width * w.height;
    std::fill(invalid, invalid + n, uint8_t{0});
    for (size_t b = 0; b < bands.size(); ++b) {
      float* out = values + static_cast<int64_t>(b) * n;
      MOSAIC_RETURN_IF_ERROR(
          ReadBand(bands[b], w, out, specs[b].path + " band " + specs[b].model_name));
      const std::optional<double>& nodata = bands[b].nodata;
      const float nd = nodata.has_value() ? static_cast<float>(*nodata) : 0.0f;
      const bool nd_nan = nodata.has_value() && std::isnan(*nodata);
      for (int64_t i = 0; i < n; ++i) {
        float v = out[i];
        bool bad = !std::isfinite(v) || (nodata.has_value() && !nd_nan && v == nd);
        if (!bad && linear_to_db) {
          if (v <= 0.0f) {
            bad = true;
          } else {
            v = 10.0f * std::log10(v);
          }
        }
        if (bad) {
          out[i] = bands[b].fill;
          invalid[i] = 1;
        } else {
          out[i] = v;
        }
      }
    }
    return Status::OK();
  }
};

SceneReader::SceneReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SceneReader::~SceneReader() {
  if (impl_ == nullptr) return;
  // Warped VRTs reference their sources: close them first.
  impl_->warped.clear();
  impl_->sources.clear();
}

StatusOr<std::unique_ptr<SceneReader>> SceneReader::Open(const ScenePlan& plan) {
  auto impl = std::make_unique<Impl>();
  impl->plan = plan;
  Impl& r = *impl;
  for (const SourceBand& b : plan.s2) {
    MOSAIC_RETURN_IF_ERROR(r.OpenFile(b.path));
    StatusOr<BandAccess> a = r.Access(r.sources[b.path].get(), b.band, b.path);
    if (!a.ok()) return a.status();
    a->nodata = b.nodata;
    a->fill = b.fill;
    r.s2.push_back(*a);
  }
  for (const SourceBand& b : plan.s1) {
    GDALDatasetH ds = nullptr;
    if (plan.s1_warp) {
      MOSAIC_RETURN_IF_ERROR(r.WarpS1(b.path));
      ds = r.warped[b.path].get();
    } else {
      MOSAIC_RETURN_IF_ERROR(r.OpenFile(b.path));
      ds = r.sources[b.path].get();
    }
    StatusOr<BandAccess> a = r.Access(ds, b.band, b.path);
    if (!a.ok()) return a.status();
    // A warped band carries NaN for "no data"; the source's own nodata value
    // was honoured by the warper.
    a->nodata = plan.s1_warp ? std::optional<double>(std::nan("")) : b.nodata;
    a->fill = b.fill;
    r.s1.push_back(*a);
  }
  if (!plan.s2_mask.empty()) {
    MOSAIC_RETURN_IF_ERROR(r.OpenFile(plan.s2_mask));
    StatusOr<BandAccess> a = r.Access(r.sources[plan.s2_mask].get(), 1, plan.s2_mask);
    if (!a.ok()) return a.status();
    r.mask = *a;
  }
  return std::unique_ptr<SceneReader>(new SceneReader(std::move(impl)));
}

Status SceneReader::ReadS2(const Window& window, float* values, uint8_t* invalid) {
  Impl& r = *impl_;
  r.errors.Clear();
  MOSAIC_RETURN_IF_ERROR(r.ReadBands(r.s2, r.plan.s2, false, window, values, invalid));
  if (r.mask.has_value()) {
    std::vector<float> mask(static_cast<size_t>(window.width * window.height));
    MOSAIC_RETURN_IF_ERROR(r.ReadBand(*r.mask, window, mask.data(), r.plan.s2_mask));
    for (size_t i = 0; i < mask.size(); ++i) {
      const int value = static_cast<int>(mask[i]);
      for (int bad : r.plan.s2_mask_invalid_values) {
        if (value == bad) invalid[i] = 1;
      }
    }
  }
  return Status::OK();
}

Status SceneReader::ReadS1(const Window& window, float* values, uint8_t* invalid) {
  Impl& r = *impl_;
  r.errors.Clear();
  return r.ReadBands(r.s1, r.plan.s1, r.plan.s1_linear, window, values, invalid);
}

}  // namespace mosaic::geo::internal
