#include "mosaic/eval/evaluate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "mosaic/metrics/knn.h"
#include "mosaic/model_bundle.h"

namespace mosaic::eval {
namespace {

// A JSON text made by another renderer, parsed to embed it; an unparsable
// text (never expected) is kept as a string.
nlohmann::json Embedded(const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? nlohmann::json(text) : value;
}

Status CheckOutputs(const ModelOutputs& o, const char* what, bool need_embeddings) {
  const size_t n = static_cast<size_t>(o.num_samples), c = static_cast<size_t>(o.num_classes);
  if (o.scores.size() != n * c || o.targets.size() != n * c || o.class_names.size() != c) {
    return Status::InvalidArgument(std::string(what) + " outputs: scores, targets or class names" +
                                   " do not match [" + std::to_string(n) + ", " +
                                   std::to_string(c) + "]");
  }
  if (need_embeddings &&
      (o.embedding_dim <= 0 || o.embeddings.size() != n * static_cast<size_t>(o.embedding_dim))) {
    return Status::InvalidArgument(std::string(what) +
                                   " outputs: no embeddings for the cluster coherence or the "
                                   "embedding quality");
  }
  return Status::OK();
}

// The reference outputs describe the same classes and feature space as the
// test outputs.
Status CheckReference(const ModelOutputs& test, const ModelOutputs& reference,
                      const EvaluationOptions& options) {
  MOSAIC_RETURN_IF_ERROR(CheckOutputs(reference, "reference", true));
  if (reference.class_names != test.class_names) {
    return Status::InvalidArgument("reference outputs have other classes than the test outputs");
  }
  if (reference.features != test.features || reference.embedding != test.embedding ||
      reference.embedding_dim != test.embedding_dim) {
    return Status::InvalidArgument(
        std::string("reference outputs hold ") + FeatureSourceName(reference.features) + " " +
        EmbeddingChoiceName(reference.embedding) + " features of dimension " +
        std::to_string(reference.embedding_dim) + ", the test outputs " +
        FeatureSourceName(test.features) + " " + EmbeddingChoiceName(test.embedding) +
        " features of dimension " + std::to_string(test.embedding_dim));
  }
  if (options.knn_k < 1) {
    return Status::InvalidArgument("knn_k: expected >= 1, got " + std::to_string(options.knn_k));
  }
  if (options.retrieval_top_k < 0) {
    return Status::InvalidArgument("retrieval_top_k: expected >= 0 (0 = full ranking), got " +
                                   std::to_string(options.retrieval_top_k));
  }
  return Status::OK();
}

// kNN and retrieval mAP of the test embeddings against the reference's.
// REQUIRES: CheckReference(test, reference, options) is OK.
StatusOr<EmbeddingQuality> EvaluateEmbeddingQuality(const ModelOutputs& test,
                                                    const ModelOutputs& reference,
                                                    const EvaluationOptions& options) {
  const size_t n = static_cast<size_t>(test.num_samples);
  const size_t m = static_cast<size_t>(reference.num_samples);
  const size_t c = static_cast<size_t>(test.num_classes);
  const size_t d = static_cast<size_t>(test.embedding_dim);
  const metrics::MatrixView query(test.embeddings, n, d), query_targets(test.targets, n, c);
  const metrics::MatrixView references(reference.embeddings, m, d);
  const metrics::MatrixView reference_targets(reference.targets, m, c);

  EmbeddingQuality quality;
  quality.features = FeatureSourceName(test.features);
  quality.embedding = EmbeddingChoiceName(test.embedding);
  quality.embedding_dim = test.embedding_dim;
  quality.reference_split = options.knn_reference_split;
  quality.reference_size = reference.num_samples;
  quality.num_queries = test.num_samples;
  quality.knn_k = options.knn_k;
  quality.retrieval_top_k = options.retrieval_top_k;
  StatusOr<metrics::AveragePrecisionResult> knn = metrics::KnnAveragePrecision(
      query, query_targets, references, reference_targets, static_cast<size_t>(options.knn_k));
  if (!knn.ok()) return knn.status().WithContext("kNN mAP");
  quality.knn_map_macro = knn->macro;
  quality.knn_map_micro = knn->micro;
  StatusOr<metrics::RetrievalResult> retrieval =
      metrics::RetrievalMeanAveragePrecision(query, query_targets, references, reference_targets,
                                             static_cast<size_t>(options.retrieval_top_k));
  if (!retrieval.ok()) return retrieval.status().WithContext("retrieval mAP");
  quality.retrieval_map = retrieval->mean_average_precision;
  quality.retrieval_queries = retrieval->num_queries;
  quality.retrieval_skipped_queries = retrieval->num_skipped_queries;
  return quality;
}

// A JSON number, null for NaN or infinity.
nlohmann::json Number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

// 4 decimals, "n/a" for NaN.
std::string Fixed(double value) {
  if (!std::isfinite(value)) return "n/a";
  char text[32];
  std::snprintf(text, sizeof(text), "%.4f", value);
  return text;
}

std::string Capitalized(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
  return text;
}

nlohmann::json ToJsonValue(const EmbeddingQuality& q) {
  return {{"features", q.features},
          {"embedding", q.embedding},
          {"embedding_dim", q.embedding_dim},
          {"reference_split", q.reference_split},
          {"reference_size", q.reference_size},
          {"num_queries", q.num_queries},
          {"knn_k", q.knn_k},
          {"knn_map_macro", Number(q.knn_map_macro)},
          {"knn_map_micro", Number(q.knn_map_micro)},
          {"retrieval_top_k", q.retrieval_top_k},
          {"retrieval_map", Number(q.retrieval_map)},
          {"retrieval_queries", q.retrieval_queries},
          {"retrieval_skipped_queries", q.retrieval_skipped_queries}};
}

std::string ToMarkdown(const EmbeddingQuality& q) {
  std::ostringstream out;
  out << "Test-split " << q.features << " features (" << q.embedding << ", " << q.embedding_dim
      << " dimensions) against the " << q.reference_size << " samples of split '"
      << q.reference_split
      << "' with all their labels (this measures the embedding, not the label budget).\n\n";
  const std::string ranks = q.retrieval_top_k > 0 ? "top " + std::to_string(q.retrieval_top_k)
                                                  : std::string("full ranking");
  out << "| Metric | Value |\n|---|---:|\n";
  out << "| kNN mAP macro (k = " << q.knn_k << ") | " << Fixed(q.knn_map_macro) << " |\n";
  out << "| kNN mAP micro (k = " << q.knn_k << ") | " << Fixed(q.knn_map_micro) << " |\n";
  out << "| Retrieval mAP (" << ranks << ") | " << Fixed(q.retrieval_map) << " |\n";
  out << "| Retrieval queries used / skipped | " << q.retrieval_queries << " / "
      << q.retrieval_skipped_queries << " |\n";
  return out.str();
}

}  // namespace

StatusOr<EvaluationReport> EvaluateOutputs(const ModelOutputs& test, const ModelOutputs* validation,
                                           const EvaluationOptions& options,
                                           const ModelOutputs* reference) {
  const bool need_embeddings = options.cluster_coherence || reference != nullptr;
  MOSAIC_RETURN_IF_ERROR(CheckOutputs(test, "test", need_embeddings));
  if (reference != nullptr) MOSAIC_RETURN_IF_ERROR(CheckReference(test, *reference, options));
  const size_t n = static_cast<size_t>(test.num_samples);
  const size_t c = static_cast<size_t>(test.num_classes);
  metrics::MatrixView validation_scores, validation_targets;
  if (validation != nullptr) {
    MOSAIC_RETURN_IF_ERROR(CheckOutputs(*validation, "validation", false));
    if (validation->class_names != test.class_names) {
      return Status::InvalidArgument("validation outputs have other classes than the test outputs");
    }
    validation_scores = metrics::MatrixView(validation->scores, validation->num_samples, c);
    validation_targets = metrics::MatrixView(validation->targets, validation->num_samples, c);
  }

  EvaluationReport report;
  report.head = HeadChoiceName(test.head);
  StatusOr<metrics::ClassificationReport> classification =
      metrics::BuildClassificationReport(test.class_names, metrics::MatrixView(test.scores, n, c),
                                         metrics::MatrixView(test.targets, n, c), validation_scores,
                                         validation_targets, options.report);
  if (!classification.ok()) return classification.status();
  report.classification = std::move(classification).value();
  if (need_embeddings) {
    report.embedding = EmbeddingChoiceName(test.embedding);
    report.features = FeatureSourceName(test.features);
    report.embedding_dim = test.embedding_dim;
  }

  if (reference == nullptr) {
    report.embedding_quality_note = "no reference outputs: embedding quality not computed";
  } else {
    StatusOr<EmbeddingQuality> quality = EvaluateEmbeddingQuality(test, *reference, options);
    if (quality.ok()) {
      report.has_embedding_quality = true;
      report.embedding_quality = std::move(quality).value();
    } else {
      report.embedding_quality_note =
          "embedding quality not computed: " + quality.status().message();
    }
  }

  if (!options.cluster_coherence) {
    report.cluster_note = "cluster coherence not requested";
    return report;
  }
  StatusOr<std::vector<int>> labels =
      metrics::DominantLabels(metrics::MatrixView(test.targets, n, c), options.dominant_rule);
  if (!labels.ok()) return labels.status();
  std::set<int> distinct;
  for (int label : *labels) {
    if (label >= 0) distinct.insert(label);
  }
  if (distinct.size() < 2) {
    report.cluster_note =
        "cluster coherence needs at least 2 distinct dominant labels; the test "
        "split has " +
        std::to_string(distinct.size());
    return report;
  }
  metrics::ClusterCoherenceOptions cluster_options;
  cluster_options.kmeans_restarts = options.kmeans_restarts;
  cluster_options.seed = options.kmeans_seed;
  cluster_options.silhouette.max_samples = options.silhouette_max_samples;
  cluster_options.silhouette.seed = options.kmeans_seed;
  StatusOr<metrics::ClusterCoherence> cluster = metrics::EvaluateClusterCoherence(
      metrics::MatrixView(test.embeddings, n, static_cast<size_t>(test.embedding_dim)), *labels,
      cluster_options);
  if (cluster.ok()) {
    report.has_cluster_coherence = true;
    report.cluster = *cluster;
  } else {
    report.cluster_note = "cluster coherence not computed: " + cluster.status().message();
  }
  return report;
}

StatusOr<EvaluationReport> EvaluateBundle(const EvalRequest& request) {
  if (request.dataset == nullptr) return Status::InvalidArgument("dataset: null");
  const data::PatchDataset& dataset = *request.dataset;
  const EvaluationOptions& options = request.options;
  const std::vector<size_t> test_indices = data::IndicesOfSplit(dataset, options.test_split);
  if (test_indices.empty()) {
    return Status::InvalidArgument(dataset.description() + ": no patch in split '" +
                                   options.test_split + "' (--split)");
  }
  if (options.knn_k < 1) {
    return Status::InvalidArgument("knn_k: expected >= 1, got " + std::to_string(options.knn_k));
  }
  if (options.retrieval_top_k < 0) {
    return Status::InvalidArgument("retrieval_top_k: expected >= 0 (0 = full ranking), got " +
                                   std::to_string(options.retrieval_top_k));
  }

  // The reference split of the embedding quality, when there is a usable one.
  std::string quality_note;
  std::vector<size_t> reference_indices;
  if (options.knn_reference_split.empty()) {
    quality_note = "no reference split given: embedding quality not computed";
  } else {
    reference_indices = data::IndicesOfSplit(dataset, options.knn_reference_split);
    std::vector<size_t> sorted_test = test_indices, sorted_reference = reference_indices;
    std::sort(sorted_test.begin(), sorted_test.end());
    std::sort(sorted_reference.begin(), sorted_reference.end());
    std::vector<size_t> shared;
    std::set_intersection(sorted_test.begin(), sorted_test.end(), sorted_reference.begin(),
                          sorted_reference.end(), std::back_inserter(shared));
    if (reference_indices.empty()) {
      quality_note = "reference split '" + options.knn_reference_split +
                     "' has no sample: embedding quality not computed";
    } else if (!shared.empty()) {
      quality_note = "reference split '" + options.knn_reference_split + "' shares " +
                     std::to_string(shared.size()) +
                     " samples with the evaluated ones (a query would find itself): embedding "
                     "quality not computed";
      reference_indices.clear();
    }
  }

  StatusOr<LoadedModel> model = LoadModelBundle(request.bundle_path);
  if (!model.ok()) return model.status();

  ModelRunOptions run = options.run;
  run.features = options.features;
  run.compute_embeddings = options.cluster_coherence || !reference_indices.empty();
  StatusOr<ModelOutputs> test = RunModelOnDataset(*model, request.dataset, test_indices, run);
  if (!test.ok()) return test.status().WithContext("split '" + options.test_split + "'");

  std::optional<ModelOutputs> reference;
  if (!reference_indices.empty()) {
    StatusOr<ModelOutputs> ref = RunModelOnDataset(*model, request.dataset, reference_indices, run);
    if (!ref.ok()) return ref.status().WithContext("split '" + options.knn_reference_split + "'");
    reference = std::move(ref).value();
  }

  std::string threshold_note;
  std::optional<ModelOutputs> validation;
  if (options.validation_split.empty()) {
    threshold_note = "no validation split given: thresholds not tuned";
  } else {
    const std::vector<size_t> val_indices = data::IndicesOfSplit(dataset, options.validation_split);
    if (val_indices.empty()) {
      threshold_note =
          "validation split '" + options.validation_split + "' has no sample: thresholds not tuned";
    } else {
      run.compute_embeddings = false;
      StatusOr<ModelOutputs> val = RunModelOnDataset(*model, request.dataset, val_indices, run);
      if (!val.ok()) return val.status().WithContext("split '" + options.validation_split + "'");
      validation = std::move(val).value();
    }
  }
  StatusOr<EvaluationReport> report = EvaluateOutputs(*test, validation ? &*validation : nullptr,
                                                      options, reference ? &*reference : nullptr);
  if (!report.ok()) return report.status();
  if (!reference) report->embedding_quality_note = quality_note;
  report->model_name = model->manifest.name;
  report->model_description = model->manifest.description;
  report->model_training_json = model->manifest.training_json;
  report->dataset_description = dataset.description();
  report->test_split = options.test_split;
  report->validation_split = validation ? options.validation_split : "";
  report->threshold_note = threshold_note;
  return report;
}

std::string ToJson(const EvaluationReport& report) {
  nlohmann::json json;
  json["model"] = {{"name", report.model_name},
                   {"description", report.model_description},
                   {"training", Embedded(report.model_training_json)}};
  json["dataset"] = {{"description", report.dataset_description},
                     {"test_split", report.test_split},
                     {"validation_split", report.validation_split},
                     {"threshold_note", report.threshold_note}};
  json["head"] = report.head;
  json["embedding"] = report.embedding;
  json["features"] = report.features;
  json["embedding_dim"] = report.embedding_dim;
  json["classification"] = Embedded(metrics::ToJson(report.classification));
  json["embedding_quality"] = report.has_embedding_quality ? ToJsonValue(report.embedding_quality)
                                                           : nlohmann::json(nullptr);
  json["embedding_quality_note"] = report.embedding_quality_note;
  if (report.has_cluster_coherence) {
    nlohmann::json cluster = Embedded(metrics::ToJson(report.cluster));
    if (cluster.is_object()) {
      cluster["features"] = report.features;
      cluster["embedding"] = report.embedding;
    }
    json["cluster_coherence"] = std::move(cluster);
  } else {
    json["cluster_coherence"] = nullptr;
  }
  json["cluster_note"] = report.cluster_note;
  return json.dump(2);
}

std::string ToMarkdown(const EvaluationReport& report) {
  auto split = [](const std::string& s) {
    return s.empty() ? std::string("all samples") : "'" + s + "'";
  };
  std::ostringstream out;
  out << "# Evaluation of `" << report.model_name << "`\n\n";
  if (!report.model_description.empty()) out << "- Model: " << report.model_description << "\n";
  out << "- Dataset: " << report.dataset_description << "\n";
  out << "- Test split: " << split(report.test_split) << "\n";
  if (!report.validation_split.empty()) {
    out << "- Thresholds tuned on split '" << report.validation_split << "'\n";
  } else if (!report.threshold_note.empty()) {
    out << "- Thresholds: " << report.threshold_note << "\n";
  }
  out << "- Head: " << report.head << "\n";
  if (!report.embedding.empty()) {
    out << "- Embedding: " << report.embedding << " " << report.features << " features ("
        << report.embedding_dim << " dimensions)\n";
  }
  out << "\n## Classification\n\n" << metrics::ToMarkdown(report.classification);
  out << "\n## Embedding quality\n\n";
  if (report.has_embedding_quality) {
    out << ToMarkdown(report.embedding_quality);
  } else {
    out << report.embedding_quality_note << "\n";
  }
  out << "\n## Cluster coherence\n\n";
  if (report.has_cluster_coherence) {
    out << Capitalized(report.features) << " features (" << report.embedding
        << ") grouped by dominant label (cosine silhouette) and k-means clusters against "
           "dominant labels (NMI, ARI).\n\n"
        << metrics::ToMarkdown(report.cluster);
  } else {
    out << report.cluster_note << "\n";
  }
  return out.str();
}

}  // namespace mosaic::eval
