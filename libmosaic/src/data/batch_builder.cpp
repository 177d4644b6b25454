#include "data/batch_builder.h"

#include <exception>
#include <utility>

namespace mosaic::data::internal {

BatchBuilder::BatchBuilder(std::shared_ptr<const PatchDataset> dataset,
                           const LoaderOptions& options)
    : dataset_(std::move(dataset)),
      options_(options),
      augmentation_(options.augment ? options.augmentation : AugmentOptions::None()),
      size_px_(dataset_->patch_size_px()),
      s1_bands_(static_cast<int64_t>(dataset_->s1_bands().size())),
      s2_bands_(static_cast<int64_t>(dataset_->s2_bands().size())),
      num_classes_(static_cast<int64_t>(dataset_->class_names().size())),
      cache_(options.cache_max_bytes) {}

std::string BatchBuilder::SampleName(size_t index) const {
  return "sample '" + dataset_->record(index).id + "' (dataset index " + std::to_string(index) +
         ")";
}

StatusOr<std::shared_ptr<const PatchSample>> BatchBuilder::Fetch(size_t index) const {
  if (cache_.enabled()) {
    std::shared_ptr<const PatchSample> cached = cache_.Find(index);
    if (cached != nullptr) {
      cache_hits_.fetch_add(1);
      return cached;
    }
  }
  samples_read_.fetch_add(1);
  StatusOr<PatchSample> read = Status::Internal("unset");
  try {
    read = dataset_->Read(index);
  } catch (const std::exception& e) {  // Read() should not throw; report it if it does
    return Status::Internal(std::string("Read() threw: ") + e.what());
  }
  if (!read.ok()) return read.status();
  auto sample = std::make_shared<const PatchSample>(std::move(read).value());
  if (cache_.enabled()) cache_.Insert(index, sample);
  return std::shared_ptr<const PatchSample>(std::move(sample));
}

Status BatchBuilder::CheckSample(const PatchSample& sample, size_t index) const {
  const size_t plane = static_cast<size_t>(size_px_ * size_px_);
  if (sample.height != size_px_ || sample.width != size_px_) {
    return Status::Corruption(SampleName(index) + " is " + std::to_string(sample.height) + " x " +
                              std::to_string(sample.width) + " px, the dataset's patches are " +
                              std::to_string(size_px_) + " px");
  }
  if (sample.s1.size() != static_cast<size_t>(s1_bands_) * plane ||
      sample.s2.size() != static_cast<size_t>(s2_bands_) * plane) {
    return Status::Corruption(SampleName(index) + " has " + std::to_string(sample.s1.size()) +
                              " S1 and " + std::to_string(sample.s2.size()) +
                              " S2 values, expected " + std::to_string(s1_bands_ * plane) +
                              " and " + std::to_string(s2_bands_ * plane));
  }
  if (sample.record.labels.size() != static_cast<size_t>(num_classes_)) {
    return Status::Corruption(SampleName(index) + " has " +
                              std::to_string(sample.record.labels.size()) + " labels, expected " +
                              std::to_string(num_classes_));
  }
  return Status::OK();
}

void BatchBuilder::RenderSample(const PatchSample& sample, size_t index, int64_t epoch, int64_t row,
                                Batch* batch) const {
  const int views = options_.two_views ? 2 : 1;
  for (int view = 0; view < views; ++view) {
    const ViewParams params = options_.augment
                                  ? SampleViewParams(augmentation_, size_px_, s1_bands_, s2_bands_,
                                                     ViewSeed(options_.seed, epoch, index, view))
                                  : ViewParams{};
    // from_blob wraps the sample's buffers without a copy; RenderView only reads them.
    if (s1_bands_ > 0) {
      const torch::Tensor raw =
          torch::from_blob(const_cast<float*>(sample.s1.data()), {s1_bands_, size_px_, size_px_});
      RenderView(Modality::kS1, params, options_.s1_normalization, raw,
                 (view == 0 ? batch->s1 : batch->s1_view2)[row]);
    }
    if (s2_bands_ > 0) {
      const torch::Tensor raw =
          torch::from_blob(const_cast<float*>(sample.s2.data()), {s2_bands_, size_px_, size_px_});
      RenderView(Modality::kS2, params, options_.s2_normalization, raw,
                 (view == 0 ? batch->s2 : batch->s2_view2)[row]);
    }
  }
  float* labels = batch->labels.data_ptr<float>() + row * num_classes_;
  for (int64_t c = 0; c < num_classes_; ++c) {
    labels[c] = sample.record.labels[static_cast<size_t>(c)] != 0 ? 1.0f : 0.0f;
  }
  batch->labelled.data_ptr<bool>()[row] = options_.labelled.empty() || options_.labelled[index];
  batch->indices.data_ptr<int64_t>()[row] = static_cast<int64_t>(index);
  batch->invalid_values.data_ptr<int64_t>()[row] = sample.invalid_values;
}

StatusOr<Batch> BatchBuilder::Build(int64_t epoch, int64_t batch_index,
                                    const std::vector<size_t>& indices,
                                    const std::function<bool()>& cancelled) const {
  const auto n = static_cast<int64_t>(indices.size());
  Batch batch;
  batch.epoch = epoch;
  batch.batch_index = batch_index;
  try {
    const auto images = torch::TensorOptions().dtype(torch::kFloat);
    if (s1_bands_ > 0) {
      batch.s1 = torch::empty({n, s1_bands_, size_px_, size_px_}, images);
      if (options_.two_views) batch.s1_view2 = torch::empty_like(batch.s1);
    }
    if (s2_bands_ > 0) {
      batch.s2 = torch::empty({n, s2_bands_, size_px_, size_px_}, images);
      if (options_.two_views) batch.s2_view2 = torch::empty_like(batch.s2);
    }
    batch.labels = torch::empty({n, num_classes_}, images);
    batch.labelled = torch::empty({n}, torch::kBool);
    batch.indices = torch::empty({n}, torch::kLong);
    batch.invalid_values = torch::empty({n}, torch::kLong);
  } catch (const std::exception& e) {
    return Status::Internal("allocating batch " + std::to_string(batch_index) + ": " + e.what());
  }

  for (int64_t row = 0; row < n; ++row) {
    if (cancelled && cancelled()) return Status::Cancelled("batch build cancelled");
    const size_t index = indices[static_cast<size_t>(row)];
    StatusOr<std::shared_ptr<const PatchSample>> sample = Fetch(index);
    if (!sample.ok()) return sample.status().WithContext("reading " + SampleName(index));
    MOSAIC_RETURN_IF_ERROR(CheckSample(**sample, index));
    try {
      RenderSample(**sample, index, epoch, row, &batch);
    } catch (const std::exception& e) {
      return Status::Internal("augmenting " + SampleName(index) + ": " + e.what());
    }
  }
  return batch;
}

}  // namespace mosaic::data::internal
