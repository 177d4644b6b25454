// mosaic info BUNDLE: describe a model bundle.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "commands.h"
#include "mosaic/bundle_format.h"
#include "mosaic/manifest.h"
#include "mosaic/model_factory.h"
#include "mosaic/patch_classifier.h"

namespace mosaic::cli {
namespace {

struct InfoArgs {
  std::string bundle;
  bool json = false;
  bool verify = false;
};

int RunInfo(const InfoArgs& args) {
  StatusOr<ModelManifest> manifest = args.verify ? [&]() -> StatusOr<ModelManifest> {
    StatusOr<BundleContents> contents = ReadBundleFile(args.bundle);
    if (!contents.ok()) return contents.status();
    return contents->manifest;
  }()
      : ReadBundleManifest(args.bundle);
  if (!manifest.ok()) return ReportError("info", manifest.status());
  if (args.verify) {
    // The full load also checks every tensor's name, shape and dtype against
    // the architecture the manifest declares.
    StatusOr<std::unique_ptr<PatchClassifier>> model = PatchClassifier::Open(args.bundle);
    if (!model.ok()) return ReportError("info", model.status());
  }
  StatusOr<int64_t> parameters = CountParameters(*manifest);
  if (!parameters.ok()) return ReportError("info", parameters.status());
  if (args.json) {
    nlohmann::json out = nlohmann::json::parse(ManifestToJson(*manifest));
    out["parameter_count"] = *parameters;
    std::cout << out.dump(2) << std::endl;
  } else {
    std::cout << "Bundle:       " << args.bundle << "\n"
              << DescribeManifest(*manifest) << "Parameters:   " << *parameters << "\n";
    if (args.verify) {
      std::cout << "Checksums:    all tensors verified\n"
                << "Architecture: every tensor matches the declared architecture\n";
    }
  }
  return 0;
}

}  // namespace

void RegisterInfoCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* cmd = app.add_subcommand("info", "Describe a model bundle (manifest, bands, classes)");
  cmd->add_option("bundle", args->bundle, "Model bundle file (.mosaic)")->required();
  cmd->add_flag("--json", args->json, "Print the manifest as JSON");
  cmd->add_flag(
      "--verify", args->verify,
      "Also read every tensor, verify its checksum and check it against the architecture");
  cmd->callback([args, exit_code] { *exit_code = RunInfo(*args); });
}

}  // namespace mosaic::cli
