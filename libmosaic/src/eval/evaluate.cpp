#include "mosaic/eval/evaluate.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <sstream>
#include <utility>

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
                                   " outputs: no embeddings for the cluster coherence");
  }
  return Status::OK();
}

}  // namespace

StatusOr<EvaluationReport> EvaluateOutputs(const ModelOutputs& test, const ModelOutputs* validation,
                                           const EvaluationOptions& options) {
  MOSAIC_RETURN_IF_ERROR(CheckOutputs(test, "test", options.cluster_coherence));
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

  if (!options.cluster_coherence) {
    report.cluster_note = "cluster coherence not requested";
    return report;
  }
  report.embedding = EmbeddingChoiceName(test.embedding);
  report.embedding_dim = test.embedding_dim;
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
  StatusOr<LoadedModel> model = LoadModelBundle(request.bundle_path);
  if (!model.ok()) return model.status();

  ModelRunOptions run = options.run;
  run.compute_embeddings = options.cluster_coherence;
  StatusOr<ModelOutputs> test = RunModelOnDataset(*model, request.dataset, test_indices, run);
  if (!test.ok()) return test.status().WithContext("split '" + options.test_split + "'");

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
  StatusOr<EvaluationReport> report =
      EvaluateOutputs(*test, validation ? &*validation : nullptr, options);
  if (!report.ok()) return report.status();
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
  json["embedding_dim"] = report.embedding_dim;
  json["classification"] = Embedded(metrics::ToJson(report.classification));
  json["cluster_coherence"] =
      report.has_cluster_coherence ? Embedded(metrics::ToJson(report.cluster)) : nullptr;
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
    out << "- Embedding: " << report.embedding << " (" << report.embedding_dim << " dimensions)\n";
  }
  out << "\n## Classification\n\n" << metrics::ToMarkdown(report.classification);
  out << "\n## Cluster coherence\n\n";
  if (report.has_cluster_coherence) {
    out << "Embeddings grouped by dominant label (cosine silhouette) and k-means clusters "
           "against dominant labels (NMI, ARI).\n\n"
        << metrics::ToMarkdown(report.cluster);
  } else {
    out << report.cluster_note << "\n";
  }
  return out.str();
}

}  // namespace mosaic::eval
