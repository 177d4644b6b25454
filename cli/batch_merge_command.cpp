// mosaic batch-merge: joins the shard reports of one or more `mosaic batch`
// output folders into one scene labels table (CSV + JSON).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "mosaic/geo/batch.h"

namespace mosaic::cli {
namespace {

namespace fs = std::filesystem;
constexpr const char* kCommand = "batch-merge";

struct MergeArgs {
  std::vector<std::string> dirs;
  std::string prefix;
  bool strict = false;
  bool quiet = false;
};

int RunMerge(const MergeArgs& a) {
  std::vector<geo::BatchLabelsEntry> entries;
  // Completeness per shard count: which shards reported all their scenes.
  std::map<int64_t, std::map<int64_t, bool>> complete;
  int64_t reports = 0;
  for (const std::string& dir : a.dirs) {
    const fs::path folder = fs::path(dir) / "reports";
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("shard-", 0) == 0 && entry.path().extension() == ".json") {
        files.push_back(entry.path());
      }
    }
    if (ec) {
      return ReportError(kCommand, Status::NotFound(dir + ": no reports/ folder (not a "
                                                          "`mosaic batch` output folder?)"));
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      StatusOr<geo::BatchReport> report = geo::ReadBatchReport(file.string());
      if (!report.ok()) return ReportError(kCommand, report.status());
      ++reports;
      bool& ok = complete[report->shard.count][report->shard.index];
      ok = ok || static_cast<int64_t>(report->scenes.size()) == report->scenes_in_shard;
      for (const auto& r : report->scenes) entries.push_back({dir, r});
    }
  }
  if (reports == 0) return ReportError(kCommand, Status::NotFound("no shard reports found"));

  // A set of shards is complete when every shard 0..N-1 reported every scene;
  // an unsharded run (N = 1) is one such set.
  bool any_complete = false;
  std::vector<std::string> warnings;
  for (const auto& [count, shards] : complete) {
    int64_t finished = 0;
    for (const auto& [index, ok] : shards) finished += ok ? 1 : 0;
    if (finished == count) {
      any_complete = true;
    } else {
      warnings.push_back(std::to_string(finished) + " of " + std::to_string(count) +
                         " shards finished");
    }
  }
  if (!any_complete) warnings.push_back("no complete set of shards: the table is partial");

  const std::string prefix =
      a.prefix.empty() ? (fs::path(a.dirs.front()) / "labels").string() : a.prefix;
  Status written = geo::WriteBatchLabels(entries, prefix + ".csv", prefix + ".json");
  if (!written.ok()) return ReportError(kCommand, written);

  std::map<std::string, bool> ok_by_id;
  for (const auto& e : entries) ok_by_id[e.record.id] |= e.record.status != "failed";
  int64_t failed = 0;
  for (const auto& [id, ok] : ok_by_id) failed += ok ? 0 : 1;
  if (!a.quiet) {
    std::cout << "merged " << reports << " report(s): " << ok_by_id.size() << " scenes, " << failed
              << " failed\n";
    std::cout << "labels: " << prefix << ".csv, " << prefix << ".json\n";
  }
  if (any_complete) warnings.clear();
  for (const auto& w : warnings) std::cerr << "mosaic batch-merge: warning: " << w << std::endl;
  if (a.strict && (failed > 0 || !any_complete)) return 1;
  return 0;
}

}  // namespace

void RegisterBatchMergeCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<MergeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "batch-merge",
      "Merge the shard reports and scene summaries of `mosaic batch` output folders into one "
      "labels table (CSV + JSON)");
  cmd->add_option("dirs", a->dirs, "Output folders of `mosaic batch`")->required();
  cmd->add_option("-o,--output", a->prefix,
                  "Table path without extension (default: <first folder>/labels)");
  cmd->add_flag("--strict", a->strict, "Exit 1 when a scene failed or a shard has not finished");
  cmd->add_flag("-q,--quiet", a->quiet, "Only errors");
  cmd->callback([a, exit_code] { *exit_code = RunMerge(*a); });
}

}  // namespace mosaic::cli
