// Multi-label classification of image patches with a model bundle.
//
// This is the torch-free API that the CLI, the scene engine, the GDAL plugin
// and the QGIS provider use: raw float buffers in physical units go in,
// per-class probabilities come out. Normalisation with the manifest's band
// statistics happens inside, so every front end gets identical numbers.
#ifndef MOSAIC_PATCH_CLASSIFIER_H_
#define MOSAIC_PATCH_CLASSIFIER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/manifest.h"
#include "mosaic/status.h"

namespace mosaic {

struct ClassifierOptions {
  // "cpu", "cuda" (the current GPU) or "cuda:N".
  std::string device = "cpu";
  // LibTorch intra-op threads for CPU inference; 0 leaves LibTorch's default.
  int num_threads = 0;
  // Arithmetic of the forward pass: "fp32", or "bf16"/"fp16" mixed precision
  // (CUDA autocast: convolutions and matrix products in bf16/fp16, the rest
  // in fp32; CUDA devices only, InvalidArgument otherwise). Outputs are
  // float32 whatever the precision; bf16 probabilities typically differ from
  // fp32 ones by up to ~1e-2.
  std::string precision = "fp32";
};

// Which multi-label head produces the probabilities.
enum class HeadChoice {
  kAuto,   // fused head when both modalities are given, else the given modality's head
  kFused,  // requires both modalities
  kS1,     // Sentinel-1 head only (e.g. under clouds)
  kS2,     // Sentinel-2 head only
};

MOSAIC_EXPORT StatusOr<HeadChoice> ParseHeadChoice(const std::string& name);  // auto|fused|s1|s2

// A batch of co-located patches. Buffers are NCHW float32, contiguous,
// bands in the manifest's order and in physical units: S1 σ0 in dB, S2 L2A
// reflectance ×10000. A modality the caller does not have is nullptr.
struct PatchBatch {
  int64_t count = 0;
  int64_t height = 0;  // pixels; any size >= 8, normally the manifest's patch size
  int64_t width = 0;
  const float* s1 = nullptr;  // [count, s1 bands, height, width]
  const float* s2 = nullptr;  // [count, s2 bands, height, width]
  // The caller guarantees every value is finite (the scene engine replaces
  // nodata before batching); skips the NaN/Inf check, which costs about a
  // third of the time of a small model on the CPU.
  bool values_checked = false;
  // The values are already normalised, (v - mean) / std in float32 with the
  // manifest's per-band statistics; skips that pass over the batch (the scene
  // engine normalises while it assembles patches).
  bool normalized = false;
};

// Thread-safety: Classify() may be called concurrently from several threads.
class MOSAIC_EXPORT PatchClassifier {
 public:
  // Loads and verifies the bundle (see LoadModelBundle) and moves the model to
  // the device. Errors: the bundle's, Unsupported for an unavailable device,
  // InvalidArgument naming `precision` for an unknown precision or bf16/fp16
  // on a CPU device.
  static StatusOr<std::unique_ptr<PatchClassifier>> Open(const std::string& bundle_path,
                                                         const ClassifierOptions& options = {});
  ~PatchClassifier();
  PatchClassifier(const PatchClassifier&) = delete;
  PatchClassifier& operator=(const PatchClassifier&) = delete;

  const ModelManifest& manifest() const;
  // The device actually used, e.g. "cpu" or "cuda:0".
  std::string device() const;

  // Writes count × num_classes sigmoid probabilities (row-major) to
  // `probabilities`. InvalidArgument if a buffer the head needs is missing,
  // sizes are out of range, or an input value is NaN/Inf (callers mask nodata
  // before calling).
  Status Classify(const PatchBatch& batch, HeadChoice head,
                  std::vector<float>* probabilities) const;

  // Classify() that also writes each patch's embedding (row-major, count ×
  // dim) to `embeddings` when it is not nullptr: [s1, s2] / sqrt(2) (unit
  // norm, dim = 2 × projection_dim) when both modalities are used, else the
  // used modality's projection embedding (dim = projection_dim).
  Status Infer(const PatchBatch& batch, HeadChoice head, std::vector<float>* probabilities,
               std::vector<float>* embeddings) const;

 private:
  struct Impl;
  explicit PatchClassifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mosaic

#endif  // MOSAIC_PATCH_CLASSIFIER_H_
