#include "mosaic/model_bundle.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "mosaic/model_factory.h"
#include "testing/manifests.h"
#include "testing/temp_dir.h"

namespace mosaic {
namespace {

using testing::ReadBytes;
using testing::TempDir;
using testing::TinyManifest;

// Bundle contents whose tensors are those of a model built from `tensor_source`
// but whose manifest is `declared`: a file that lies about its architecture.
BundleContents Mismatched(const ModelManifest& declared, const ModelManifest& tensor_source,
                          const TempDir& dir) {
  const std::string tmp = dir.File("source.mosaic");
  EXPECT_TRUE(WriteInitializedBundle(tmp, tensor_source, 1).ok());
  StatusOr<BundleContents> contents = ReadBundleFile(tmp);
  EXPECT_TRUE(contents.ok());
  contents->manifest = declared;
  return *contents;
}

void ExpectLoadFails(const std::string& path, const std::string& fragment) {
  StatusOr<LoadedModel> loaded = LoadModelBundle(path);
  ASSERT_FALSE(loaded.ok()) << "expected failure mentioning " << fragment;
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption) << loaded.status().ToString();
  EXPECT_NE(loaded.status().message().find(fragment), std::string::npos)
      << loaded.status().message();
  EXPECT_NE(loaded.status().message().find(path), std::string::npos) << "must name the file";
}

TEST(ModelBundle, SaveLoadGivesBitIdenticalOutputs) {
  TempDir dir;
  const ModelManifest manifest = TinyManifest();
  torch::manual_seed(7);
  nn::DualStreamModel model = BuildModel(manifest);
  // A few training-mode passes so BatchNorm running statistics are not at
  // their initial values and must round-trip too.
  model->train();
  for (int i = 0; i < 3; ++i)
    model->forward(torch::randn({4, 2, 16, 16}), torch::randn({4, 4, 16, 16}));
  model->eval();

  const std::string path = dir.File("model.mosaic");
  ASSERT_TRUE(SaveModelBundle(path, manifest, model).ok());
  StatusOr<LoadedModel> loaded = LoadModelBundle(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();

  torch::NoGradGuard no_grad;
  const torch::Tensor s1 = torch::randn({3, 2, 16, 16});
  const torch::Tensor s2 = torch::randn({3, 4, 16, 16});
  nn::DualStreamOutput a = model->forward(s1, s2);
  nn::DualStreamOutput b = loaded->model->forward(s1, s2);
  EXPECT_TRUE(torch::equal(a.fused_logits, b.fused_logits));
  EXPECT_TRUE(torch::equal(a.s1_logits, b.s1_logits));
  EXPECT_TRUE(torch::equal(a.s2_logits, b.s2_logits));
  EXPECT_TRUE(torch::equal(a.s1_embedding, b.s1_embedding));
  EXPECT_TRUE(torch::equal(a.s2_embedding, b.s2_embedding));
  // Buffers, including the integer batch counters, come back exactly.
  auto original = model->named_buffers();
  auto restored = loaded->model->named_buffers();
  ASSERT_EQ(original.size(), restored.size());
  for (const auto& item : original) {
    EXPECT_TRUE(torch::equal(item.value(), restored[item.key()])) << item.key();
  }
  EXPECT_FALSE(loaded->model->is_training());
}

TEST(ModelBundle, SameSeedGivesByteIdenticalFiles) {
  TempDir dir;
  ASSERT_TRUE(WriteInitializedBundle(dir.File("a.mosaic"), TinyManifest(), 3).ok());
  ASSERT_TRUE(WriteInitializedBundle(dir.File("b.mosaic"), TinyManifest(), 3).ok());
  ASSERT_TRUE(WriteInitializedBundle(dir.File("c.mosaic"), TinyManifest(), 4).ok());
  EXPECT_EQ(ReadBytes(dir.File("a.mosaic")), ReadBytes(dir.File("b.mosaic")));
  EXPECT_NE(ReadBytes(dir.File("a.mosaic")), ReadBytes(dir.File("c.mosaic")));
}

TEST(ModelBundle, BandCountMismatchIsRejectedBeforeLoading) {
  TempDir dir;
  ModelManifest declared = TinyManifest();
  declared.s2.bands = {"B02", "B03", "B04", "B08", "B11"};  // 5 bands, weights hold 4
  declared.s2.normalization = DefaultNormalization(declared.s2.bands);
  const std::string path = dir.File("model.mosaic");
  ASSERT_TRUE(WriteBundleFile(path, Mismatched(declared, TinyManifest(), dir)).ok());
  ExpectLoadFails(path, "'s2_encoder.");
}

TEST(ModelBundle, ClassCountMismatchIsRejected) {
  TempDir dir;
  ModelManifest declared = TinyManifest();
  declared.class_names.push_back("Urban fabric");
  const std::string path = dir.File("model.mosaic");
  ASSERT_TRUE(WriteBundleFile(path, Mismatched(declared, TinyManifest(), dir)).ok());
  ExpectLoadFails(path, "_head.weight' has shape");
}

TEST(ModelBundle, MissingAndUnexpectedTensorsAreRejected) {
  TempDir dir;
  const std::string source = dir.File("source.mosaic");
  ASSERT_TRUE(WriteInitializedBundle(source, TinyManifest(), 1).ok());
  BundleContents contents = *ReadBundleFile(source);

  BundleContents missing = contents;
  const std::string dropped = missing.tensors.back().name;
  missing.tensors.pop_back();
  ASSERT_TRUE(WriteBundleFile(dir.File("missing.mosaic"), missing).ok());
  ExpectLoadFails(dir.File("missing.mosaic"), "'" + dropped + "' required by the declared");

  BundleContents extra = contents;
  BundleTensor stray = extra.tensors.front();
  stray.name = "s3_encoder.conv1.weight";
  extra.tensors.push_back(stray);
  ASSERT_TRUE(WriteBundleFile(dir.File("extra.mosaic"), extra).ok());
  ExpectLoadFails(dir.File("extra.mosaic"), "unexpected tensor 's3_encoder.conv1.weight'");
}

TEST(ModelBundle, WrongDtypeIsRejected) {
  TempDir dir;
  const std::string source = dir.File("source.mosaic");
  ASSERT_TRUE(WriteInitializedBundle(source, TinyManifest(), 1).ok());
  BundleContents contents = *ReadBundleFile(source);
  BundleTensor& first = contents.tensors.front();
  ASSERT_EQ(first.dtype, TensorDType::kFloat32);
  first.dtype = TensorDType::kFloat64;
  first.data.resize(first.data.size() * 2);
  ASSERT_TRUE(WriteBundleFile(dir.File("dtype.mosaic"), contents).ok());
  ExpectLoadFails(dir.File("dtype.mosaic"), "is float64, expected float32");
}

TEST(ModelBundle, SaveRejectsModelThatIsNotTheManifestsArchitecture) {
  TempDir dir;
  ModelManifest other = TinyManifest();
  other.small_cnn_width = 8;
  nn::DualStreamModel model = BuildModel(other);
  Status status = SaveModelBundle(dir.File("model.mosaic"), TinyManifest(), model);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(dir.List().empty());
}

TEST(ModelBundle, SingleModalityModelRoundTrips) {
  TempDir dir;
  ModelManifest manifest = TinyManifest();
  manifest.s1 = ModalitySpec{};
  ASSERT_TRUE(WriteInitializedBundle(dir.File("s2only.mosaic"), manifest, 0).ok());
  StatusOr<LoadedModel> loaded = LoadModelBundle(dir.File("s2only.mosaic"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_FALSE(loaded->model->has_s1());
  EXPECT_TRUE(loaded->model->has_s2());
}

TEST(ModelFactory, CountParametersMatchesTheModel) {
  const ModelManifest manifest = TinyManifest();
  nn::DualStreamModel model = BuildModel(manifest);
  int64_t expected = 0;
  for (const auto& p : model->parameters()) expected += p.numel();
  EXPECT_EQ(*CountParameters(manifest), expected);
}

}  // namespace
}  // namespace mosaic
