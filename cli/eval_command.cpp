// mosaic eval BUNDLE DATASET: multi-label classification quality (AP, mAP,
// F1 at 0.5 and at thresholds tuned on a validation split), embedding quality
// (kNN and retrieval mAP against a labelled reference split) and cluster
// coherence of the embeddings, as JSON and/or Markdown.
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "dataset_args.h"
#include "mosaic/atomic_file.h"
#include "mosaic/bundle_format.h"
#include "mosaic/eval/evaluate.h"
#include "mosaic/geo/datasets.h"

namespace mosaic::cli {
namespace {

struct EvalArgs {
  std::string bundle;
  std::string dataset;
  std::string split = "test";
  std::string val_split = "validation";
  std::string head = "auto";
  std::string embedding = "auto";
  std::string features = "encoder";
  int64_t knn_k = 10;
  std::string knn_split = "train";
  int64_t retrieval_top_k = 0;
  std::string device = "cpu";
  int64_t batch_size = 64;
  int workers = 2;
  uint64_t seed = 0;
  size_t silhouette_samples = 2000;
  bool no_clusters = false;
  std::string json_path;
  std::string markdown_path;
  bool overwrite = false;
};

int RunEval(const EvalArgs& args) {
  for (const auto& [option, path] : {std::pair<std::string, std::string>{"--json", args.json_path},
                                     {"--markdown", args.markdown_path}}) {
    Status s = CheckOutput(option, path, args.overwrite);
    if (!s.ok()) return ReportError("eval", s);
  }
  eval::EvalRequest request;
  request.bundle_path = args.bundle;
  eval::EvaluationOptions& o = request.options;
  o.test_split = args.split;
  o.validation_split = args.val_split;
  o.kmeans_seed = args.seed;
  o.silhouette_max_samples = args.silhouette_samples;
  o.cluster_coherence = !args.no_clusters;
  StatusOr<HeadChoice> head = ParseHeadChoice(args.head);
  if (!head.ok()) return ReportError("eval", head.status().WithContext("--head"));
  o.run.head = *head;
  StatusOr<eval::EmbeddingChoice> embedding = eval::ParseEmbeddingChoice(args.embedding);
  if (!embedding.ok()) return ReportError("eval", embedding.status().WithContext("--embedding"));
  o.run.embedding = *embedding;
  StatusOr<eval::FeatureSource> features = eval::ParseFeatureSource(args.features);
  if (!features.ok()) return ReportError("eval", features.status().WithContext("--features"));
  o.features = *features;
  if (args.knn_k < 1) {
    return ReportError("eval", Status::InvalidArgument("--knn-k: expected >= 1, got " +
                                                       std::to_string(args.knn_k)));
  }
  if (args.retrieval_top_k < 0) {
    return ReportError("eval", Status::InvalidArgument(
                                   "--retrieval-top-k: expected >= 0 (0 = full ranking), got " +
                                   std::to_string(args.retrieval_top_k)));
  }
  o.knn_reference_split = args.knn_split;
  o.knn_k = args.knn_k;
  o.retrieval_top_k = args.retrieval_top_k;
  if (args.batch_size < 1) {
    return ReportError("eval", Status::InvalidArgument("--batch-size: expected >= 1, got " +
                                                       std::to_string(args.batch_size)));
  }
  o.run.batch_size = args.batch_size;
  o.run.num_workers = args.workers;
  o.run.device = args.device;

  StatusOr<std::shared_ptr<const data::PatchDataset>> dataset =
      OpenDatasetForModel(args.bundle, args.dataset);
  if (!dataset.ok()) return ReportError("eval", dataset.status());
  request.dataset = *dataset;

  StatusOr<eval::EvaluationReport> report = eval::EvaluateBundle(request);
  if (!report.ok()) return ReportError("eval", report.status());
  const std::string markdown = eval::ToMarkdown(*report);
  if (!args.json_path.empty()) {
    Status s = WriteText(args.json_path, eval::ToJson(*report) + "\n");
    if (!s.ok()) return ReportError("eval", s.WithContext("--json"));
  }
  if (!args.markdown_path.empty()) {
    Status s = WriteText(args.markdown_path, markdown);
    if (!s.ok()) return ReportError("eval", s.WithContext("--markdown"));
  }
  if (args.markdown_path.empty()) std::cout << markdown;
  return 0;
}

}  // namespace

void RegisterEvalCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "eval",
      "Evaluate a model bundle on a labelled dataset (mAP, F1, kNN/retrieval mAP, cluster "
      "coherence)");
  cmd->add_option("bundle", a->bundle, "Model bundle (.mosaic)")->required();
  cmd->add_option("dataset", a->dataset,
                  "Dataset: [bigearthnet-v1|bigearthnet-v2|sen12ms|csv:]PATH")
      ->required();
  cmd->add_option("--split", a->split, "Split to evaluate (\"\" = all patches)")
      ->capture_default_str();
  cmd->add_option("--val-split", a->val_split,
                  "Split to tune per-class thresholds on (\"\" = no tuning)")
      ->capture_default_str();
  cmd->add_option("--head", a->head, "Classification head: auto|fused|s1|s2")
      ->capture_default_str();
  cmd->add_option("--embedding", a->embedding,
                  "Modalities of the embedding-quality and cluster features: auto|fused|s1|s2")
      ->capture_default_str();
  cmd->add_option("--features", a->features,
                  "Features for embedding quality and clusters: encoder (pooled encoder "
                  "outputs, comparable across methods) or projection (projection heads)")
      ->capture_default_str();
  cmd->add_option("--knn-split", a->knn_split,
                  "Labelled reference split for kNN and retrieval mAP (\"\" = off)")
      ->capture_default_str();
  cmd->add_option("--knn-k", a->knn_k, "Neighbours of the kNN label scores")->capture_default_str();
  cmd->add_option("--retrieval-top-k", a->retrieval_top_k,
                  "Ranks of the retrieval AP (0 = full ranking)")
      ->capture_default_str();
  cmd->add_option("--device", a->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--batch-size", a->batch_size, "Patches per forward pass")->capture_default_str();
  cmd->add_option("--workers", a->workers, "Reader threads")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed of k-means and the silhouette subset")
      ->capture_default_str();
  cmd->add_option("--silhouette-samples", a->silhouette_samples,
                  "At most this many samples for the silhouette (0 = all)")
      ->capture_default_str();
  cmd->add_flag("--no-clusters", a->no_clusters, "Skip the cluster coherence of the features");
  cmd->add_option("--json", a->json_path, "Write the report as JSON to this file");
  cmd->add_option("--markdown", a->markdown_path,
                  "Write the report as Markdown to this file (default: stdout)");
  cmd->add_flag("--overwrite", a->overwrite, "Replace existing output files");
  cmd->callback([a, exit_code] { *exit_code = RunEval(*a); });
}

}  // namespace mosaic::cli
