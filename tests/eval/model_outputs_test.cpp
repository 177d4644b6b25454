#include "mosaic/eval/model_outputs.h"

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "eval_test_util.h"
#include "mosaic/data/loader.h"
#include "mosaic/model_bundle.h"
#include "mosaic/model_factory.h"
#include "mosaic/patch_classifier.h"
#include "testing/manifests.h"
#include "testing/temp_dir.h"

namespace mosaic::eval {
namespace {

using mosaic::testing::TempDir;
using mosaic::testing::TinyManifest;
using testing::TinyDataset;
using testing::TinyDatasetSpec;

class ModelOutputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bundle_ = dir_.File("tiny.mosaic");
    ASSERT_TRUE(WriteInitializedBundle(bundle_, TinyManifest(), 3).ok());
  }
  static std::vector<size_t> All(const data::PatchDataset& d) {
    return data::IndicesOfSplit(d, "");
  }
  // What PatchClassifier says for the same raw samples.
  std::vector<float> Classified(const data::PatchDataset& d, const std::vector<size_t>& indices,
                                HeadChoice head) {
    auto classifier = PatchClassifier::Open(bundle_);
    EXPECT_TRUE(classifier.ok()) << classifier.status().ToString();
    std::vector<float> s1, s2;
    for (size_t i : indices) {
      StatusOr<data::PatchSample> s = d.Read(i);
      s1.insert(s1.end(), s->s1.begin(), s->s1.end());
      s2.insert(s2.end(), s->s2.begin(), s->s2.end());
    }
    PatchBatch batch;
    batch.count = static_cast<int64_t>(indices.size());
    batch.height = batch.width = d.patch_size_px();
    batch.s1 = s1.data();
    batch.s2 = s2.data();
    std::vector<float> probs;
    EXPECT_TRUE((*classifier)->Classify(batch, head, &probs).ok());
    return probs;
  }

  TempDir dir_;
  std::string bundle_;
};

TEST_F(ModelOutputsTest, ScoresMatchPatchClassifierForEveryHead) {
  auto dataset = TinyDataset();
  const std::vector<size_t> indices = {5, 0, 7, 2, 9};
  for (HeadChoice head : {HeadChoice::kFused, HeadChoice::kS1, HeadChoice::kS2}) {
    ModelRunOptions options;
    options.head = head;
    options.batch_size = 2;  // several batches, a short last one
    StatusOr<ModelOutputs> out = RunModelOnDataset(bundle_, dataset, indices, options);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out->head, head);
    ASSERT_EQ(out->num_samples, 5);
    ASSERT_EQ(out->num_classes, 3);
    const std::vector<float> expected = Classified(*dataset, indices, head);
    ASSERT_EQ(out->scores.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_NEAR(out->scores[i], expected[i], 1e-6) << "head " << HeadChoiceName(head) << " " << i;
    }
    EXPECT_EQ(out->ids[0], "patch_5");
    EXPECT_EQ(out->indices, indices);
    for (size_t r = 0; r < indices.size(); ++r) {
      for (size_t c = 0; c < 3; ++c) {
        EXPECT_EQ(out->targets[r * 3 + c], dataset->record(indices[r]).labels[c]);
      }
    }
  }
}

TEST_F(ModelOutputsTest, EmbeddingsAreUnitNormPerChoice) {
  auto dataset = TinyDataset();
  for (EmbeddingChoice choice : {EmbeddingChoice::kAuto, EmbeddingChoice::kFused,
                                 EmbeddingChoice::kS1, EmbeddingChoice::kS2}) {
    ModelRunOptions options;
    options.embedding = choice;
    StatusOr<ModelOutputs> out = RunModelOnDataset(bundle_, dataset, All(*dataset), options);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const bool fused = choice == EmbeddingChoice::kAuto || choice == EmbeddingChoice::kFused;
    EXPECT_EQ(out->embedding, fused ? EmbeddingChoice::kFused : choice);
    EXPECT_EQ(out->embedding_dim, fused ? 16 : 8);
    const size_t d = static_cast<size_t>(out->embedding_dim);
    for (int64_t r = 0; r < out->num_samples; ++r) {
      double norm = 0, first = 0, second = 0;
      for (size_t k = 0; k < d; ++k) {
        const double v = out->embeddings[static_cast<size_t>(r) * d + k];
        norm += v * v;
        (k < d / 2 ? first : second) += v * v;
      }
      EXPECT_NEAR(norm, 1.0, 1e-5);
      if (fused) {  // each modality's half is a unit vector scaled by 1/sqrt(2)
        EXPECT_NEAR(first, 0.5, 1e-5);
        EXPECT_NEAR(second, 0.5, 1e-5);
      }
    }
  }
}

TEST_F(ModelOutputsTest, EncoderFeaturesAreThePerStreamNormalisedPooledOutputs) {
  auto dataset = TinyDataset();
  const std::vector<size_t> indices = {4, 1, 8, 0, 11};

  // The pooled encoder outputs h1, h2 of the same samples, computed directly:
  // one batch read as RunModelOnDataset reads it (no augmentation, the
  // manifest's normalisation), through the model's EncodeS1 / EncodeS2.
  StatusOr<LoadedModel> model = LoadModelBundle(bundle_);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  data::LoaderOptions loader_options;
  loader_options.batch_size = static_cast<int64_t>(indices.size());
  loader_options.shuffle = false;
  loader_options.indices = indices;
  loader_options.two_views = false;
  loader_options.augment = false;
  loader_options.num_workers = 0;
  loader_options.s1_normalization = model->manifest.s1.normalization;
  loader_options.s2_normalization = model->manifest.s2.normalization;
  auto loader = data::Loader::Create(dataset, loader_options);
  ASSERT_TRUE(loader.ok()) << loader.status().ToString();
  data::Batch batch;
  StatusOr<bool> got = (*loader)->Next(&batch);
  ASSERT_TRUE(got.ok() && *got);
  torch::Tensor h1, h2;
  {
    torch::NoGradGuard no_grad;
    model->model->eval();
    h1 = model->model->EncodeS1(batch.s1).to(torch::kFloat64).contiguous();
    h2 = model->model->EncodeS2(batch.s2).to(torch::kFloat64).contiguous();
  }
  const int64_t d1 = h1.size(1), d2 = h2.size(1);
  ASSERT_GT(d1, 0);
  ASSERT_GT(d2, 0);
  // Row r of stream h scaled to unit norm.
  auto unit = [](const torch::Tensor& h, int64_t r) {
    std::vector<double> row(h.data_ptr<double>() + r * h.size(1),
                            h.data_ptr<double>() + (r + 1) * h.size(1));
    double norm = 0;
    for (double v : row) norm += v * v;
    norm = std::sqrt(norm);
    EXPECT_GT(norm, 1e-6);
    for (double& v : row) v /= norm;
    return row;
  };

  for (EmbeddingChoice choice :
       {EmbeddingChoice::kFused, EmbeddingChoice::kS1, EmbeddingChoice::kS2}) {
    ModelRunOptions options;
    options.embedding = choice;
    options.features = FeatureSource::kEncoder;
    options.batch_size = 2;  // other batches than above: results must not depend on them
    StatusOr<ModelOutputs> out = RunModelOnDataset(bundle_, dataset, indices, options);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out->features, FeatureSource::kEncoder);
    EXPECT_EQ(out->embedding, choice);
    const int64_t d = choice == EmbeddingChoice::kFused ? d1 + d2
                      : choice == EmbeddingChoice::kS1  ? d1
                                                        : d2;
    ASSERT_EQ(out->embedding_dim, d) << EmbeddingChoiceName(choice);
    for (int64_t r = 0; r < out->num_samples; ++r) {
      std::vector<double> expected;
      if (choice != EmbeddingChoice::kS2) expected = unit(h1, r);
      if (choice != EmbeddingChoice::kS1) {
        const std::vector<double> second = unit(h2, r);
        expected.insert(expected.end(), second.begin(), second.end());
      }
      if (choice == EmbeddingChoice::kFused) {
        for (double& v : expected) v /= std::sqrt(2.0);
      }
      const float* row = out->embeddings.data() + r * d;
      double norm = 0, first = 0;
      for (int64_t k = 0; k < d; ++k) {
        EXPECT_NEAR(row[k], expected[static_cast<size_t>(k)], 1e-5)
            << EmbeddingChoiceName(choice) << " row " << r << " dim " << k;
        norm += double{row[k]} * row[k];
        if (k < d1) first += double{row[k]} * row[k];
      }
      EXPECT_NEAR(norm, 1.0, 1e-5);
      // Two streams: each contributes half of the squared norm.
      if (choice == EmbeddingChoice::kFused) {
        EXPECT_NEAR(first, 0.5, 1e-5);
      }
    }
  }

  // The default stays the projection embeddings.
  StatusOr<ModelOutputs> projection = RunModelOnDataset(bundle_, dataset, indices);
  ASSERT_TRUE(projection.ok());
  EXPECT_EQ(projection->features, FeatureSource::kProjection);
  EXPECT_EQ(projection->embedding_dim, 2 * TinyManifest().projection_dim);
}

TEST(FeatureSource, ParseAndName) {
  for (FeatureSource source : {FeatureSource::kProjection, FeatureSource::kEncoder}) {
    StatusOr<FeatureSource> parsed = ParseFeatureSource(FeatureSourceName(source));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, source);
  }
  EXPECT_STREQ(FeatureSourceName(FeatureSource::kEncoder), "encoder");
  StatusOr<FeatureSource> bad = ParseFeatureSource("pooled");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'pooled'"), std::string::npos);
}

TEST_F(ModelOutputsTest, PermutedClassesAreMappedToManifestOrder) {
  TinyDatasetSpec spec;
  spec.classes = {"Inland waters", "Arable land", "Coniferous forest"};
  auto permuted = TinyDataset(spec);
  auto plain = TinyDataset();
  StatusOr<ModelOutputs> a = RunModelOnDataset(bundle_, permuted, All(*permuted));
  StatusOr<ModelOutputs> b = RunModelOnDataset(bundle_, plain, All(*plain));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->class_names, TinyManifest().class_names);
  EXPECT_EQ(a->scores, b->scores);
  // Manifest class 0 ("Arable land") is dataset class 1 of the permuted set.
  for (size_t r = 0; r < permuted->size(); ++r) {
    EXPECT_EQ(a->targets[r * 3 + 0], permuted->record(r).labels[1]);
    EXPECT_EQ(a->targets[r * 3 + 1], permuted->record(r).labels[2]);
    EXPECT_EQ(a->targets[r * 3 + 2], permuted->record(r).labels[0]);
  }
}

TEST_F(ModelOutputsTest, BandAndClassMismatchesAreNamed) {
  TinyDatasetSpec missing;
  missing.s2_bands = {"B02", "B03", "B04"};
  auto d1 = TinyDataset(missing);
  StatusOr<ModelOutputs> r1 = RunModelOnDataset(bundle_, d1, All(*d1));
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r1.status().message().find("'B08'"), std::string::npos) << r1.status().message();

  TinyDatasetSpec reordered;
  reordered.s1_bands = {"VH", "VV"};
  auto d2 = TinyDataset(reordered);
  StatusOr<ModelOutputs> r2 = RunModelOnDataset(bundle_, d2, All(*d2));
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("order"), std::string::npos) << r2.status().message();

  TinyDatasetSpec other_class;
  other_class.classes = {"Arable land", "Coniferous forest", "Beaches"};
  auto d3 = TinyDataset(other_class);
  StatusOr<ModelOutputs> r3 = RunModelOnDataset(bundle_, d3, All(*d3));
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.status().message().find("'Inland waters'"), std::string::npos)
      << r3.status().message();
}

TEST_F(ModelOutputsTest, MissingModalityPicksTheOtherHeadOrFails) {
  TinyDatasetSpec s2_only;
  s2_only.s1_bands = {};
  auto dataset = TinyDataset(s2_only);
  StatusOr<ModelOutputs> out = RunModelOnDataset(bundle_, dataset, All(*dataset));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->head, HeadChoice::kS2);
  EXPECT_EQ(out->embedding, EmbeddingChoice::kS2);

  ModelRunOptions fused;
  fused.head = HeadChoice::kFused;
  StatusOr<ModelOutputs> bad = RunModelOnDataset(bundle_, dataset, All(*dataset), fused);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Sentinel-1"), std::string::npos);

  EXPECT_FALSE(RunModelOnDataset(bundle_, dataset, {}).ok());
  EXPECT_FALSE(RunModelOnDataset(bundle_, dataset, {dataset->size()}).ok());
  EXPECT_FALSE(RunModelOnDataset(dir_.File("missing.mosaic"), dataset, {0}).ok());
}

}  // namespace
}  // namespace mosaic::eval
