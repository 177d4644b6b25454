// Mixed precision on CUDA: the precision names that training (--amp) and
// inference (ClassifierOptions::precision) accept, and an RAII guard that
// turns LibTorch's CUDA autocast on for a scope.
//
// Under autocast, ops on CUDA tensors that profit from lower precision
// (convolutions, linear layers, matrix products) run in bf16 or fp16, ops
// that need range (reductions, norms, softmax, losses) run in fp32, and the
// parameters stay fp32. CPU tensors are never affected. Outputs of a forward
// pass under autocast may therefore be bf16/fp16; callers cast them back with
// .to(torch::kFloat32) before computing losses or copying results out.
//
// Thread-safety: autocast state is thread-local in LibTorch, so a guard
// affects only the thread that creates it (and must be destroyed there).
#ifndef MOSAIC_NN_AUTOCAST_GUARD_H_
#define MOSAIC_NN_AUTOCAST_GUARD_H_

#include <c10/core/ScalarType.h>

#include <string>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::nn {

enum class Precision {
  kFloat32,   // full precision: autocast stays as it is ("none" or "fp32")
  kBFloat16,  // autocast to bfloat16 (same range as fp32; no loss scaling needed)
  kFloat16,   // autocast to float16 (narrow range; training needs a loss scaler)
};

// "none" or "fp32" -> kFloat32, "bf16" -> kBFloat16, "fp16" -> kFloat16.
// InvalidArgument naming the value and the accepted names otherwise; callers
// add the option name with Status::WithContext.
MOSAIC_EXPORT StatusOr<Precision> ParsePrecision(const std::string& name);

// "fp32", "bf16" or "fp16".
MOSAIC_EXPORT const char* PrecisionName(Precision precision);

// True for the precisions that use autocast (bf16, fp16).
inline bool IsMixed(Precision precision) { return precision != Precision::kFloat32; }

// For its lifetime, enables CUDA autocast with the precision's dtype; on
// destruction restores the previous enabled flag and dtype, and clears the
// autocast weight-cast cache when that turns autocast off. kFloat32 is a
// no-op (the state is neither read nor changed). Guards nest.
//
// REQUIRES: created and destroyed on the same thread; not moved or copied.
// Backward passes should run after the guard is gone (as in PyTorch's AMP
// recipe): the casts autocast inserted are recorded in the graph already.
class MOSAIC_EXPORT ScopedAutocast {
 public:
  explicit ScopedAutocast(Precision precision);
  ~ScopedAutocast();
  ScopedAutocast(const ScopedAutocast&) = delete;
  ScopedAutocast& operator=(const ScopedAutocast&) = delete;

  // Whether CUDA autocast is enabled on this thread right now, and its dtype
  // (meaningful only when enabled). For tests and diagnostics.
  static bool CudaEnabled();
  static c10::ScalarType CudaDtype();

 private:
  bool active_ = false;  // false for kFloat32: the destructor does nothing
  bool previous_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Half;
};

}  // namespace mosaic::nn

#endif  // MOSAIC_NN_AUTOCAST_GUARD_H_
