#include "mosaic/model_bundle.h"

#include <cstring>
#include <map>

namespace mosaic {
namespace {

StatusOr<TensorDType> BundleDType(const torch::Tensor& tensor) {
  switch (tensor.scalar_type()) {
    case torch::kFloat32:
      return TensorDType::kFloat32;
    case torch::kFloat64:
      return TensorDType::kFloat64;
    case torch::kInt64:
      return TensorDType::kInt64;
    default:
      return Status::Unsupported(std::string("tensor dtype ") +
                                 c10::toString(tensor.scalar_type()) + " cannot be stored");
  }
}

torch::ScalarType TorchDType(TensorDType dtype) {
  switch (dtype) {
    case TensorDType::kFloat32:
      return torch::kFloat32;
    case TensorDType::kFloat64:
      return torch::kFloat64;
    case TensorDType::kInt64:
      return torch::kInt64;
  }
  return torch::kFloat32;
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// Parameters and buffers by state_dict key, in registration order.
std::vector<std::pair<std::string, torch::Tensor>> StateDict(const nn::DualStreamModel& model) {
  std::vector<std::pair<std::string, torch::Tensor>> entries;
  for (const auto& item : model->named_parameters(/*recurse=*/true)) {
    entries.emplace_back(item.key(), item.value());
  }
  for (const auto& item : model->named_buffers(/*recurse=*/true)) {
    entries.emplace_back(item.key(), item.value());
  }
  return entries;
}

}  // namespace

nn::DualStreamModelOptions ModelOptionsFromManifest(const ModelManifest& manifest) {
  return nn::DualStreamModelOptions()
      .s1_encoder(manifest.s1.encoder)
      .s2_encoder(manifest.s2.encoder)
      .s1_in_channels(static_cast<int64_t>(manifest.s1.bands.size()))
      .s2_in_channels(static_cast<int64_t>(manifest.s2.bands.size()))
      .num_classes(static_cast<int64_t>(manifest.class_names.size()))
      .projection_dim(manifest.projection_dim)
      .projection_hidden_dim(manifest.projection_hidden_dim)
      .small_cnn_width(manifest.small_cnn_width);
}

nn::DualStreamModel BuildModel(const ModelManifest& manifest) {
  return nn::DualStreamModel(ModelOptionsFromManifest(manifest));
}

Status SaveModelBundle(const std::string& path, const ModelManifest& manifest,
                       const nn::DualStreamModel& model) {
  MOSAIC_RETURN_IF_ERROR(ValidateManifest(manifest).WithContext("model bundle '" + path + "'"));
  // The saved model must be the one the manifest describes, or loading fails later.
  const nn::DualStreamModel reference = BuildModel(manifest);
  std::map<std::string, std::vector<int64_t>> expected;
  for (const auto& [name, tensor] : StateDict(reference)) {
    expected[name] = tensor.sizes().vec();
  }
  BundleContents contents;
  contents.manifest = manifest;
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : StateDict(model)) {
    auto it = expected.find(name);
    if (it == expected.end() || it->second != tensor.sizes().vec()) {
      return Status::InvalidArgument("cannot save '" + path + "': tensor '" + name + "' " +
                                     ShapeString(tensor.sizes().vec()) +
                                     " does not belong to the architecture in the manifest");
    }
    expected.erase(it);
    StatusOr<TensorDType> dtype = BundleDType(tensor);
    if (!dtype.ok()) return dtype.status().WithContext("tensor '" + name + "'");
    const torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
    BundleTensor entry;
    entry.name = name;
    entry.dtype = *dtype;
    entry.shape = cpu.sizes().vec();
    entry.data.resize(cpu.numel() * cpu.element_size());
    std::memcpy(entry.data.data(), cpu.data_ptr(), entry.data.size());
    contents.tensors.push_back(std::move(entry));
  }
  if (!expected.empty()) {
    return Status::InvalidArgument("cannot save '" + path + "': the model lacks tensor '" +
                                   expected.begin()->first + "' of the manifest's architecture");
  }
  return WriteBundleFile(path, contents);
}

StatusOr<LoadedModel> LoadModelBundle(const std::string& path, const BundleReadLimits& limits) {
  StatusOr<BundleContents> contents = ReadBundleFile(path, limits);
  if (!contents.ok()) return contents.status();

  LoadedModel loaded;
  loaded.manifest = std::move(contents->manifest);
  try {
    loaded.model = BuildModel(loaded.manifest);
  } catch (const c10::Error& e) {
    return Status::Corruption(
        "model bundle '" + path +
        "': its manifest describes a model that cannot be built: " + e.what_without_backtrace());
  }
  std::map<std::string, const BundleTensor*> by_name;
  for (const BundleTensor& t : contents->tensors) by_name[t.name] = &t;

  // Validate everything before touching a single weight.
  const auto state = StateDict(loaded.model);
  for (const auto& [name, tensor] : state) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      return Status::Corruption("model bundle '" + path + "': tensor '" + name +
                                "' required by the declared architecture is missing");
    }
    const BundleTensor& stored = *it->second;
    if (stored.shape != tensor.sizes().vec()) {
      return Status::Corruption("model bundle '" + path + "': tensor '" + name + "' has shape " +
                                ShapeString(stored.shape) + ", the declared architecture needs " +
                                ShapeString(tensor.sizes().vec()));
    }
    if (TorchDType(stored.dtype) != tensor.scalar_type()) {
      StatusOr<TensorDType> expected = BundleDType(tensor);
      return Status::Corruption("model bundle '" + path + "': tensor '" + name + "' is " +
                                TensorDTypeName(stored.dtype) + ", expected " +
                                (expected.ok() ? TensorDTypeName(*expected) : "another dtype"));
    }
  }
  if (by_name.size() != state.size()) {
    for (const auto& [name, stored] : by_name) {
      const bool known = std::any_of(state.begin(), state.end(),
                                     [&](const auto& entry) { return entry.first == name; });
      if (!known) {
        return Status::Corruption("model bundle '" + path + "': unexpected tensor '" + name +
                                  "' that the declared architecture does not have");
      }
    }
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : state) {
    const BundleTensor& stored = *by_name[name];
    std::memcpy(tensor.data_ptr(), stored.data.data(), stored.data.size());
  }
  loaded.model->eval();
  return loaded;
}

}  // namespace mosaic
