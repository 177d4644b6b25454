// mosaic init: create a freshly initialised (untrained) model bundle.
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "commands.h"
#include "mosaic/bands.h"
#include "mosaic/label_sets.h"
#include "mosaic/manifest.h"
#include "mosaic/model_factory.h"
#include "mosaic/version.h"

namespace mosaic::cli {
namespace {

struct InitArgs {
  std::string out;
  std::string name = "mosaic-untrained";
  std::string description;
  std::string s1_encoder = "resnet18";
  std::string s2_encoder = "resnet18";
  std::string s1_bands = "s1";
  std::string s2_bands = "s2-all";
  std::string classes = "bigearthnet19";
  int64_t patch_size_px = 120;
  int64_t projection_dim = 128;
  int64_t projection_hidden_dim = 512;
  int64_t small_cnn_width = 32;
  uint64_t seed = 0;
  bool overwrite = false;
};

// "none" disables a modality; anything else is an encoder name.
Status FillModality(const std::string& encoder, const std::string& band_spec, Modality modality,
                    ModalitySpec* spec) {
  if (encoder == "none") return Status::OK();
  spec->encoder = encoder;
  StatusOr<std::vector<std::string>> bands = ResolveBands(band_spec, modality);
  if (!bands.ok()) {
    return bands.status().WithContext(std::string("--") + ModalityName(modality) + "-bands");
  }
  spec->bands = *bands;
  spec->normalization = DefaultNormalization(spec->bands);
  return Status::OK();
}

int RunInit(const InitArgs& args) {
  std::error_code ec;
  if (std::filesystem::exists(args.out, ec) && !args.overwrite) {
    return ReportError("init", Status::InvalidArgument("output '" + args.out +
                                                       "' exists; pass --overwrite to replace it"));
  }
  ModelManifest m;
  m.name = args.name;
  m.description = args.description.empty()
                      ? "Randomly initialised MoSAiC dual-stream model (untrained)"
                      : args.description;
  Status status = FillModality(args.s1_encoder, args.s1_bands, Modality::kS1, &m.s1);
  if (status.ok()) status = FillModality(args.s2_encoder, args.s2_bands, Modality::kS2, &m.s2);
  if (!status.ok()) return ReportError("init", status);

  StatusOr<std::vector<std::string>> classes = LabelSet(args.classes);
  if (classes.ok()) {
    m.class_names = *classes;
  } else {
    // Not a named set: a comma-separated list of class names.
    std::stringstream in(args.classes);
    std::string item;
    while (std::getline(in, item, ',')) m.class_names.push_back(item);
  }
  m.patch_size_px = args.patch_size_px;
  m.projection_dim = args.projection_dim;
  m.projection_hidden_dim = args.projection_hidden_dim;
  m.small_cnn_width = args.small_cnn_width;
  m.training_json = nlohmann::json{{"state", "untrained"}, {"init_seed", args.seed}}.dump();
  m.provenance_json = nlohmann::json{
      {"created_by", "mosaic init"},
      {"mosaic_version", MOSAIC_VERSION_STRING},
      {"created_utc", UtcTimestamp()},
      {"seed", args.seed}}.dump();
  status = ValidateManifest(m);
  if (!status.ok()) return ReportError("init", status);
  status = WriteInitializedBundle(args.out, m, args.seed);
  if (!status.ok()) return ReportError("init", status);
  std::cout << "wrote " << args.out << " (" << m.name << ", " << m.class_names.size() << " classes)"
            << std::endl;
  return 0;
}

}  // namespace

void RegisterInitCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<InitArgs>();
  CLI::App* cmd = app.add_subcommand("init", "Create a randomly initialised model bundle");
  cmd->add_option("-o,--out", a->out, "Output bundle path")->required();
  cmd->add_option("--name", a->name, "Model name stored in the manifest")->capture_default_str();
  cmd->add_option("--description", a->description, "Free-text description");
  cmd->add_option("--s1-encoder", a->s1_encoder,
                  "Sentinel-1 encoder: resnet18|resnet34|resnet50|small_cnn|none")
      ->capture_default_str();
  cmd->add_option("--s2-encoder", a->s2_encoder,
                  "Sentinel-2 encoder: resnet18|resnet34|resnet50|small_cnn|none")
      ->capture_default_str();
  cmd->add_option("--s1-bands", a->s1_bands, "Sentinel-1 band set or comma-separated bands")
      ->capture_default_str();
  cmd->add_option("--s2-bands", a->s2_bands,
                  "Sentinel-2 band set (s2-all, s2-10, s2-10m, s2-rgb) or comma-separated bands")
      ->capture_default_str();
  cmd->add_option("--classes", a->classes,
                  "Label set (bigearthnet19, sen12ms-igbp10) or comma-separated class names")
      ->capture_default_str();
  cmd->add_option("--patch-size", a->patch_size_px, "Patch side in pixels")->capture_default_str();
  cmd->add_option("--projection-dim", a->projection_dim, "Contrastive embedding size")
      ->capture_default_str();
  cmd->add_option("--projection-hidden-dim", a->projection_hidden_dim,
                  "Hidden width of the projection MLP")
      ->capture_default_str();
  cmd->add_option("--small-cnn-width", a->small_cnn_width, "Base width of small_cnn encoders")
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "Initialisation seed")->capture_default_str();
  cmd->add_flag("--overwrite", a->overwrite, "Replace an existing output file");
  cmd->callback([a, exit_code] { *exit_code = RunInit(*a); });
}

}  // namespace mosaic::cli
