#include "mosaic/nn/autocast_guard.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

// LibTorch 2.4 replaced the per-backend autocast functions (set_enabled,
// set_autocast_gpu_dtype, ...) by ones taking a device type; the old ones are
// deprecated there and removed later.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define MOSAIC_AUTOCAST_DEVICE_API 1
#else
#define MOSAIC_AUTOCAST_DEVICE_API 0
#endif

namespace mosaic::nn {
namespace {

bool GetCudaEnabled() {
#if MOSAIC_AUTOCAST_DEVICE_API
  return at::autocast::is_autocast_enabled(at::kCUDA);
#else
  return at::autocast::is_enabled();
#endif
}

void SetCudaEnabled(bool enabled) {
#if MOSAIC_AUTOCAST_DEVICE_API
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
  at::autocast::set_enabled(enabled);
#endif
}

c10::ScalarType GetCudaDtype() {
#if MOSAIC_AUTOCAST_DEVICE_API
  return at::autocast::get_autocast_dtype(at::kCUDA);
#else
  return at::autocast::get_autocast_gpu_dtype();
#endif
}

void SetCudaDtype(c10::ScalarType dtype) {
#if MOSAIC_AUTOCAST_DEVICE_API
  at::autocast::set_autocast_dtype(at::kCUDA, dtype);
#else
  at::autocast::set_autocast_gpu_dtype(dtype);
#endif
}

}  // namespace

StatusOr<Precision> ParsePrecision(const std::string& name) {
  if (name == "none" || name == "fp32") return Precision::kFloat32;
  if (name == "bf16") return Precision::kBFloat16;
  if (name == "fp16") return Precision::kFloat16;
  return Status::InvalidArgument("expected none (or fp32), bf16 or fp16, got '" + name + "'");
}

const char* PrecisionName(Precision precision) {
  switch (precision) {
    case Precision::kBFloat16:
      return "bf16";
    case Precision::kFloat16:
      return "fp16";
    case Precision::kFloat32:
      break;
  }
  return "fp32";
}

ScopedAutocast::ScopedAutocast(Precision precision) {
  if (!IsMixed(precision)) return;
  active_ = true;
  previous_enabled_ = GetCudaEnabled();
  previous_dtype_ = GetCudaDtype();
  SetCudaDtype(precision == Precision::kBFloat16 ? c10::ScalarType::BFloat16
                                                 : c10::ScalarType::Half);
  SetCudaEnabled(true);
}

ScopedAutocast::~ScopedAutocast() {
  if (!active_) return;
  SetCudaEnabled(previous_enabled_);
  SetCudaDtype(previous_dtype_);
  // The cache holds fp16/bf16 copies of the fp32 parameters made in this
  // scope; they would be stale after the next optimiser step.
  if (!previous_enabled_) at::autocast::clear_cache();
}

bool ScopedAutocast::CudaEnabled() { return GetCudaEnabled(); }

c10::ScalarType ScopedAutocast::CudaDtype() { return GetCudaDtype(); }

}  // namespace mosaic::nn
