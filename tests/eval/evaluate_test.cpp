#include "mosaic/eval/evaluate.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "eval_test_util.h"
#include "mosaic/metrics/average_precision.h"
#include "mosaic/metrics/f1.h"
#include "mosaic/model_factory.h"
#include "testing/manifests.h"
#include "testing/temp_dir.h"

namespace mosaic::eval {
namespace {

using mosaic::testing::TempDir;
using mosaic::testing::TinyManifest;

// Hand-made outputs: 3 classes, each sample a single label cycling 0,1,2;
// scores are exactly the targets; embeddings are the one-hot label (+ noise).
ModelOutputs Perfect(int64_t n) {
  ModelOutputs o;
  o.num_samples = n;
  o.num_classes = 3;
  o.embedding_dim = 4;
  o.class_names = {"a", "b", "c"};
  o.head = HeadChoice::kFused;
  o.embedding = EmbeddingChoice::kFused;
  for (int64_t i = 0; i < n; ++i) {
    o.ids.push_back("p" + std::to_string(i));
    o.indices.push_back(static_cast<size_t>(i));
    for (int64_t c = 0; c < 3; ++c) {
      o.targets.push_back(i % 3 == c);
      o.scores.push_back(i % 3 == c ? 1.0f : 0.0f);
    }
    for (int64_t k = 0; k < 4; ++k) {
      o.embeddings.push_back((k == i % 3 ? 1.0f : 0.0f) + 0.01f * static_cast<float>((i + k) % 4));
    }
  }
  return o;
}

TEST(EvaluateOutputs, ScoresEqualToTargetsGiveMapOne) {
  const ModelOutputs test = Perfect(30);
  StatusOr<EvaluationReport> report = EvaluateOutputs(test, nullptr, EvaluationOptions());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_DOUBLE_EQ(report->classification.map_macro, 1.0);
  EXPECT_DOUBLE_EQ(report->classification.map_micro, 1.0);
  EXPECT_DOUBLE_EQ(report->classification.f1_macro_at_default, 1.0);
  EXPECT_TRUE(std::isnan(report->classification.f1_macro_at_tuned));
  ASSERT_TRUE(report->has_cluster_coherence) << report->cluster_note;
  EXPECT_EQ(report->cluster.num_clusters, 3);
  EXPECT_GT(report->cluster.silhouette, 0.9);
  EXPECT_DOUBLE_EQ(report->cluster.kmeans_nmi, 1.0);
  EXPECT_DOUBLE_EQ(report->cluster.kmeans_ari, 1.0);
  EXPECT_EQ(report->head, "fused");

  // With a validation set the tuned columns are filled.
  const ModelOutputs validation = Perfect(9);
  report = EvaluateOutputs(test, &validation, EvaluationOptions());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->classification.num_validation_samples, 9);
  EXPECT_DOUBLE_EQ(report->classification.f1_macro_at_tuned, 1.0);
}

TEST(EvaluateOutputs, SingleDominantLabelIsANoteNotAnError) {
  ModelOutputs test = Perfect(6);
  for (size_t i = 0; i < test.targets.size(); ++i) test.targets[i] = i % 3 == 0;
  StatusOr<EvaluationReport> report = EvaluateOutputs(test, nullptr, EvaluationOptions());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->has_cluster_coherence);
  EXPECT_NE(report->cluster_note.find("2 distinct"), std::string::npos);
  EXPECT_NE(ToMarkdown(*report).find(report->cluster_note), std::string::npos);
  EXPECT_TRUE(nlohmann::json::parse(ToJson(*report))["cluster_coherence"].is_null());
}

TEST(EvaluateOutputs, RejectsInconsistentOutputs) {
  ModelOutputs test = Perfect(6);
  test.scores.pop_back();
  EXPECT_FALSE(EvaluateOutputs(test, nullptr, EvaluationOptions()).ok());
  ModelOutputs no_embeddings = Perfect(6);
  no_embeddings.embeddings.clear();
  EXPECT_FALSE(EvaluateOutputs(no_embeddings, nullptr, EvaluationOptions()).ok());
  EvaluationOptions off;
  off.cluster_coherence = false;
  EXPECT_TRUE(EvaluateOutputs(no_embeddings, nullptr, off).ok());
}

TEST(EvaluateBundle, NumbersAreTheMetricsOfTheModelOutputs) {
  TempDir dir;
  const std::string bundle = dir.File("tiny.mosaic");
  ASSERT_TRUE(WriteInitializedBundle(bundle, TinyManifest(), 21).ok());
  testing::TinyDatasetSpec spec;
  spec.num_samples = 30;
  auto dataset = testing::TinyDataset(spec);

  EvalRequest request;
  request.bundle_path = bundle;
  request.dataset = dataset;
  request.options.run.batch_size = 4;
  StatusOr<EvaluationReport> report = EvaluateBundle(request);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->model_name, "tiny-test-model");
  EXPECT_EQ(report->validation_split, "validation");
  EXPECT_EQ(report->head, "fused");
  EXPECT_EQ(report->embedding, "fused");

  const std::vector<size_t> test_idx = data::IndicesOfSplit(*dataset, "test");
  const std::vector<size_t> val_idx = data::IndicesOfSplit(*dataset, "validation");
  StatusOr<ModelOutputs> test = RunModelOnDataset(bundle, dataset, test_idx);
  StatusOr<ModelOutputs> val = RunModelOnDataset(bundle, dataset, val_idx);
  ASSERT_TRUE(test.ok() && val.ok());
  const size_t n = test_idx.size();
  metrics::MatrixView scores(test->scores, n, 3), targets(test->targets, n, 3);
  StatusOr<metrics::AveragePrecisionResult> ap = metrics::ComputeAveragePrecision(scores, targets);
  StatusOr<metrics::F1Result> f1 = metrics::ComputeF1(scores, targets, 0.5);
  StatusOr<metrics::TunedThresholds> tuned =
      metrics::TuneThresholds(metrics::MatrixView(val->scores, val_idx.size(), 3),
                              metrics::MatrixView(val->targets, val_idx.size(), 3));
  ASSERT_TRUE(ap.ok() && f1.ok() && tuned.ok());
  StatusOr<metrics::F1Result> f1_tuned = metrics::ComputeF1(scores, targets, tuned->thresholds);
  ASSERT_TRUE(f1_tuned.ok());

  const metrics::ClassificationReport& c = report->classification;
  EXPECT_EQ(c.num_samples, static_cast<int64_t>(n));
  EXPECT_EQ(c.num_validation_samples, static_cast<int64_t>(val_idx.size()));
  EXPECT_DOUBLE_EQ(c.map_macro, ap->macro);
  EXPECT_DOUBLE_EQ(c.map_micro, ap->micro);
  EXPECT_DOUBLE_EQ(c.f1_macro_at_default, f1->macro_f1);
  EXPECT_DOUBLE_EQ(c.f1_micro_at_default, f1->micro_f1);
  EXPECT_DOUBLE_EQ(c.f1_macro_at_tuned, f1_tuned->macro_f1);
  for (size_t k = 0; k < 3; ++k) {
    if (!std::isnan(ap->per_class[k])) {
      EXPECT_DOUBLE_EQ(c.classes[k].average_precision, ap->per_class[k]);
    }
    EXPECT_DOUBLE_EQ(c.classes[k].tuned_threshold, tuned->thresholds[k]);
  }

  const nlohmann::json json = nlohmann::json::parse(ToJson(*report));
  EXPECT_EQ(json["model"]["name"], "tiny-test-model");
  EXPECT_EQ(json["classification"]["classes"].size(), 3u);
  EXPECT_EQ(json["head"], "fused");
  const std::string md = ToMarkdown(*report);
  EXPECT_NE(md.find("# Evaluation of `tiny-test-model`"), std::string::npos);
  EXPECT_NE(md.find("## Cluster coherence"), std::string::npos);
  EXPECT_NE(md.find("| Coniferous forest |"), std::string::npos);
}

TEST(EvaluateBundle, MissingValidationSplitIsStated) {
  TempDir dir;
  const std::string bundle = dir.File("tiny.mosaic");
  ASSERT_TRUE(WriteInitializedBundle(bundle, TinyManifest(), 21).ok());
  EvalRequest request;
  request.bundle_path = bundle;
  request.dataset = testing::TinyDataset();
  request.options.validation_split = "val";  // no such split
  StatusOr<EvaluationReport> report = EvaluateBundle(request);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->validation_split, "");
  EXPECT_NE(report->threshold_note.find("'val' has no sample"), std::string::npos);
  EXPECT_NE(ToMarkdown(*report).find("thresholds not tuned"), std::string::npos);

  request.options.test_split = "nope";
  StatusOr<EvaluationReport> none = EvaluateBundle(request);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("'nope'"), std::string::npos);
}

}  // namespace
}  // namespace mosaic::eval
