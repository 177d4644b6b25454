#include "geo/raster_patch_dataset.h"

#include <utility>

namespace mosaic::geo::internal {
namespace {

StatusOr<std::vector<float>> ResolveFills(const std::vector<std::string>& bands,
                                          const std::vector<float>& given, const char* option) {
  if (given.empty()) {
    const BandNormalization norm = DefaultNormalization(bands);
    return std::vector<float>(norm.mean.begin(), norm.mean.end());
  }
  if (given.size() != bands.size()) {
    return Status::InvalidArgument(std::string(option) + ": " + std::to_string(given.size()) +
                                   " fill values for " + std::to_string(bands.size()) +
                                   " bands, expected one per band");
  }
  return given;
}

}  // namespace

std::vector<std::string> DeliveredS1Bands(const DatasetOptions& options) {
  return options.read_s1 ? options.s1_bands : std::vector<std::string>{};
}

std::vector<std::string> DeliveredS2Bands(const DatasetOptions& options) {
  return options.read_s2 ? options.s2_bands : std::vector<std::string>{};
}

StatusOr<PixelSettings> ResolvePixelSettings(const DatasetOptions& options) {
  if (!options.read_s1 && !options.read_s2) {
    return Status::InvalidArgument("dataset options: both read_s1 and read_s2 are off");
  }
  PixelSettings settings;
  settings.s1_resampling = options.s1_resampling;
  settings.s2_resampling = options.s2_resampling;
  settings.s1_linear_power = options.s1_linear_power;
  if (options.read_s1) {
    Status status = ValidateBandList(options.s1_bands, Modality::kS1);
    if (!status.ok()) return status.WithContext("dataset options: s1_bands");
    StatusOr<std::vector<float>> fills =
        ResolveFills(options.s1_bands, options.s1_fill_values, "dataset options: s1_fill_values");
    if (!fills.ok()) return fills.status();
    settings.s1_fill_values = *fills;
  }
  if (options.read_s2) {
    Status status = ValidateBandList(options.s2_bands, Modality::kS2);
    if (!status.ok()) return status.WithContext("dataset options: s2_bands");
    StatusOr<std::vector<float>> fills =
        ResolveFills(options.s2_bands, options.s2_fill_values, "dataset options: s2_fill_values");
    if (!fills.ok()) return fills.status();
    settings.s2_fill_values = *fills;
  }
  return settings;
}

RasterPatchDataset::RasterPatchDataset(std::string description,
                                       std::vector<std::string> class_names,
                                       std::vector<std::string> s1_bands,
                                       std::vector<std::string> s2_bands, int64_t patch_size_px,
                                       PixelSettings settings,
                                       std::vector<data::PatchRecord> records,
                                       std::vector<PatchSources> sources)
    : description_(std::move(description)),
      class_names_(std::move(class_names)),
      s1_bands_(std::move(s1_bands)),
      s2_bands_(std::move(s2_bands)),
      patch_size_px_(patch_size_px),
      settings_(std::move(settings)),
      records_(std::move(records)),
      sources_(std::move(sources)) {}

Status RasterPatchDataset::ReadChannels(const std::vector<BandSource>& sources,
                                        const std::vector<float>& fills, Resampling resampling,
                                        bool linear_to_db, float* out, int64_t* invalid) const {
  const int64_t pixels = patch_size_px_ * patch_size_px_;
  size_t first = 0;
  while (first < sources.size()) {
    size_t last = first + 1;
    while (last < sources.size() && sources[last].path == sources[first].path &&
           sources[last].expected_width == sources[first].expected_width &&
           sources[last].expected_height == sources[first].expected_height) {
      ++last;
    }
    std::vector<int> bands;
    std::vector<float> group_fills;
    for (size_t i = first; i < last; ++i) {
      bands.push_back(sources[i].band);
      group_fills.push_back(fills[i]);
    }
    BandReadOptions read;
    read.out_width = patch_size_px_;
    read.out_height = patch_size_px_;
    read.resampling = resampling;
    read.expected_width = sources[first].expected_width;
    read.expected_height = sources[first].expected_height;
    read.linear_to_db = linear_to_db;
    StatusOr<int64_t> replaced = ReadRasterBands(sources[first].path, bands, group_fills, read,
                                                 out + static_cast<int64_t>(first) * pixels);
    if (!replaced.ok()) return replaced.status();
    *invalid += *replaced;
    first = last;
  }
  return Status::OK();
}

StatusOr<data::PatchSample> RasterPatchDataset::Read(size_t index) const {
  if (index >= records_.size()) {
    return Status::InvalidArgument(description_ + ": patch index " + std::to_string(index) +
                                   " out of range (" + std::to_string(records_.size()) +
                                   " patches)");
  }
  const PatchSources& sources = sources_[index];
  data::PatchSample sample;
  sample.record = records_[index];
  sample.height = patch_size_px_;
  sample.width = patch_size_px_;
  const size_t pixels = static_cast<size_t>(patch_size_px_ * patch_size_px_);
  const std::string context = "patch '" + sample.record.id + "'";
  if (!s1_bands_.empty()) {
    sample.s1.assign(s1_bands_.size() * pixels, 0.0f);
    Status status =
        ReadChannels(sources.s1, settings_.s1_fill_values, settings_.s1_resampling,
                     settings_.s1_linear_power, sample.s1.data(), &sample.invalid_values);
    if (!status.ok()) return status.WithContext(context);
  }
  if (!s2_bands_.empty()) {
    sample.s2.assign(s2_bands_.size() * pixels, 0.0f);
    Status status = ReadChannels(sources.s2, settings_.s2_fill_values, settings_.s2_resampling,
                                 /*linear_to_db=*/false, sample.s2.data(), &sample.invalid_values);
    if (!status.ok()) return status.WithContext(context);
  }
  return sample;
}

}  // namespace mosaic::geo::internal
