#include "mosaic/device.h"

#include <algorithm>

namespace mosaic {

StatusOr<torch::Device> ParseDevice(const std::string& name) {
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    int index = 0;
    if (name.size() > 5 || name == "cuda:") {
      const std::string digits = name.substr(5);
      if (digits.empty() || digits.size() > 3 ||
          !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Status::InvalidArgument("device '" + name + "': expected cpu, cuda or cuda:N");
      }
      index = std::stoi(digits);
    }
    if (!torch::cuda::is_available()) {
      return Status::Unsupported("device '" + name +
                                 "' requested, but this LibTorch build has no CUDA support or no "
                                 "GPU is visible; use --device cpu");
    }
    if (index >= static_cast<int>(torch::cuda::device_count())) {
      return Status::InvalidArgument("device '" + name + "': only " +
                                     std::to_string(torch::cuda::device_count()) +
                                     " CUDA device(s) visible");
    }
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  return Status::InvalidArgument("device '" + name + "': expected cpu, cuda or cuda:N");
}

}  // namespace mosaic
