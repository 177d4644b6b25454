#include "mosaic/metrics/report.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mosaic/metrics/average_precision.h"
#include "mosaic/metrics/f1.h"

namespace mosaic::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A JSON number, or null for NaN / +-Inf (which JSON cannot represent).
nlohmann::json Number(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

// "0.1234", or "n/a" for NaN.
std::string Fixed(double value) {
  if (std::isnan(value)) return "n/a";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.4f", value);
  return buffer;
}

// Markdown table cell text: '|' escaped, line breaks flattened.
std::string Cell(const std::string& text) {
  std::string cell;
  for (char c : text) {
    if (c == '|') {
      cell += "\\|";
    } else if (c == '\n' || c == '\r') {
      cell += ' ';
    } else {
      cell += c;
    }
  }
  return cell;
}

}  // namespace

StatusOr<ClassificationReport> BuildClassificationReport(
    const std::vector<std::string>& class_names, const MatrixView& test_scores,
    const MatrixView& test_targets, const MatrixView& validation_scores,
    const MatrixView& validation_targets, const ReportOptions& options) {
  StatusOr<AveragePrecisionResult> ap = ComputeAveragePrecision(test_scores, test_targets);
  MOSAIC_RETURN_IF_ERROR(ap.status().WithContext("test"));
  const size_t num_classes = test_scores.cols();
  if (class_names.size() != num_classes) {
    return Status::InvalidArgument("class_names: expected one per class (" +
                                   std::to_string(num_classes) + "), got " +
                                   std::to_string(class_names.size()));
  }
  F1Options f1_options;
  f1_options.zero_division = options.zero_division;
  StatusOr<F1Result> at_default =
      ComputeF1(test_scores, test_targets, options.default_threshold, f1_options);
  MOSAIC_RETURN_IF_ERROR(at_default.status().WithContext("test"));

  ClassificationReport report;
  report.num_samples = static_cast<int64_t>(test_scores.rows());
  report.default_threshold = options.default_threshold;
  report.zero_division = options.zero_division;
  report.map_macro = ap->macro;
  report.map_micro = ap->micro;
  report.num_classes_without_positives = ap->num_classes_without_positives;
  report.f1_macro_at_default = at_default->macro_f1;
  report.f1_micro_at_default = at_default->micro_f1;
  report.f1_macro_at_tuned = kNaN;
  report.f1_micro_at_tuned = kNaN;
  report.classes.resize(num_classes);
  for (size_t c = 0; c < num_classes; ++c) {
    ClassReport& row = report.classes[c];
    row.name = class_names[c];
    row.support = ap->support[c];
    row.average_precision = ap->per_class[c];
    row.precision_at_default = at_default->precision[c];
    row.recall_at_default = at_default->recall[c];
    row.f1_at_default = at_default->f1[c];
    row.tuned_threshold = kNaN;
    row.precision_at_tuned = kNaN;
    row.recall_at_tuned = kNaN;
    row.f1_at_tuned = kNaN;
  }

  const bool has_scores = !validation_scores.empty();
  const bool has_targets = !validation_targets.empty();
  if (has_scores != has_targets) {
    return Status::InvalidArgument(
        "validation: give both validation_scores and validation_targets, or neither");
  }
  if (!has_scores) return report;
  if (validation_scores.cols() != num_classes) {
    return Status::InvalidArgument("validation: " + std::to_string(validation_scores.cols()) +
                                   " classes, the test set has " + std::to_string(num_classes));
  }
  ThresholdTuningOptions tuning;
  tuning.fallback_threshold = options.fallback_threshold;
  StatusOr<TunedThresholds> tuned = TuneThresholds(validation_scores, validation_targets, tuning);
  MOSAIC_RETURN_IF_ERROR(tuned.status().WithContext("validation"));
  StatusOr<F1Result> at_tuned = ComputeF1(test_scores, test_targets, tuned->thresholds, f1_options);
  MOSAIC_RETURN_IF_ERROR(at_tuned.status().WithContext("test"));
  report.num_validation_samples = static_cast<int64_t>(validation_scores.rows());
  report.f1_macro_at_tuned = at_tuned->macro_f1;
  report.f1_micro_at_tuned = at_tuned->micro_f1;
  for (size_t c = 0; c < num_classes; ++c) {
    ClassReport& row = report.classes[c];
    row.tuned_threshold = tuned->thresholds[c];
    row.threshold_fell_back = tuned->fell_back[c];
    row.precision_at_tuned = at_tuned->precision[c];
    row.recall_at_tuned = at_tuned->recall[c];
    row.f1_at_tuned = at_tuned->f1[c];
  }
  return report;
}

std::string ToJson(const ClassificationReport& report) {
  nlohmann::json json;
  json["num_samples"] = report.num_samples;
  json["num_validation_samples"] = report.num_validation_samples;
  json["default_threshold"] = Number(report.default_threshold);
  json["zero_division"] = Number(report.zero_division);
  json["map_macro"] = Number(report.map_macro);
  json["map_micro"] = Number(report.map_micro);
  json["num_classes_without_positives"] = report.num_classes_without_positives;
  json["f1_macro_at_default"] = Number(report.f1_macro_at_default);
  json["f1_micro_at_default"] = Number(report.f1_micro_at_default);
  json["f1_macro_at_tuned"] = Number(report.f1_macro_at_tuned);
  json["f1_micro_at_tuned"] = Number(report.f1_micro_at_tuned);
  nlohmann::json classes = nlohmann::json::array();
  for (const ClassReport& row : report.classes) {
    classes.push_back({
        {"name", row.name},
        {"support", row.support},
        {"average_precision", Number(row.average_precision)},
        {"precision_at_default", Number(row.precision_at_default)},
        {"recall_at_default", Number(row.recall_at_default)},
        {"f1_at_default", Number(row.f1_at_default)},
        {"tuned_threshold", Number(row.tuned_threshold)},
        {"threshold_fell_back", row.threshold_fell_back},
        {"precision_at_tuned", Number(row.precision_at_tuned)},
        {"recall_at_tuned", Number(row.recall_at_tuned)},
        {"f1_at_tuned", Number(row.f1_at_tuned)},
    });
  }
  json["classes"] = std::move(classes);
  return json.dump(2);
}

std::string ToMarkdown(const ClassificationReport& report) {
  const std::string t = Fixed(report.default_threshold);
  std::ostringstream out;
  out << "- Test samples: " << report.num_samples << "\n";
  out << "- mAP macro: " << Fixed(report.map_macro) << " (over "
      << report.classes.size() - static_cast<size_t>(report.num_classes_without_positives)
      << " classes with a positive; " << report.num_classes_without_positives
      << " without, left out)\n";
  out << "- mAP micro: " << Fixed(report.map_micro) << "\n";
  out << "- F1 @ " << t << ": macro " << Fixed(report.f1_macro_at_default) << ", micro "
      << Fixed(report.f1_micro_at_default) << "\n";
  if (report.num_validation_samples > 0) {
    out << "- F1 @ tuned thresholds (" << report.num_validation_samples
        << " validation samples): macro " << Fixed(report.f1_macro_at_tuned) << ", micro "
        << Fixed(report.f1_micro_at_tuned) << "\n";
  } else {
    out << "- F1 @ tuned thresholds: n/a (no validation set)\n";
  }
  out << "\n| Class | Support | AP | P@" << t << " | R@" << t << " | F1@" << t
      << " | Tuned threshold | F1@tuned |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const ClassReport& row : report.classes) {
    out << "| " << Cell(row.name) << " | " << row.support << " | " << Fixed(row.average_precision)
        << " | " << Fixed(row.precision_at_default) << " | " << Fixed(row.recall_at_default)
        << " | " << Fixed(row.f1_at_default) << " | " << Fixed(row.tuned_threshold)
        << (row.threshold_fell_back ? " (fallback)" : "") << " | " << Fixed(row.f1_at_tuned)
        << " |\n";
  }
  return out.str();
}

std::string ToJson(const ClusterCoherence& coherence) {
  nlohmann::json json;
  json["num_samples"] = coherence.num_samples;
  json["num_labelled"] = coherence.num_labelled;
  json["num_clusters"] = coherence.num_clusters;
  json["silhouette"] = Number(coherence.silhouette);
  json["kmeans_nmi"] = Number(coherence.kmeans_nmi);
  json["kmeans_ari"] = Number(coherence.kmeans_ari);
  json["kmeans_inertia"] = Number(coherence.kmeans_inertia);
  json["kmeans_converged"] = coherence.kmeans_converged;
  return json.dump(2);
}

std::string ToMarkdown(const ClusterCoherence& coherence) {
  std::ostringstream out;
  out << "| Metric | Value |\n|---|---:|\n";
  out << "| Samples | " << coherence.num_samples << " |\n";
  out << "| Labelled samples | " << coherence.num_labelled << " |\n";
  out << "| Clusters (k) | " << coherence.num_clusters << " |\n";
  out << "| Cosine silhouette | " << Fixed(coherence.silhouette) << " |\n";
  out << "| k-means NMI | " << Fixed(coherence.kmeans_nmi) << " |\n";
  out << "| k-means ARI | " << Fixed(coherence.kmeans_ari) << " |\n";
  out << "| k-means inertia | " << Fixed(coherence.kmeans_inertia) << " |\n";
  out << "| k-means converged | " << (coherence.kmeans_converged ? "yes" : "no") << " |\n";
  return out.str();
}

}  // namespace mosaic::metrics
