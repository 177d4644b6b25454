// Batch scene labelling (`mosaic batch`, `mosaic batch-merge`): the manifest
// of scenes, the shard a process works on, the per-scene output layout with
// its completion marker, the shard reports and the scene labels table.
//
// Everything written here is all-or-nothing (temporary file + rename, see
// mosaic/atomic_file.h), so a process killed at any moment leaves either the
// previous or the new version of each file. Torch-free; not thread-safe for
// the same output folder (one process per shard, shards never share scenes).
#ifndef MOSAIC_GEO_BATCH_H_
#define MOSAIC_GEO_BATCH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::geo {

// One scene of a manifest. Paths are absolute or relative to the manifest's folder
// as written there; ReadBatchManifest makes relative ones relative to the
// current directory by prefixing the manifest's folder.
struct BatchScene {
  int64_t index = 0;  // 0-based position in the manifest (sharding key)
  std::string id;     // unique; [A-Za-z0-9._-], not starting with '.'
  std::vector<std::string> s2;
  std::vector<std::string> s1;
  std::string s2_mask;  // optional
};

// Reads a manifest: JSON when the name ends in .json (an array of objects,
// or {"scenes": [...]}; "s2"/"s1" a string or an array of strings, "mask"
// optional), else CSV with a header row naming the columns id, s2, s1, mask
// (any order; s1/mask optional; several files in one cell separated by ';';
// RFC 4180 quoting; empty lines and lines starting with '#' ignored).
// Errors: NotFound, InvalidArgument naming the line/entry (missing id,
// duplicate id, bad id characters, no s2 and no s1).
MOSAIC_EXPORT StatusOr<std::vector<BatchScene>> ReadBatchManifest(const std::string& path);

// Shard `index` of `count` (0 <= index < count) processes the scenes whose
// manifest index modulo count is `index`: deterministic and balanced.
struct BatchShard {
  int64_t index = 0;
  int64_t count = 1;
};
MOSAIC_EXPORT bool InBatchShard(const BatchScene& scene, const BatchShard& shard);

// "I/N" with 0 <= I < N; InvalidArgument otherwise.
MOSAIC_EXPORT StatusOr<BatchShard> ParseBatchShard(const std::string& text);

// The shard from a cluster scheduler's environment, nullopt when none is
// set: Slurm job arrays (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of
// SLURM_ARRAY_TASK_COUNT; MIN 0 when unset), else Kubernetes Indexed Jobs
// (JOB_COMPLETION_INDEX of `count`, which the caller must give: > 0).
// InvalidArgument for malformed or out-of-range values.
MOSAIC_EXPORT StatusOr<std::optional<BatchShard>> BatchShardFromEnvironment(int64_t count);

// Where the outputs of a scene go: <out>/scenes/<id>/.
struct BatchScenePaths {
  std::string dir;
  std::string probabilities;  // probabilities.tif
  std::string topk;           // top<k>.tif, "" when k = 0
  std::string embeddings;     // embeddings.tif, "" when not asked for
  std::string summary;        // summary.json
  std::string done;           // done.json: the completion marker, written last
};
MOSAIC_EXPORT BatchScenePaths BatchPathsFor(const std::string& out_dir, const std::string& id,
                                            int topk, bool embeddings);

// Checks that a scene finished with the same configuration: the marker
// parses, names `id` and `config` (an opaque string, e.g. the options as
// JSON), and every file it lists exists with its recorded size; rasters open
// in GDAL with the recorded size and band count, the probability raster's band
// descriptions are `class_names`, the summary parses as JSON with one entry
// per class. OK, or a status saying what does not match (NotFound when there
// is no marker).
MOSAIC_EXPORT Status VerifyBatchScene(const BatchScenePaths& paths, const std::string& id,
                                      const std::string& config,
                                      const std::vector<std::string>& class_names);

// Writes the completion marker for the files in `paths` (which must all
// exist), atomically.
MOSAIC_EXPORT Status WriteBatchDone(const BatchScenePaths& paths, const std::string& id,
                                    const std::string& config);

// Before a scene is redone: removes its marker, its outputs and the
// temporary files that a killed run left in its folder (".<name>.part-*",
// ".<name>.cog-*", ".<name>.tmp-*"), and creates the folder.
MOSAIC_EXPORT Status ResetBatchScene(const BatchScenePaths& paths);

// One scene's line in a shard report.
struct BatchSceneRecord {
  std::string id;
  std::string status;  // "done" (computed now), "skipped" (verified earlier output), "failed"
  std::string error;   // failed: the message
  double seconds = 0.0;
  std::string summary;  // the summary JSON relative to the output folder; "" when failed
};

struct BatchReport {
  BatchShard shard;
  std::string manifest;
  std::string model;
  int64_t scenes_in_shard = 0;  // of which `scenes` holds those processed so far
  std::vector<BatchSceneRecord> scenes;
};

// <out>/reports/shard-<I>-of-<N>.{json,csv}.
MOSAIC_EXPORT std::string BatchReportPath(const std::string& out_dir, const BatchShard& shard,
                                          const std::string& extension);
// Writes the report as JSON and CSV (id,status,seconds,error), each atomically.
MOSAIC_EXPORT Status WriteBatchReport(const BatchReport& report, const std::string& json_path,
                                      const std::string& csv_path);
MOSAIC_EXPORT StatusOr<BatchReport> ReadBatchReport(const std::string& json_path);

// A scene for the labels table: its record and the output folder that holds it.
struct BatchLabelsEntry {
  std::string out_dir;
  BatchSceneRecord record;
};

// Writes the scene labels table, one row per scene sorted by id, as CSV and
// JSON (atomically): id, status (ok|failed), error, labels (';'-separated),
// valid area, nodata share, footprint (bbox in the scene CRS and in WGS84
// lon/lat), and per class the area share and the mean probability (read
// from each scene's summary). Entries with the same id are merged: an ok one
// wins over a failed one, else the last. Corruption naming the summary if one
// cannot be read.
MOSAIC_EXPORT Status WriteBatchLabels(const std::vector<BatchLabelsEntry>& entries,
                                      const std::string& csv_path, const std::string& json_path);

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_BATCH_H_
