// The MoSAiC Processing provider inside a headless QgsApplication: the
// provider registers, and each algorithm, run through QGIS's Processing API
// on the bundled sample scene, gives what the scene engine (PredictScene, the
// code behind `mosaic predict`) gives with the same settings. Validation
// messages and cancellation are checked too.
//
// Runs with QT_QPA_PLATFORM=offscreen (set below when unset).
#include <gdal.h>
#include <gdal_utils.h>
#include <gtest/gtest.h>
#include <qgsapplication.h>
#include <qgsfeature.h>
#include <qgsfeatureiterator.h>
#include <qgsprocessingalgorithm.h>
#include <qgsprocessingalgrunnertask.h>
#include <qgsprocessingcontext.h>
#include <qgsprocessingfeedback.h>
#include <qgsprocessingprovider.h>
#include <qgsprocessingregistry.h>
#include <qgsproject.h>
#include <qgstaskmanager.h>
#include <qgsvectorlayer.h>

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QTimer>

#include <unistd.h>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "mosaic/bundle_format.h"
#include "mosaic/geo/scene_predict.h"
#include "provider_registration.h"

namespace {

namespace fs = std::filesystem;
using mosaic::geo::PredictScene;
using mosaic::geo::SceneInputs;
using mosaic::geo::ScenePredictOptions;

fs::path WorkRoot() {
  const char* root = std::getenv("MOSAIC_QGIS_TEST_WORK");
  return fs::path(root != nullptr ? root : fs::temp_directory_path().string());
}

// The tests read a copy of the sample: QGIS computes statistics of the raster
// layers it opens and GDAL saves them in .aux.xml files beside the rasters.
// Each suite runs in its own process, hence one copy per process.
const std::string kSampleDir = [] {
  const fs::path copy = WorkRoot() / ("sample-" + std::to_string(getpid()));
  fs::remove_all(copy);
  fs::create_directories(copy / "scene");
  const fs::path source = MOSAIC_SAMPLE_DATA_DIR;
  fs::copy_file(source / "mosaic-sample.mosaic", copy / "mosaic-sample.mosaic");
  for (const char* name : {"S2_stack_10m.tif", "S1_VV_VH.tif", "cloud_mask.tif"}) {
    fs::copy_file(source / "scene" / name, copy / "scene" / name);
  }
  return copy.string();
}();
const std::string kModel = kSampleDir + "/mosaic-sample.mosaic";
const std::string kS2 = kSampleDir + "/scene/S2_stack_10m.tif";
const std::string kS1 = kSampleDir + "/scene/S1_VV_VH.tif";
const std::string kMask = kSampleDir + "/scene/cloud_mask.tif";

// A fresh folder per test under MOSAIC_QGIS_TEST_WORK (or the temp folder).
std::string WorkDir(const std::string& name) {
  fs::path dir = WorkRoot() / ("provider-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// The settings of `mosaic predict` without arguments (cli/predict_command.cpp):
// the sample scene with its cloud mask (values 1, 2 invalid), defaults else.
SceneInputs SampleInputs() {
  SceneInputs inputs;
  inputs.s2 = {kS2};
  inputs.s1 = {kS1};
  inputs.s2_mask = kMask;
  inputs.s2_mask_invalid_values = {1, 2};
  return inputs;
}

QVariantMap SampleParameters() {
  QVariantMap p;
  p.insert("S2", QString::fromStdString(kS2));
  p.insert("S1", QString::fromStdString(kS1));
  p.insert("S2_MASK", QString::fromStdString(kMask));
  p.insert("S2_MASK_INVALID", "1,2");
  p.insert("MODEL", QString::fromStdString(kModel));
  return p;
}

struct Raster {
  int width = 0;
  int height = 0;
  std::vector<std::string> descriptions;
  std::vector<GDALDataType> types;
  std::vector<std::vector<double>> bands;
};

Raster ReadRaster(const std::string& path) {
  Raster r;
  GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
  if (ds == nullptr) {
    ADD_FAILURE() << "cannot open " << path;
    return r;
  }
  r.width = GDALGetRasterXSize(ds);
  r.height = GDALGetRasterYSize(ds);
  for (int b = 1; b <= GDALGetRasterCount(ds); ++b) {
    GDALRasterBandH band = GDALGetRasterBand(ds, b);
    r.descriptions.push_back(GDALGetDescription(band));
    r.types.push_back(GDALGetRasterDataType(band));
    std::vector<double> values(static_cast<size_t>(r.width) * r.height);
    EXPECT_EQ(GDALRasterIO(band, GF_Read, 0, 0, r.width, r.height, values.data(), r.width, r.height,
                           GDT_Float64, 0, 0),
              CE_None);
    r.bands.push_back(std::move(values));
  }
  GDALClose(ds);
  return r;
}

// Same size, band names and types; every value within `tolerance` (NaN
// equals NaN).
void ExpectSameRaster(const std::string& actual_path, const std::string& expected_path,
                      double tolerance) {
  const Raster actual = ReadRaster(actual_path);
  const Raster expected = ReadRaster(expected_path);
  ASSERT_EQ(actual.width, expected.width);
  ASSERT_EQ(actual.height, expected.height);
  ASSERT_EQ(actual.bands.size(), expected.bands.size());
  EXPECT_EQ(actual.descriptions, expected.descriptions);
  EXPECT_EQ(actual.types, expected.types);
  double max_diff = 0.0;
  for (size_t b = 0; b < actual.bands.size(); ++b) {
    for (size_t i = 0; i < actual.bands[b].size(); ++i) {
      const double a = actual.bands[b][i];
      const double e = expected.bands[b][i];
      if (std::isnan(a) || std::isnan(e)) {
        ASSERT_EQ(std::isnan(a), std::isnan(e)) << "band " << b + 1 << " pixel " << i;
        continue;
      }
      max_diff = std::max(max_diff, std::abs(a - e));
    }
  }
  EXPECT_LE(max_diff, tolerance) << actual_path << " vs " << expected_path;
  std::printf("%s vs %s: max |diff| = %g\n", fs::path(actual_path).filename().c_str(),
              fs::path(expected_path).filename().c_str(), max_diff);
}

std::vector<std::string> ClassNames() {
  mosaic::StatusOr<mosaic::ModelManifest> manifest = mosaic::ReadBundleManifest(kModel);
  EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
  return manifest.ok() ? manifest->class_names : std::vector<std::string>();
}

// Runs an algorithm through QgsProcessingAlgorithm::run (prepare, process,
// post-process; exceptions become ok = false and a reported error).
struct RunResult {
  bool ok = false;
  QVariantMap outputs;
  QString errors;
};

// Collects reported errors.
class RecordingFeedback : public QgsProcessingFeedback {
 public:
  void reportError(const QString& error, bool fatal = false) override {
    errors += error + "\n";
    QgsProcessingFeedback::reportError(error, fatal);
  }
  QString errors;
};

RunResult RunAlgorithm(const QString& id, const QVariantMap& parameters,
                       RecordingFeedback* feedback = nullptr) {
  RecordingFeedback own_feedback;
  if (feedback == nullptr) feedback = &own_feedback;
  std::unique_ptr<QgsProcessingAlgorithm> algorithm(
      QgsApplication::processingRegistry()->createAlgorithmById(id));
  RunResult result;
  if (!algorithm) {
    ADD_FAILURE() << "no algorithm " << id.toStdString();
    return result;
  }
  QgsProcessingContext context;
  context.setProject(QgsProject::instance());
  result.outputs = algorithm->run(parameters, context, feedback, &result.ok);
  result.errors = feedback->errors;
  return result;
}

// The message checkParameterValues gives ("" when the values are valid).
QString ValidationMessage(const QString& id, const QVariantMap& parameters) {
  std::unique_ptr<QgsProcessingAlgorithm> algorithm(
      QgsApplication::processingRegistry()->createAlgorithmById(id));
  QgsProcessingContext context;
  QString message;
  if (algorithm->checkParameterValues(parameters, context, &message)) return QString();
  return message.isEmpty() ? QStringLiteral("(invalid, no message)") : message;
}

// Cancels the run at the first progress report, from whatever thread it
// comes (a direct connection: the test's thread runs no event loop).
class CancelAtFirstProgress : public RecordingFeedback {
 public:
  CancelAtFirstProgress() {
    QObject::connect(
        this, &QgsFeedback::progressChanged, this,
        [this](double) {
          ++reports;
          cancel();
        },
        Qt::DirectConnection);
  }
  std::atomic<int> reports{0};
};

bool FolderIsEmpty(const std::string& dir) { return fs::is_empty(dir); }

// --- The provider ------------------------------------------------------------

TEST(QgisProvider, RegistersAlgorithmsWithHelp) {
  QgsProcessingRegistry* registry = QgsApplication::processingRegistry();
  QgsProcessingProvider* provider = registry->providerById("mosaic");
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->name(), "MoSAiC");
  EXPECT_EQ(provider->supportedOutputRasterLayerExtensions(), QStringList{"tif"});
  for (const char* id : {"mosaic:classify", "mosaic:embed", "mosaic:labelscenes"}) {
    const QgsProcessingAlgorithm* algorithm = registry->algorithmById(id);
    ASSERT_NE(algorithm, nullptr) << id;
    EXPECT_FALSE(algorithm->displayName().isEmpty()) << id;
    EXPECT_GT(algorithm->shortHelpString().size(), 200) << id;
    EXPECT_EQ(algorithm->group(), "Scene classification") << id;
    EXPECT_NE(algorithm->parameterDefinition("MODEL"), nullptr) << id;
    EXPECT_NE(algorithm->parameterDefinition("DEVICE"), nullptr) << id;
    EXPECT_NE(algorithm->parameterDefinition("BATCH_SIZE"), nullptr) << id;
    EXPECT_NE(algorithm->parameterDefinition("STRIDE"), nullptr) << id;
    EXPECT_NE(algorithm->parameterDefinition("OUTPUT"), nullptr) << id;
    // The model defaults to the bundled sample.
    EXPECT_EQ(
        QFileInfo(algorithm->parameterDefinition("MODEL")->defaultValue().toString()).fileName(),
        "mosaic-sample.mosaic");
  }
  const QgsProcessingAlgorithm* classify = registry->algorithmById("mosaic:classify");
  for (const char* name : {"S2", "S1", "BLEND", "OUTPUT_TYPE", "S2_MASK", "HEAD"}) {
    EXPECT_NE(classify->parameterDefinition(name), nullptr) << name;
  }
  EXPECT_FALSE(classify->parameterDefinition("S2")->flags() &
               QgsProcessingParameterDefinition::FlagOptional);
  EXPECT_TRUE(classify->parameterDefinition("S1")->flags() &
              QgsProcessingParameterDefinition::FlagOptional);
}

TEST(QgisProvider, RegisteringTwiceKeepsOneProvider) {
  const int before = QgsApplication::processingRegistry()->providers().size();
  EXPECT_TRUE(mosaic::qgis::RegisterProvider());
  EXPECT_EQ(mosaic_qgis_register_provider(), 1);
  EXPECT_EQ(QgsApplication::processingRegistry()->providers().size(), before);
}

// --- mosaic:classify ---------------------------------------------------------

TEST(QgisClassify, MatchesSceneEngineWithSampleSettings) {
  const std::string dir = WorkDir("classify");
  QVariantMap p = SampleParameters();
  p.insert("OUTPUT", QString::fromStdString(dir + "/qgis.tif"));
  const RunResult run = RunAlgorithm("mosaic:classify", p);
  ASSERT_TRUE(run.ok) << run.errors.toStdString();
  EXPECT_EQ(run.outputs.value("OUTPUT").toString().toStdString(), dir + "/qgis.tif");

  ScenePredictOptions options;
  options.model = kModel;
  options.output = dir + "/engine.tif";
  ASSERT_TRUE(PredictScene(SampleInputs(), options).ok());
  ExpectSameRaster(dir + "/qgis.tif", dir + "/engine.tif", 1e-6);
  // Class names are the band descriptions.
  EXPECT_EQ(ReadRaster(dir + "/qgis.tif").descriptions, ClassNames());
}

TEST(QgisClassify, ByteOutputStrideAndBlendingAsTheEngine) {
  const std::string dir = WorkDir("classify-byte");
  QVariantMap p = SampleParameters();
  p.remove("S2_MASK");
  p.insert("STRIDE", 40);
  p.insert("BLEND", 0);        // uniform
  p.insert("OUTPUT_TYPE", 1);  // Byte
  p.insert("BATCH_SIZE", 5);
  p.insert("OUTPUT", QString::fromStdString(dir + "/qgis.tif"));
  const RunResult run = RunAlgorithm("mosaic:classify", p);
  ASSERT_TRUE(run.ok) << run.errors.toStdString();

  SceneInputs inputs = SampleInputs();
  inputs.s2_mask.clear();
  ScenePredictOptions options;
  options.model = kModel;
  options.stride_px = 40;
  options.blend = mosaic::geo::BlendWindow::kUniform;
  options.type = mosaic::geo::ProbabilityType::kByte;
  options.batch_size = 5;
  options.output = dir + "/engine.tif";
  ASSERT_TRUE(PredictScene(inputs, options).ok());
  ExpectSameRaster(dir + "/qgis.tif", dir + "/engine.tif", 0.0);
  EXPECT_EQ(ReadRaster(dir + "/qgis.tif").types.front(), GDT_Byte);
}

// As the algorithm dialog runs it: a QgsTask in QGIS's task manager, the
// engine on a worker thread, progress reported from there.
TEST(QgisClassify, RunsAsBackgroundTask) {
  const std::string dir = WorkDir("classify-task");
  QVariantMap p = SampleParameters();
  p.insert("OUTPUT", QString::fromStdString(dir + "/qgis.tif"));
  QgsProcessingContext context;
  context.setProject(QgsProject::instance());
  RecordingFeedback feedback;
  std::atomic<int> reports{0};
  QObject::connect(
      &feedback, &QgsFeedback::progressChanged, &feedback, [&reports](double) { ++reports; },
      Qt::DirectConnection);
  const QgsProcessingAlgorithm* algorithm =
      QgsApplication::processingRegistry()->algorithmById("mosaic:classify");
  auto* task = new QgsProcessingAlgRunnerTask(algorithm, p, context, &feedback);
  bool finished = false;
  bool successful = false;
  QEventLoop loop;
  QObject::connect(task, &QgsProcessingAlgRunnerTask::executed,
                   [&](bool ok, const QVariantMap& /*results*/) {
                     finished = true;
                     successful = ok;
                     loop.quit();
                   });
  QTimer::singleShot(60000, &loop, &QEventLoop::quit);
  QgsApplication::taskManager()->addTask(task);
  loop.exec();
  ASSERT_TRUE(finished) << "task did not finish within 60 s";
  EXPECT_TRUE(successful) << feedback.errors.toStdString();
  EXPECT_GT(reports.load(), 1);

  ScenePredictOptions options;
  options.model = kModel;
  options.output = dir + "/engine.tif";
  ASSERT_TRUE(PredictScene(SampleInputs(), options).ok());
  ExpectSameRaster(dir + "/qgis.tif", dir + "/engine.tif", 1e-6);
}

TEST(QgisClassify, CancellationLeavesNoOutput) {
  const std::string dir = WorkDir("classify-cancel");
  QVariantMap p = SampleParameters();
  p.insert("OUTPUT", QString::fromStdString(dir + "/qgis.tif"));
  CancelAtFirstProgress feedback;
  const RunResult run = RunAlgorithm("mosaic:classify", p, &feedback);
  EXPECT_FALSE(run.ok);
  EXPECT_GE(feedback.reports.load(), 1);
  EXPECT_TRUE(run.errors.contains("Cancelled")) << run.errors.toStdString();
  EXPECT_FALSE(fs::exists(dir + "/qgis.tif"));
  EXPECT_TRUE(FolderIsEmpty(dir)) << "temporary files left in " << dir;
}

TEST(QgisClassify, ValidationMessagesNameTheProblem) {
  QVariantMap p = SampleParameters();
  p.insert("OUTPUT", "/tmp/unused.tif");
  EXPECT_EQ(ValidationMessage("mosaic:classify", p), QString());

  QVariantMap bad_stride = p;
  bad_stride.insert("STRIDE", 500);
  EXPECT_TRUE(ValidationMessage("mosaic:classify", bad_stride).contains("1..120 pixels"))
      << ValidationMessage("mosaic:classify", bad_stride).toStdString();

  // A .mosaic file that is no bundle: the message names the parameter and the file.
  const std::string fake = WorkDir("classify-validation") + "/fake.mosaic";
  std::ofstream(fake) << "not a bundle";
  QVariantMap bad_model = p;
  bad_model.insert("MODEL", QString::fromStdString(fake));
  const QString model_message = ValidationMessage("mosaic:classify", bad_model);
  EXPECT_TRUE(
      model_message.startsWith("Model bundle (.mosaic; default: the bundled sample model): ") &&
      model_message.contains("fake.mosaic"))
      << model_message.toStdString();

  QVariantMap bad_mask = p;
  bad_mask.insert("S2_MASK_INVALID", "1,cloud");
  EXPECT_TRUE(ValidationMessage("mosaic:classify", bad_mask).contains("'cloud' is not an integer"))
      << ValidationMessage("mosaic:classify", bad_mask).toStdString();

  QVariantMap no_s2 = p;
  no_s2.remove("S2");
  EXPECT_FALSE(ValidationMessage("mosaic:classify", no_s2).isEmpty());

  // An engine error (here: the S2 raster lacks the model's bands) fails the
  // run with the engine's message.
  const std::string dir = WorkDir("classify-error");
  QVariantMap wrong_bands = p;
  wrong_bands.insert("S2", QString::fromStdString(kMask));
  wrong_bands.insert("OUTPUT", QString::fromStdString(dir + "/qgis.tif"));
  const RunResult run = RunAlgorithm("mosaic:classify", wrong_bands);
  EXPECT_FALSE(run.ok);
  EXPECT_TRUE(run.errors.contains("MoSAiC:")) << run.errors.toStdString();
  EXPECT_FALSE(fs::exists(dir + "/qgis.tif"));
}

// --- mosaic:embed ------------------------------------------------------------

TEST(QgisEmbed, MatchesSceneEngineEmbeddings) {
  const std::string dir = WorkDir("embed");
  QVariantMap p = SampleParameters();
  p.insert("STRIDE", 60);
  p.insert("OUTPUT", QString::fromStdString(dir + "/qgis.tif"));
  const RunResult run = RunAlgorithm("mosaic:embed", p);
  ASSERT_TRUE(run.ok) << run.errors.toStdString();
  // Only the embedding raster is left.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);

  ScenePredictOptions options;
  options.model = kModel;
  options.stride_px = 60;
  options.grid = mosaic::geo::OutputGrid::kCoarse;
  options.output = dir + "/engine-prob.tif";
  options.embedding_output = dir + "/engine.tif";
  ASSERT_TRUE(PredictScene(SampleInputs(), options).ok());
  ExpectSameRaster(dir + "/qgis.tif", dir + "/engine.tif", 1e-6);
  const Raster embedding = ReadRaster(dir + "/qgis.tif");
  EXPECT_EQ(embedding.width, 10);  // 600 px / stride 60
  EXPECT_GT(embedding.bands.size(), 8u);
}

TEST(QgisEmbed, CancellationLeavesNoOutput) {
  const std::string dir = WorkDir("embed-cancel");
  QVariantMap p = SampleParameters();
  p.insert("OUTPUT", QString::fromStdString(dir + "/qgis.tif"));
  CancelAtFirstProgress feedback;
  const RunResult run = RunAlgorithm("mosaic:embed", p, &feedback);
  EXPECT_FALSE(run.ok);
  EXPECT_TRUE(FolderIsEmpty(dir));
}

// --- mosaic:labelscenes ------------------------------------------------------

// A second scene: the upper-left 300 x 240 px of the sample (S2 and mask).
void CropSample(const std::string& dir, std::string* s2, std::string* mask) {
  *s2 = dir + "/crop_S2.tif";
  *mask = dir + "/crop_mask.tif";
  for (const auto& [src, dst] : {std::pair{kS2, *s2}, std::pair{kMask, *mask}}) {
    char* argv[] = {const_cast<char*>("-srcwin"), const_cast<char*>("0"),   const_cast<char*>("0"),
                    const_cast<char*>("300"),     const_cast<char*>("240"), nullptr};
    GDALTranslateOptions* options = GDALTranslateOptionsNew(argv, nullptr);
    GDALDatasetH in = GDALOpen(src.c_str(), GA_ReadOnly);
    ASSERT_NE(in, nullptr);
    GDALDatasetH out = GDALTranslate(dst.c_str(), in, options, nullptr);
    ASSERT_NE(out, nullptr);
    GDALClose(out);
    GDALClose(in);
    GDALTranslateOptionsFree(options);
  }
}

// The engine's summary JSON (parsed with Qt: QGIS's bundled json_fwd.hpp
// clashes with nlohmann/json.hpp in one translation unit).
QJsonObject EngineSummary(const SceneInputs& inputs, const std::string& dir,
                          const std::string& name) {
  ScenePredictOptions options;
  options.model = kModel;
  options.output = dir + "/" + name + ".tif";
  options.summary_output = dir + "/" + name + ".json";
  const auto result = PredictScene(inputs, options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  QFile file(QString::fromStdString(options.summary_output));
  EXPECT_TRUE(file.open(QIODevice::ReadOnly));
  return QJsonDocument::fromJson(file.readAll()).object();
}

TEST(QgisLabelScenes, OneRowPerSceneAsTheEngineSummaries) {
  const std::string dir = WorkDir("labelscenes");
  std::string crop_s2;
  std::string crop_mask;
  CropSample(dir, &crop_s2, &crop_mask);

  QVariantMap p;
  p.insert("S2_SCENES", QStringList{QString::fromStdString(kS2), QString::fromStdString(crop_s2)});
  // The same Sentinel-1 raster for both scenes: duplicates pair by position.
  p.insert("S1_SCENES", QStringList{QString::fromStdString(kS1), QString::fromStdString(kS1)});
  p.insert("S2_MASKS",
           QStringList{QString::fromStdString(kMask), QString::fromStdString(crop_mask)});
  p.insert("S2_MASK_INVALID", "1,2");
  p.insert("MODEL", QString::fromStdString(kModel));
  p.insert("OUTPUT", QString::fromStdString(dir + "/labels.gpkg"));
  const RunResult run = RunAlgorithm("mosaic:labelscenes", p);
  ASSERT_TRUE(run.ok) << run.errors.toStdString();

  SceneInputs full = SampleInputs();
  SceneInputs crop = SampleInputs();
  crop.s2 = {crop_s2};
  crop.s2_mask = crop_mask;
  const std::vector<QJsonObject> expected = {EngineSummary(full, dir, "engine-full"),
                                             EngineSummary(crop, dir, "engine-crop")};

  QgsVectorLayer table(run.outputs.value("OUTPUT").toString(), "labels", "ogr");
  ASSERT_TRUE(table.isValid());
  ASSERT_EQ(table.featureCount(), 2);
  const std::vector<std::string> classes = ClassNames();
  QgsFeatureIterator it = table.getFeatures();
  QgsFeature feature;
  int row = 0;
  while (it.nextFeature(feature)) {
    const QJsonObject& summary = expected[row];
    EXPECT_EQ(feature.attribute("scene").toString(), row == 0 ? "S2_stack_10m" : "crop_S2");
    EXPECT_EQ(feature.attribute("s1").toString().toStdString(), kS1);
    QStringList labels;
    for (const QJsonValue& label : summary["labels"].toArray()) labels << label.toString();
    EXPECT_EQ(feature.attribute("labels").toString(), labels.join("; "));
    EXPECT_NEAR(feature.attribute("valid_km2").toDouble(), summary["valid_area_km2"].toDouble(),
                1e-9);
    for (size_t c = 0; c < classes.size(); ++c) {
      const QJsonObject entry = summary["classes"].toArray()[static_cast<int>(c)].toObject();
      ASSERT_EQ(entry["name"].toString().toStdString(), classes[c]);
      EXPECT_NEAR(feature.attribute(QString::fromStdString("share " + classes[c])).toDouble(),
                  entry["area_share"].toDouble(), 1e-12)
          << classes[c];
      EXPECT_NEAR(feature.attribute(QString::fromStdString("mean " + classes[c])).toDouble(),
                  entry["mean_probability"].toDouble(), 1e-12)
          << classes[c];
    }
    ++row;
  }
  EXPECT_EQ(row, 2);
  // The scenes differ, so the rows do.
  EXPECT_NE(expected[0]["valid_area_km2"].toDouble(), expected[1]["valid_area_km2"].toDouble());
}

TEST(QgisLabelScenes, WritesCsv) {
  const std::string dir = WorkDir("labelscenes-csv");
  QVariantMap p;
  p.insert("S2_SCENES", QStringList{QString::fromStdString(kS2)});
  p.insert("MODEL", QString::fromStdString(kModel));
  p.insert("STRIDE", 120);
  p.insert("OUTPUT", QString::fromStdString(dir + "/labels.csv"));
  const RunResult run = RunAlgorithm("mosaic:labelscenes", p);
  ASSERT_TRUE(run.ok) << run.errors.toStdString();
  QFile file(QString::fromStdString(dir + "/labels.csv"));
  ASSERT_TRUE(file.open(QIODevice::ReadOnly | QIODevice::Text));
  const QStringList lines = QTextStream(&file).readAll().split('\n', Qt::SkipEmptyParts);
  ASSERT_EQ(lines.size(), 2);  // header + one scene
  EXPECT_TRUE(lines[0].startsWith("scene,s2,s1,labels,valid_km2,nodata_share,"))
      << lines[0].toStdString();
  EXPECT_TRUE(lines[0].contains("share Arable land")) << lines[0].toStdString();
  EXPECT_TRUE(lines[1].startsWith("S2_stack_10m,")) << lines[1].toStdString();
}

TEST(QgisLabelScenes, ValidatesListsAndCancelsWithoutOutput) {
  QVariantMap p;
  p.insert("S2_SCENES", QStringList{QString::fromStdString(kS2), QString::fromStdString(kS2)});
  p.insert("S1_SCENES", QStringList{QString::fromStdString(kS1)});
  p.insert("MODEL", QString::fromStdString(kModel));
  p.insert("OUTPUT", "/tmp/unused.csv");
  EXPECT_TRUE(ValidationMessage("mosaic:labelscenes", p)
                  .contains("1 Sentinel-1 rasters for 2 Sentinel-2 scenes"))
      << ValidationMessage("mosaic:labelscenes", p).toStdString();

  const std::string dir = WorkDir("labelscenes-cancel");
  p.remove("S1_SCENES");
  p.insert("OUTPUT", QString::fromStdString(dir + "/labels.csv"));
  CancelAtFirstProgress feedback;
  const RunResult run = RunAlgorithm("mosaic:labelscenes", p, &feedback);
  EXPECT_FALSE(run.ok);
  EXPECT_TRUE(FolderIsEmpty(dir));
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (std::getenv("QT_QPA_PLATFORM") == nullptr) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  QgsApplication app(argc, argv, /*GUIenabled=*/false);
  QgsApplication::initQgis();
  GDALAllRegister();
  if (!mosaic::qgis::RegisterProvider()) {
    std::fprintf(stderr, "could not register the MoSAiC provider\n");
    return 1;
  }
  const int status = RUN_ALL_TESTS();
  fs::remove_all(kSampleDir);
  mosaic::qgis::UnregisterProvider();
  QgsApplication::exitQgis();
  return status;
}
