// Evaluating a model bundle on a labelled patch dataset (`mosaic eval`):
// multi-label classification quality (per-class AP, macro/micro mAP, F1 at a
// fixed threshold and at per-class thresholds tuned on a validation split)
// and the cluster coherence of the embeddings (cosine silhouette of the
// dominant-label groups, NMI and ARI of k-means against the dominant labels).
// The numbers come from mosaic::metrics; this layer only wires model outputs
// into them and renders one report. Torch-free header.
//
// See docs/evaluation.md for the definitions and the report layout.
#ifndef MOSAIC_EVAL_EVALUATE_H_
#define MOSAIC_EVAL_EVALUATE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "mosaic/data/patch_dataset.h"
#include "mosaic/eval/model_outputs.h"
#include "mosaic/export.h"
#include "mosaic/metrics/clustering.h"
#include "mosaic/metrics/dominant_label.h"
#include "mosaic/metrics/report.h"
#include "mosaic/status.h"

namespace mosaic::eval {

struct EvaluationOptions {
  // --- Parameters that affect the numbers
  // Split evaluated ("" = every sample of the dataset).
  std::string test_split = "test";
  // Split the per-class thresholds are tuned on. "" or a split without any
  // sample: no tuning; the tuned columns are n/a and the report says why.
  std::string validation_split = "validation";
  // Fixed threshold, zero division and tuning fallback (see report.h).
  metrics::ReportOptions report;
  // How the dominant label of a multi-label sample is chosen for the
  // clustering metrics (class frequencies are those of the test split).
  metrics::DominantLabelRule dominant_rule = metrics::DominantLabelRule::kRarest;
  // k-means (k = number of distinct dominant labels) and silhouette settings.
  uint64_t kmeans_seed = 0;
  int kmeans_restarts = 10;
  // The silhouette is quadratic in the samples: at most this many (a seeded
  // random subset, 0 = all).
  size_t silhouette_max_samples = 2000;
  // false: no embeddings, no cluster coherence section.
  bool cluster_coherence = true;
  // Head, embedding, device, batch size (see model_outputs.h).
  ModelRunOptions run;
};

struct EvaluationReport {
  // What was evaluated.
  std::string model_name;
  std::string model_description;
  std::string model_training_json = "{}";  // the manifest's training record
  std::string dataset_description;
  std::string test_split;
  std::string validation_split;  // "" when thresholds were not tuned
  std::string threshold_note;    // why thresholds were not tuned, else ""
  std::string head;              // fused | s1 | s2 (resolved)
  std::string embedding;         // fused | s1 | s2, "" without embeddings
  int64_t embedding_dim = 0;

  metrics::ClassificationReport classification;

  // Cluster coherence of the test embeddings against their dominant labels;
  // absent (has_cluster_coherence false, cluster_note saying why) when
  // embeddings were off or fewer than 2 dominant labels occur.
  bool has_cluster_coherence = false;
  metrics::ClusterCoherence cluster;
  std::string cluster_note;
};

// Builds the report from outputs computed elsewhere (or made by hand, for
// tests): `test` needs scores and targets, and embeddings when
// options.cluster_coherence is set; `validation` (may be null) needs scores
// and targets with the same classes. The descriptive fields (model, dataset,
// splits) are left for the caller, except head/embedding, which come from
// `test`.
//
// Errors (InvalidArgument): those of BuildClassificationReport, mismatched
// class lists, embeddings missing when needed. A failing cluster
// evaluation (e.g. a single dominant label) is not an error: it is reported
// through cluster_note.
MOSAIC_EXPORT StatusOr<EvaluationReport> EvaluateOutputs(const ModelOutputs& test,
                                                         const ModelOutputs* validation,
                                                         const EvaluationOptions& options);

struct EvalRequest {
  std::string bundle_path;
  std::shared_ptr<const data::PatchDataset> dataset;
  EvaluationOptions options;
};

// Loads the bundle, runs it on the test and (if any) validation split of the
// dataset and evaluates (EvaluateOutputs), filling every descriptive field.
// Errors: those of LoadModelBundle, RunModelOnDataset, EvaluateOutputs, and
// InvalidArgument when the test split has no sample.
MOSAIC_EXPORT StatusOr<EvaluationReport> EvaluateBundle(const EvalRequest& request);

// The whole report as one JSON object:
//   {"model": {"name", "description", "training"}, "dataset": {"description",
//    "test_split", "validation_split", "threshold_note"}, "head", "embedding",
//    "embedding_dim", "classification": <metrics::ToJson(ClassificationReport)>,
//    "cluster_coherence": <metrics::ToJson(ClusterCoherence)> or null,
//    "cluster_note"}
// with NaN as null; 2-space indentation.
MOSAIC_EXPORT std::string ToJson(const EvaluationReport& report);

// The report as Markdown: a title and description list, the classification
// summary and per-class table, and the cluster-coherence table.
MOSAIC_EXPORT std::string ToMarkdown(const EvaluationReport& report);

}  // namespace mosaic::eval

#endif  // MOSAIC_EVAL_EVALUATE_H_
