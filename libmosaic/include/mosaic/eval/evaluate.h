// Evaluating a model bundle on a labelled patch dataset (`mosaic eval`):
// multi-label classification quality (per-class AP, macro/micro mAP, F1 at a
// fixed threshold and at per-class thresholds tuned on a validation split),
// the embedding quality against a labelled reference split (kNN multi-label
// mAP and label-sharing retrieval mAP, see metrics/knn.h) and the cluster
// coherence of the embeddings (cosine silhouette of the dominant-label
// groups, NMI and ARI of k-means against the dominant labels). By default the
// embedding sections use the encoder features (FeatureSource::kEncoder), which
// every pre-training method trains, so they compare across methods.
// The numbers come from mosaic::metrics; this layer only wires model outputs
// into them and renders one report. Torch-free header.
//
// See docs/evaluation.md for the definitions and the report layout.
#ifndef MOSAIC_EVAL_EVALUATE_H_
#define MOSAIC_EVAL_EVALUATE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
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
  // false: no cluster coherence section.
  bool cluster_coherence = true;
  // Embedding quality: the test samples are the queries, the samples of this
  // split the labelled references ("" = no embedding-quality section). Every
  // label of every reference sample is used, whatever label fraction the model
  // was trained with: the section measures the embedding, not a label budget.
  // A split without samples, or one that shares samples with the test split
  // (e.g. test_split ""), gives a note instead of the section.
  std::string knn_reference_split = "train";
  // Neighbours of the kNN label scores (>= 1; see KnnLabelScores).
  int64_t knn_k = 10;
  // Ranks the retrieval AP looks at (>= 0; 0 = the full ranking).
  int64_t retrieval_top_k = 0;
  // The vectors of the embedding-quality and cluster-coherence sections, of
  // the modalities run.embedding selects. EvaluateBundle runs the model with
  // this (it overrides run.features); EvaluateOutputs takes whatever its
  // outputs hold.
  FeatureSource features = FeatureSource::kEncoder;
  // Head, embedding, device, batch size (see model_outputs.h).
  ModelRunOptions run;
};

// kNN and retrieval quality of the test embeddings against a reference split
// (see metrics/knn.h for the definitions).
struct EmbeddingQuality {
  std::string features;         // encoder | projection
  std::string embedding;        // fused | s1 | s2
  int64_t embedding_dim = 0;    // D
  std::string reference_split;  // the labelled references
  int64_t reference_size = 0;   // their number
  int64_t num_queries = 0;      // test samples
  int64_t knn_k = 0;
  double knn_map_macro = std::numeric_limits<double>::quiet_NaN();
  double knn_map_micro = std::numeric_limits<double>::quiet_NaN();
  int64_t retrieval_top_k = 0;  // 0: full ranking
  double retrieval_map = std::numeric_limits<double>::quiet_NaN();
  int64_t retrieval_queries = 0;          // queries with a relevant reference, averaged
  int64_t retrieval_skipped_queries = 0;  // queries without one
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
  std::string features;          // encoder | projection, "" without embeddings
  int64_t embedding_dim = 0;

  metrics::ClassificationReport classification;

  // Embedding quality of the test embeddings against the reference split;
  // absent (has_embedding_quality false, embedding_quality_note saying why)
  // when off, without reference samples, or when the metrics fail.
  bool has_embedding_quality = false;
  EmbeddingQuality embedding_quality;
  std::string embedding_quality_note;

  // Cluster coherence of the test embeddings (`features`) against their
  // dominant labels; absent (has_cluster_coherence false, cluster_note saying
  // why) when off or fewer than 2 dominant labels occur.
  bool has_cluster_coherence = false;
  metrics::ClusterCoherence cluster;
  std::string cluster_note;
};

// Builds the report from outputs computed elsewhere (or made by hand, for
// tests): `test` needs scores and targets, and embeddings when
// options.cluster_coherence is set or `reference` is given; `validation` (may
// be null) needs scores and targets with the same classes; `reference` (may
// be null: no embedding-quality section) needs targets and embeddings with
// the same classes, embedding, features and dimension as `test` (its scores
// are not used), and gives the embedding-quality section with
// options.knn_k and options.retrieval_top_k. The descriptive fields (model,
// dataset, splits) are left for the caller, except head/embedding/features,
// which come from `test`, and embedding_quality.reference_split, which is
// options.knn_reference_split.
//
// Errors (InvalidArgument): those of BuildClassificationReport, mismatched
// class lists, embeddings missing or inconsistent when needed, knn_k < 1 or
// retrieval_top_k < 0 with a reference. A failing cluster or embedding-quality
// evaluation (e.g. a single dominant label, a zero feature row) is not an
// error: it is reported through cluster_note / embedding_quality_note.
MOSAIC_EXPORT StatusOr<EvaluationReport> EvaluateOutputs(const ModelOutputs& test,
                                                         const ModelOutputs* validation,
                                                         const EvaluationOptions& options,
                                                         const ModelOutputs* reference = nullptr);

struct EvalRequest {
  std::string bundle_path;
  std::shared_ptr<const data::PatchDataset> dataset;
  EvaluationOptions options;
};

// Loads the bundle, runs it (with options.features) on the test, the (if
// any) validation and the (if any) reference split of the dataset and
// evaluates (EvaluateOutputs), filling every descriptive field. The model runs
// over the reference split only for its features and targets.
// Errors: those of LoadModelBundle, RunModelOnDataset, EvaluateOutputs, and
// InvalidArgument when the test split has no sample or knn_k < 1 or
// retrieval_top_k < 0.
MOSAIC_EXPORT StatusOr<EvaluationReport> EvaluateBundle(const EvalRequest& request);

// The whole report as one JSON object:
//   {"model": {"name", "description", "training"}, "dataset": {"description",
//    "test_split", "validation_split", "threshold_note"}, "head", "embedding",
//    "features", "embedding_dim",
//    "classification": <metrics::ToJson(ClassificationReport)>,
//    "embedding_quality": {"features", "embedding", "embedding_dim",
//      "reference_split", "reference_size", "num_queries", "knn_k",
//      "knn_map_macro", "knn_map_micro", "retrieval_top_k", "retrieval_map",
//      "retrieval_queries", "retrieval_skipped_queries"} or null,
//    "embedding_quality_note",
//    "cluster_coherence": <metrics::ToJson(ClusterCoherence)> plus "features"
//      and "embedding", or null,
//    "cluster_note"}
// with NaN as null; 2-space indentation.
MOSAIC_EXPORT std::string ToJson(const EvaluationReport& report);

// The report as Markdown: a title and description list, the classification
// summary and per-class table, the embedding-quality table and the
// cluster-coherence table (each naming the features it used).
MOSAIC_EXPORT std::string ToMarkdown(const EvaluationReport& report);

}  // namespace mosaic::eval

#endif  // MOSAIC_EVAL_EVALUATE_H_
