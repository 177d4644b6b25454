// mosaic embed BUNDLE DATASET --out emb.npy|emb.csv [--plot emb.png]:
// per-sample embeddings for use outside MoSAiC, and a 2-D PCA plot coloured
// by dominant label (with a .legend.txt sidecar naming the colours).
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "dataset_args.h"
#include "mosaic/atomic_file.h"
#include "mosaic/bundle_format.h"
#include "mosaic/eval/embedding_io.h"
#include "mosaic/eval/model_outputs.h"
#include "mosaic/eval/pca.h"
#include "mosaic/eval/scatter_plot.h"
#include "mosaic/geo/datasets.h"
#include "mosaic/geo/png_writer.h"
#include "mosaic/metrics/dominant_label.h"

namespace mosaic::cli {
namespace {

struct EmbedArgs {
  std::string bundle;
  std::string dataset;
  std::string out;
  std::string plot;
  std::string split;
  std::string embedding = "auto";
  std::string device = "cpu";
  int64_t batch_size = 64;
  int workers = 2;
  int64_t plot_size = 800;
  bool overwrite = false;
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int RunEmbed(const EmbedArgs& args) {
  const bool npy = EndsWith(args.out, ".npy"), csv = EndsWith(args.out, ".csv");
  if (!npy && !csv) {
    return ReportError("embed", Status::InvalidArgument("--out " + args.out +
                                                        ": expected a .npy or .csv file name"));
  }
  if (!args.plot.empty() && !EndsWith(args.plot, ".png")) {
    return ReportError(
        "embed", Status::InvalidArgument("--plot " + args.plot + ": expected a .png file name"));
  }
  const std::string legend = args.plot.empty() ? "" : args.plot + ".legend.txt";
  for (const auto& [option, path] : {std::pair<std::string, std::string>{"--out", args.out},
                                     {"--plot", args.plot},
                                     {"--plot (legend)", legend}}) {
    Status s = CheckOutput(option, path, args.overwrite);
    if (!s.ok()) return ReportError("embed", s);
  }
  if (args.batch_size < 1) {
    return ReportError("embed", Status::InvalidArgument("--batch-size: expected >= 1, got " +
                                                        std::to_string(args.batch_size)));
  }
  eval::ModelRunOptions options;
  StatusOr<eval::EmbeddingChoice> embedding = eval::ParseEmbeddingChoice(args.embedding);
  if (!embedding.ok()) return ReportError("embed", embedding.status().WithContext("--embedding"));
  options.embedding = *embedding;
  options.batch_size = args.batch_size;
  options.num_workers = args.workers;
  options.device = args.device;

  StatusOr<std::shared_ptr<const data::PatchDataset>> dataset =
      OpenDatasetForModel(args.bundle, args.dataset);
  if (!dataset.ok()) return ReportError("embed", dataset.status());
  // The head must exist for the run; pick the one matching the embedding.
  if (*embedding == eval::EmbeddingChoice::kS1) options.head = HeadChoice::kS1;
  if (*embedding == eval::EmbeddingChoice::kS2) options.head = HeadChoice::kS2;
  const std::vector<size_t> indices = data::IndicesOfSplit(**dataset, args.split);
  if (indices.empty()) {
    return ReportError("embed",
                       Status::InvalidArgument((*dataset)->description() + ": no patch in split '" +
                                               args.split + "' (--split)"));
  }
  StatusOr<eval::ModelOutputs> out =
      eval::RunModelOnDataset(args.bundle, *dataset, indices, options);
  if (!out.ok()) return ReportError("embed", out.status());

  StatusOr<std::vector<int>> labels = metrics::DominantLabels(metrics::MatrixView(
      out->targets, static_cast<size_t>(out->num_samples), static_cast<size_t>(out->num_classes)));
  if (!labels.ok()) return ReportError("embed", labels.status());

  Status written;
  if (npy) {
    written =
        eval::WriteNpyFloat32(args.out, out->embeddings, out->num_samples, out->embedding_dim);
  } else {
    std::vector<std::string> names;
    for (int label : *labels) {
      names.push_back(label < 0 ? "" : out->class_names[static_cast<size_t>(label)]);
    }
    written =
        eval::WriteEmbeddingsCsv(args.out, out->ids, names, out->embeddings, out->embedding_dim);
  }
  if (!written.ok()) return ReportError("embed", written.WithContext("--out"));
  std::cout << "wrote " << out->num_samples << " x " << out->embedding_dim << " "
            << eval::EmbeddingChoiceName(out->embedding) << " embeddings to " << args.out << "\n";

  if (!args.plot.empty()) {
    StatusOr<eval::Pca2d> pca = eval::ProjectPca2d(
        metrics::MatrixView(out->embeddings, static_cast<size_t>(out->num_samples),
                            static_cast<size_t>(out->embedding_dim)));
    if (!pca.ok()) return ReportError("embed", pca.status().WithContext("--plot"));
    eval::ScatterPlotOptions plot_options;
    plot_options.width_px = plot_options.height_px = args.plot_size;
    StatusOr<eval::RgbImage> image = eval::RenderScatterPlot(
        pca->projected, *labels, static_cast<int>(out->num_classes), plot_options);
    if (!image.ok()) return ReportError("embed", image.status().WithContext("--plot"));
    Status s = geo::WriteRgbPng(args.plot, image->width, image->height, image->pixels.data());
    if (!s.ok()) return ReportError("embed", s.WithContext("--plot"));
    s = WriteText(legend, eval::LegendText(args.plot, out->class_names, *labels));
    if (!s.ok()) return ReportError("embed", s.WithContext("--plot legend"));
    const double explained =
        pca->total_variance > 0
            ? (pca->explained_variance[0] + pca->explained_variance[1]) / pca->total_variance
            : 0.0;
    std::cout << "wrote PCA plot " << args.plot << " (" << static_cast<int>(explained * 100 + 0.5)
              << "% of the variance in 2 components; legend in " << legend << ")\n";
  }
  return 0;
}

}  // namespace

void RegisterEmbedCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<EmbedArgs>();
  CLI::App* cmd = app.add_subcommand(
      "embed", "Write per-patch embeddings (.npy or .csv) and a 2-D PCA plot (.png)");
  cmd->add_option("bundle", a->bundle, "Model bundle (.mosaic)")->required();
  cmd->add_option("dataset", a->dataset,
                  "Dataset: [bigearthnet-v1|bigearthnet-v2|sen12ms|csv:]PATH")
      ->required();
  cmd->add_option("--out", a->out, "Embeddings file: .npy (float32, N x D) or .csv")->required();
  cmd->add_option("--plot", a->plot, "PCA scatter plot (.png) coloured by dominant label");
  cmd->add_option("--plot-size", a->plot_size, "Plot side in pixels")->capture_default_str();
  cmd->add_option("--split", a->split, "Only this split (default: all patches)");
  cmd->add_option("--embedding", a->embedding,
                  "auto|fused|s1|s2 (fused = [s1, s2] / sqrt(2), unit norm)")
      ->capture_default_str();
  cmd->add_option("--device", a->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--batch-size", a->batch_size, "Patches per forward pass")->capture_default_str();
  cmd->add_option("--workers", a->workers, "Reader threads")->capture_default_str();
  cmd->add_flag("--overwrite", a->overwrite, "Replace existing output files");
  cmd->callback([a, exit_code] { *exit_code = RunEmbed(*a); });
}

}  // namespace mosaic::cli
