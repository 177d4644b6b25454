#include "mosaic/eval/evaluate.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "eval_test_util.h"
#include "mosaic/metrics/average_precision.h"
#include "mosaic/metrics/f1.h"
#include "mosaic/metrics/knn.h"
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

TEST(EvaluateOutputs, EmbeddingQualityIsTheKnnAndRetrievalMapAgainstTheReference) {
  const ModelOutputs test = Perfect(30);
  // References: the same class geometry, but every third one carries a second
  // label, so the numbers are not trivially 1.
  ModelOutputs reference = Perfect(12);
  for (int64_t i = 0; i < 12; i += 3) reference.targets[static_cast<size_t>(i) * 3 + 2] = 1;
  EvaluationOptions options;
  options.knn_reference_split = "train";
  options.knn_k = 3;
  options.retrieval_top_k = 5;
  StatusOr<EvaluationReport> report = EvaluateOutputs(test, nullptr, options, &reference);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->has_embedding_quality) << report->embedding_quality_note;

  const metrics::MatrixView query(test.embeddings, 30, 4), query_targets(test.targets, 30, 3);
  const metrics::MatrixView refs(reference.embeddings, 12, 4),
      ref_targets(reference.targets, 12, 3);
  StatusOr<metrics::AveragePrecisionResult> knn =
      metrics::KnnAveragePrecision(query, query_targets, refs, ref_targets, 3);
  StatusOr<metrics::RetrievalResult> retrieval =
      metrics::RetrievalMeanAveragePrecision(query, query_targets, refs, ref_targets, 5);
  ASSERT_TRUE(knn.ok() && retrieval.ok());
  const EmbeddingQuality& q = report->embedding_quality;
  EXPECT_DOUBLE_EQ(q.knn_map_macro, knn->macro);
  EXPECT_DOUBLE_EQ(q.knn_map_micro, knn->micro);
  EXPECT_LT(q.knn_map_micro, 1.0);  // the extra labels cost precision
  EXPECT_DOUBLE_EQ(q.retrieval_map, retrieval->mean_average_precision);
  EXPECT_EQ(q.retrieval_queries, retrieval->num_queries);
  EXPECT_EQ(q.retrieval_queries + q.retrieval_skipped_queries, 30);
  EXPECT_EQ(q.knn_k, 3);
  EXPECT_EQ(q.retrieval_top_k, 5);
  EXPECT_EQ(q.reference_split, "train");
  EXPECT_EQ(q.reference_size, 12);
  EXPECT_EQ(q.features, "projection");  // what Perfect() says it holds
  EXPECT_EQ(q.embedding, "fused");

  const nlohmann::json json = nlohmann::json::parse(ToJson(*report));
  const nlohmann::json& section = json["embedding_quality"];
  ASSERT_TRUE(section.is_object());
  for (const char* key : {"knn_map_macro", "knn_map_micro", "knn_k", "retrieval_map",
                          "retrieval_queries", "reference_split", "reference_size", "features"}) {
    EXPECT_TRUE(section.contains(key)) << key;
  }
  EXPECT_DOUBLE_EQ(section["knn_map_macro"].get<double>(), knn->macro);
  EXPECT_EQ(section["reference_size"], 12);
  EXPECT_EQ(section["features"], "projection");
  EXPECT_EQ(json["features"], "projection");
  EXPECT_EQ(json["cluster_coherence"]["features"], "projection");
  const std::string md = ToMarkdown(*report);
  EXPECT_NE(md.find("## Embedding quality"), std::string::npos);
  EXPECT_NE(md.find("| kNN mAP macro (k = 3) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Retrieval mAP (top 5) |"), std::string::npos) << md;
  EXPECT_NE(md.find("split 'train'"), std::string::npos) << md;

  // Without a reference: a note, null in JSON.
  StatusOr<EvaluationReport> none = EvaluateOutputs(test, nullptr, options);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_embedding_quality);
  EXPECT_FALSE(none->embedding_quality_note.empty());
  EXPECT_TRUE(nlohmann::json::parse(ToJson(*none))["embedding_quality"].is_null());

  // Embedding quality alone (no cluster coherence) still needs embeddings.
  EvaluationOptions no_clusters = options;
  no_clusters.cluster_coherence = false;
  StatusOr<EvaluationReport> alone = EvaluateOutputs(test, nullptr, no_clusters, &reference);
  ASSERT_TRUE(alone.ok());
  EXPECT_TRUE(alone->has_embedding_quality);
  EXPECT_FALSE(alone->has_cluster_coherence);
  EXPECT_EQ(alone->embedding, "fused");
}

TEST(EvaluateOutputs, InconsistentReferenceIsInvalidArgument) {
  const ModelOutputs test = Perfect(9);
  EvaluationOptions options;
  ModelOutputs other_dim = Perfect(6);
  other_dim.embedding_dim = 2;
  other_dim.embeddings.resize(12);
  StatusOr<EvaluationReport> r1 = EvaluateOutputs(test, nullptr, options, &other_dim);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.status().code(), StatusCode::kInvalidArgument);
  ModelOutputs encoder = Perfect(6);
  encoder.features = FeatureSource::kEncoder;
  StatusOr<EvaluationReport> r2 = EvaluateOutputs(test, nullptr, options, &encoder);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("encoder"), std::string::npos) << r2.status().message();
  ModelOutputs no_embeddings = Perfect(6);
  no_embeddings.embeddings.clear();
  EXPECT_FALSE(EvaluateOutputs(test, nullptr, options, &no_embeddings).ok());
  const ModelOutputs reference = Perfect(6);
  options.knn_k = 0;
  StatusOr<EvaluationReport> r3 = EvaluateOutputs(test, nullptr, options, &reference);
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.status().message().find("knn_k"), std::string::npos);
}

TEST(EvaluateBundle, EmbeddingQualityUsesEncoderFeaturesOfTheReferenceSplit) {
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
  request.options.knn_k = 3;
  StatusOr<EvaluationReport> report = EvaluateBundle(request);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->has_embedding_quality) << report->embedding_quality_note;
  EXPECT_EQ(report->features, "encoder");

  // The same numbers from the encoder features of the test and train splits.
  const std::vector<size_t> test_idx = data::IndicesOfSplit(*dataset, "test");
  const std::vector<size_t> train_idx = data::IndicesOfSplit(*dataset, "train");
  ModelRunOptions run;
  run.features = FeatureSource::kEncoder;
  StatusOr<ModelOutputs> test = RunModelOnDataset(bundle, dataset, test_idx, run);
  StatusOr<ModelOutputs> train = RunModelOnDataset(bundle, dataset, train_idx, run);
  ASSERT_TRUE(test.ok() && train.ok());
  const size_t d = static_cast<size_t>(test->embedding_dim);
  const metrics::MatrixView query(test->embeddings, test_idx.size(), d);
  const metrics::MatrixView query_targets(test->targets, test_idx.size(), 3);
  const metrics::MatrixView refs(train->embeddings, train_idx.size(), d);
  const metrics::MatrixView ref_targets(train->targets, train_idx.size(), 3);
  StatusOr<metrics::AveragePrecisionResult> knn =
      metrics::KnnAveragePrecision(query, query_targets, refs, ref_targets, 3);
  StatusOr<metrics::RetrievalResult> retrieval =
      metrics::RetrievalMeanAveragePrecision(query, query_targets, refs, ref_targets);
  ASSERT_TRUE(knn.ok() && retrieval.ok());

  const EmbeddingQuality& q = report->embedding_quality;
  EXPECT_EQ(q.features, "encoder");
  EXPECT_EQ(q.embedding, "fused");
  EXPECT_EQ(q.embedding_dim, test->embedding_dim);
  EXPECT_EQ(report->embedding_dim, test->embedding_dim);
  EXPECT_EQ(q.reference_split, "train");
  EXPECT_EQ(q.reference_size, static_cast<int64_t>(train_idx.size()));
  EXPECT_NEAR(q.knn_map_macro, knn->macro, 1e-9);
  EXPECT_NEAR(q.knn_map_micro, knn->micro, 1e-9);
  EXPECT_NEAR(q.retrieval_map, retrieval->mean_average_precision, 1e-9);
  EXPECT_EQ(q.retrieval_queries, retrieval->num_queries);

  // The cluster coherence uses the same encoder features.
  ASSERT_TRUE(report->has_cluster_coherence) << report->cluster_note;
  const nlohmann::json json = nlohmann::json::parse(ToJson(*report));
  EXPECT_EQ(json["cluster_coherence"]["features"], "encoder");
  EXPECT_EQ(json["embedding_quality"]["reference_split"], "train");
  EXPECT_NE(ToMarkdown(*report).find("Encoder features"), std::string::npos);

  // Projection embeddings on request.
  request.options.features = FeatureSource::kProjection;
  StatusOr<EvaluationReport> projection = EvaluateBundle(request);
  ASSERT_TRUE(projection.ok()) << projection.status().ToString();
  EXPECT_EQ(projection->features, "projection");
  EXPECT_EQ(projection->embedding_quality.features, "projection");
  EXPECT_EQ(projection->embedding_dim, 2 * TinyManifest().projection_dim);
}

TEST(EvaluateBundle, EmbeddingQualityOffEmptyOrOverlappingReferenceIsANote) {
  TempDir dir;
  const std::string bundle = dir.File("tiny.mosaic");
  ASSERT_TRUE(WriteInitializedBundle(bundle, TinyManifest(), 21).ok());
  EvalRequest request;
  request.bundle_path = bundle;
  request.dataset = testing::TinyDataset();

  request.options.knn_reference_split = "";
  StatusOr<EvaluationReport> off = EvaluateBundle(request);
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(off->has_embedding_quality);
  EXPECT_NE(off->embedding_quality_note.find("no reference split"), std::string::npos);
  EXPECT_NE(ToMarkdown(*off).find(off->embedding_quality_note), std::string::npos);

  request.options.knn_reference_split = "nope";
  StatusOr<EvaluationReport> empty = EvaluateBundle(request);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_FALSE(empty->has_embedding_quality);
  EXPECT_NE(empty->embedding_quality_note.find("'nope' has no sample"), std::string::npos);

  // Evaluating every sample: the train references would be queries too.
  request.options.knn_reference_split = "train";
  request.options.test_split = "";
  StatusOr<EvaluationReport> overlap = EvaluateBundle(request);
  ASSERT_TRUE(overlap.ok()) << overlap.status().ToString();
  EXPECT_FALSE(overlap->has_embedding_quality);
  EXPECT_NE(overlap->embedding_quality_note.find("shares"), std::string::npos);

  request.options.test_split = "test";
  request.options.knn_k = 0;
  EXPECT_FALSE(EvaluateBundle(request).ok());
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
