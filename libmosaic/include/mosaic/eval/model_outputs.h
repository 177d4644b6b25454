// Running a model bundle over (part of) a patch dataset: per-sample scores,
// targets and embeddings, the raw material of `mosaic eval` and
// `mosaic embed`. Torch-free header; the work happens in LibTorch inside.
//
// Pixels go through the data Loader with augmentation off, so they are only
// normalised, with the band statistics of the model's manifest (never the
// dataset's). Scores are the sigmoid of one multi-label head; embeddings come
// from the projection heads or the encoders (FeatureSource) of the
// modalities that EmbeddingChoice selects.
//
// Dataset / manifest checks (all InvalidArgument naming the band or class):
//   * Bands: for every modality the model has and the dataset delivers, the
//     dataset's band list must equal the manifest's, in the same order. A
//     manifest band the dataset lacks is named ("dataset has no Sentinel-2
//     band 'B8A'"), as is an extra dataset band or a different order.
//   * Classes: the dataset's class names must be the manifest's, in any
//     order; a permutation is mapped so that column c of `scores` and
//     `targets` is always manifest class c. A class missing on either side is
//     named.
//   * A head or embedding that needs a modality the dataset (or the model)
//     does not have is an error.
//
// Thread-safety: concurrent calls are safe when they do not share a
// LoadedModel (the bundle-path overload loads its own).
#ifndef MOSAIC_EVAL_MODEL_OUTPUTS_H_
#define MOSAIC_EVAL_MODEL_OUTPUTS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mosaic/data/patch_dataset.h"
#include "mosaic/export.h"
#include "mosaic/manifest.h"
#include "mosaic/patch_classifier.h"
#include "mosaic/status.h"

namespace mosaic {
struct LoadedModel;  // model_bundle.h (torch)
}  // namespace mosaic

namespace mosaic::eval {

// Which embedding is exported per sample.
enum class EmbeddingChoice {
  kAuto,   // kFused when the model and dataset have both modalities, else the one there is
  kFused,  // [s1_embedding, s2_embedding] / sqrt(2): unit L2 norm, D = 2 * projection_dim
  kS1,     // the Sentinel-1 projection embedding (unit norm, D = projection_dim)
  kS2,     // the Sentinel-2 projection embedding
};

// "auto" | "fused" | "s1" | "s2".
MOSAIC_EXPORT StatusOr<EmbeddingChoice> ParseEmbeddingChoice(const std::string& name);
MOSAIC_EXPORT const char* EmbeddingChoiceName(EmbeddingChoice choice);

// Which vectors are exported per sample for the modalities EmbeddingChoice
// selects. Either way every exported row has unit L2 norm (see below for the
// one exception), so cosine similarity is a dot product.
enum class FeatureSource {
  // The projection-head outputs z (already L2-normalised by the model), as in
  // EmbeddingChoice: z for one modality, [z1, z2] / sqrt(2) for two;
  // D = projection_dim or 2 * projection_dim. Only meaningful for models whose
  // projection heads were trained (not for the supervised preset).
  kProjection,
  // The pooled encoder outputs h (DualStreamOutput::s1_features /
  // s2_features), each stream scaled to unit L2 norm so that neither
  // modality dominates: h / |h| for one modality (D = its feature_dim), and
  // [h1 / |h1|, h2 / |h2|] / sqrt(2) for two (D = s1 + s2 feature_dim), whose
  // cosine similarity is the mean of the two streams' cosine similarities.
  // Every pre-training method trains the encoders, so these features compare
  // across methods. A stream whose pooled features are all zero (a dead
  // encoder; |h| < 1e-12) stays zero instead of becoming NaN.
  kEncoder,
};

// "projection" | "encoder".
MOSAIC_EXPORT StatusOr<FeatureSource> ParseFeatureSource(const std::string& name);
MOSAIC_EXPORT const char* FeatureSourceName(FeatureSource source);
MOSAIC_EXPORT const char* HeadChoiceName(HeadChoice choice);

struct ModelRunOptions {
  // --- Parameters that affect the outputs
  // The head whose sigmoid gives the scores. kAuto: fused when the model and
  // the dataset have both modalities, else the single modality's head.
  HeadChoice head = HeadChoice::kAuto;
  EmbeddingChoice embedding = EmbeddingChoice::kAuto;
  // Projection embeddings or encoder features of those modalities.
  FeatureSource features = FeatureSource::kProjection;
  // false: no embeddings are computed (ModelOutputs::embedding_dim == 0) and
  // the embedding choice is not checked.
  bool compute_embeddings = true;

  // --- Parameters that affect only speed and memory
  int64_t batch_size = 64;  // >= 1
  int num_workers = 2;      // loader threads (0: read in the calling thread)
  // "cpu", "cuda" or "cuda:N".
  std::string device = "cpu";
};

// Row-major outputs, one row per requested sample, in the order of `indices`.
struct ModelOutputs {
  int64_t num_samples = 0;                             // N
  int64_t num_classes = 0;                             // C, the manifest's classes
  int64_t embedding_dim = 0;                           // D (0 when embeddings were not computed)
  std::vector<std::string> class_names;                // [C] the manifest's, in its order
  std::vector<size_t> indices;                         // [N] dataset indices
  std::vector<std::string> ids;                        // [N] PatchRecord::id
  std::vector<float> scores;                           // [N, C] sigmoid probabilities
  std::vector<uint8_t> targets;                        // [N, C] multi-hot, mapped to manifest order
  std::vector<float> embeddings;                       // [N, D] (see FeatureSource)
  HeadChoice head = HeadChoice::kAuto;                 // the head actually used (never kAuto)
  EmbeddingChoice embedding = EmbeddingChoice::kAuto;  // actually used (kAuto if none)
  FeatureSource features = FeatureSource::kProjection;  // what `embeddings` holds
};

// The modalities and head a run would use, after the checks above, without
// running anything. Useful to fail fast in front ends.
struct RunPlan {
  HeadChoice head = HeadChoice::kAuto;
  EmbeddingChoice embedding = EmbeddingChoice::kAuto;
  // class_permutation[c] = the dataset class index of manifest class c.
  std::vector<int64_t> class_permutation;
};
MOSAIC_EXPORT StatusOr<RunPlan> PlanModelRun(const ModelManifest& manifest,
                                             const data::PatchDataset& dataset,
                                             const ModelRunOptions& options);

// Loads the bundle at `bundle_path` (see LoadModelBundle) and runs it over the
// samples `indices` of `dataset` (dataset indices, e.g. from IndicesOfSplit).
//
// Errors: the bundle's; InvalidArgument for the checks above, an empty
// `indices` or one out of range, bad options; Unsupported for an unavailable
// device; the Loader's read errors, naming the sample.
MOSAIC_EXPORT StatusOr<ModelOutputs> RunModelOnDataset(
    const std::string& bundle_path, std::shared_ptr<const data::PatchDataset> dataset,
    const std::vector<size_t>& indices, const ModelRunOptions& options = {});

// As above with an already loaded model. The module is shared, not copied: it
// is put in eval mode and moved to options.device, and stays so afterwards.
// REQUIRES: no other thread uses `model.model` during the call.
MOSAIC_EXPORT StatusOr<ModelOutputs> RunModelOnDataset(
    const LoadedModel& model, std::shared_ptr<const data::PatchDataset> dataset,
    const std::vector<size_t>& indices, const ModelRunOptions& options = {});

}  // namespace mosaic::eval

#endif  // MOSAIC_EVAL_MODEL_OUTPUTS_H_
