#include "mosaic/metrics/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mosaic::metrics {
namespace {

constexpr double kTolerance = 1e-7;  // test scores are float

const std::vector<std::string> kNames = {"Arable land", "Coniferous forest", "Water | sea"};

// Test set: 4 samples x 3 classes (the F1 example of f1_test.cpp).
const std::vector<float> kTestScores = {
    0.9f, 0.2f, 0.6f,  //
    0.4f, 0.7f, 0.1f,  //
    0.6f, 0.5f, 0.3f,  //
    0.3f, 0.1f, 0.2f,  //
};
const std::vector<uint8_t> kTestTargets = {
    1, 0, 0,  //
    1, 1, 0,  //
    0, 0, 0,  //
    0, 0, 0,  //
};
// Validation set: 4 samples x 3 classes.
const std::vector<double> kValidationScores = {
    0.8, 0.9, 0.5,  //
    0.4, 0.8, 0.4,  //
    0.3, 0.7, 0.3,  //
    0.1, 0.6, 0.2,  //
};
const std::vector<double> kValidationTargets = {
    1, 1, 0,  //
    1, 0, 0,  //
    0, 0, 0,  //
    0, 0, 0,  //
};

StatusOr<ClassificationReport> Build(bool with_validation) {
  if (!with_validation) {
    return BuildClassificationReport(kNames, MatrixView(kTestScores, 4, 3),
                                     MatrixView(kTestTargets, 4, 3));
  }
  return BuildClassificationReport(
      kNames, MatrixView(kTestScores, 4, 3), MatrixView(kTestTargets, 4, 3),
      MatrixView(kValidationScores, 4, 3), MatrixView(kValidationTargets, 4, 3));
}

TEST(ClassificationReport, ValuesByHand) {
  StatusOr<ClassificationReport> report = Build(true);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->classes.size(), 3u);
  EXPECT_EQ(report->num_samples, 4);
  EXPECT_EQ(report->num_validation_samples, 4);
  EXPECT_EQ(report->classes[2].name, "Water | sea");
  EXPECT_EQ(report->classes[0].support, 2);
  EXPECT_EQ(report->classes[1].support, 1);
  EXPECT_EQ(report->classes[2].support, 0);

  // AP: class 0 ranked 0.9+ 0.6- 0.4+ 0.3-: 1/2 * 1 + 1/2 * 2/3 = 5/6;
  // class 1's positive has the top score: 1; class 2 has no positive.
  EXPECT_NEAR(report->classes[0].average_precision, 5.0 / 6.0, kTolerance);
  EXPECT_NEAR(report->classes[1].average_precision, 1.0, kTolerance);
  EXPECT_TRUE(std::isnan(report->classes[2].average_precision));
  EXPECT_EQ(report->num_classes_without_positives, 1);
  EXPECT_NEAR(report->map_macro, 11.0 / 12.0, kTolerance);  // (5/6 + 1) / 2
  // Micro over the 12 entries (3 positives): 0.9+ 0.7+ {0.6-, 0.6-} 0.5- 0.4+ ...
  //   1/3 * 1 + 1/3 * 1 + 1/3 * 3/6 = 5/6.
  EXPECT_NEAR(report->map_micro, 5.0 / 6.0, kTolerance);

  // F1 at 0.5 (see f1_test.cpp): 1/2, 2/3, 0; macro 7/18, micro 1/2.
  EXPECT_NEAR(report->classes[0].f1_at_default, 0.5, kTolerance);
  EXPECT_NEAR(report->classes[1].f1_at_default, 2.0 / 3.0, kTolerance);
  EXPECT_EQ(report->classes[2].f1_at_default, 0.0);
  EXPECT_NEAR(report->f1_macro_at_default, 7.0 / 18.0, kTolerance);
  EXPECT_NEAR(report->f1_micro_at_default, 0.5, kTolerance);

  // Tuned on validation: class 0's cut ">= 0.4" gives F1 1 -> threshold 0.35;
  // class 1's cut ">= 0.9" gives F1 1 -> 0.85; class 2 has no validation
  // positive -> the fallback 0.5.
  EXPECT_NEAR(report->classes[0].tuned_threshold, 0.35, 1e-12);
  EXPECT_NEAR(report->classes[1].tuned_threshold, 0.85, 1e-12);
  EXPECT_EQ(report->classes[2].tuned_threshold, 0.5);
  EXPECT_FALSE(report->classes[0].threshold_fell_back);
  EXPECT_TRUE(report->classes[2].threshold_fell_back);
  // On the test set: class 0 at 0.35 predicts rows 0, 1, 2: TP 2, FP 1 -> 4/5;
  // class 1 at 0.85 predicts nothing: F1 0; class 2 as at 0.5: 0.
  EXPECT_NEAR(report->classes[0].f1_at_tuned, 0.8, kTolerance);
  EXPECT_EQ(report->classes[1].f1_at_tuned, 0.0);
  EXPECT_EQ(report->classes[2].f1_at_tuned, 0.0);
  EXPECT_NEAR(report->f1_macro_at_tuned, 0.8 / 3.0, kTolerance);
  // Micro: TP 2, FP 1 + 0 + 1, FN 0 + 1 + 0 -> 4 / (4 + 2 + 1) = 4/7.
  EXPECT_NEAR(report->f1_micro_at_tuned, 4.0 / 7.0, kTolerance);
}

TEST(ClassificationReport, WithoutValidationTunedValuesAreUndefined) {
  StatusOr<ClassificationReport> report = Build(false);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->num_validation_samples, 0);
  EXPECT_TRUE(std::isnan(report->f1_macro_at_tuned));
  EXPECT_TRUE(std::isnan(report->classes[0].tuned_threshold));
  EXPECT_TRUE(std::isnan(report->classes[0].f1_at_tuned));
  nlohmann::json json = nlohmann::json::parse(ToJson(*report));
  EXPECT_TRUE(json["f1_macro_at_tuned"].is_null());
  EXPECT_TRUE(json["classes"][0]["tuned_threshold"].is_null());
  EXPECT_NE(ToMarkdown(*report).find("n/a (no validation set)"), std::string::npos);
}

TEST(ClassificationReport, Json) {
  StatusOr<ClassificationReport> report = Build(true);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  nlohmann::json json = nlohmann::json::parse(ToJson(*report));
  EXPECT_EQ(json["num_samples"], 4);
  EXPECT_EQ(json["num_validation_samples"], 4);
  EXPECT_EQ(json["num_classes_without_positives"], 1);
  EXPECT_NEAR(json["map_macro"].get<double>(), 11.0 / 12.0, kTolerance);
  EXPECT_NEAR(json["f1_micro_at_tuned"].get<double>(), 4.0 / 7.0, kTolerance);
  ASSERT_EQ(json["classes"].size(), 3u);
  EXPECT_EQ(json["classes"][0]["name"], "Arable land");
  EXPECT_EQ(json["classes"][0]["support"], 2);
  EXPECT_NEAR(json["classes"][0]["f1_at_tuned"].get<double>(), 0.8, kTolerance);
  EXPECT_TRUE(json["classes"][2]["average_precision"].is_null());  // NaN
  EXPECT_EQ(json["classes"][2]["threshold_fell_back"], true);
}

TEST(ClassificationReport, Markdown) {
  StatusOr<ClassificationReport> report = Build(true);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const std::string markdown = ToMarkdown(*report);
  EXPECT_NE(markdown.find("| Class | Support | AP | P@0.5000 | R@0.5000 | F1@0.5000 |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| Arable land | 2 | 0.8333 | 0.5000 | 0.5000 | 0.5000 | 0.3500 | "
                          "0.8000 |"),
            std::string::npos)
      << markdown;
  // '|' in a class name is escaped; an undefined AP reads n/a.
  EXPECT_NE(markdown.find("| Water \\| sea | 0 | n/a |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("0.5000 (fallback)"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("- mAP macro: 0.9167 (over 2 classes with a positive; 1 without"),
            std::string::npos)
      << markdown;
}

TEST(ClassificationReport, InvalidInputs) {
  EXPECT_EQ(BuildClassificationReport({"a", "b"}, MatrixView(kTestScores, 4, 3),
                                      MatrixView(kTestTargets, 4, 3))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // Only one of the validation views.
  EXPECT_EQ(BuildClassificationReport(kNames, MatrixView(kTestScores, 4, 3),
                                      MatrixView(kTestTargets, 4, 3),
                                      MatrixView(kValidationScores, 4, 3), MatrixView())
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // A validation set with another number of classes.
  EXPECT_EQ(BuildClassificationReport(
                kNames, MatrixView(kTestScores, 4, 3), MatrixView(kTestTargets, 4, 3),
                MatrixView(kValidationScores, 3, 4), MatrixView(kValidationTargets, 3, 4))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // Errors name the set.
  std::vector<double> nan_validation = kValidationScores;
  nan_validation[0] = std::nan("");
  StatusOr<ClassificationReport> bad = BuildClassificationReport(
      kNames, MatrixView(kTestScores, 4, 3), MatrixView(kTestTargets, 4, 3),
      MatrixView(nan_validation, 4, 3), MatrixView(kValidationTargets, 4, 3));
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("validation: ", 0), 0u) << bad.status().message();
}

TEST(ClusterCoherenceReport, JsonAndMarkdown) {
  ClusterCoherence coherence;
  coherence.num_samples = 10;
  coherence.num_labelled = 8;
  coherence.num_clusters = 3;
  coherence.silhouette = 0.25;
  coherence.kmeans_nmi = 0.5;
  coherence.kmeans_ari = std::nan("");
  coherence.kmeans_converged = true;
  nlohmann::json json = nlohmann::json::parse(ToJson(coherence));
  EXPECT_EQ(json["num_labelled"], 8);
  EXPECT_EQ(json["silhouette"], 0.25);
  EXPECT_TRUE(json["kmeans_ari"].is_null());
  EXPECT_EQ(json["kmeans_converged"], true);
  const std::string markdown = ToMarkdown(coherence);
  EXPECT_NE(markdown.find("| Cosine silhouette | 0.2500 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| k-means ARI | n/a |"), std::string::npos) << markdown;
}

}  // namespace
}  // namespace mosaic::metrics
