// ComputeObjective with ObjectiveOptions::supervision_aware_negatives: the
// weights reach L_intra and L_inter (and nothing else), labels are required,
// and a batch without label information trains exactly as with the option off.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "mosaic/losses/objective.h"
#include "mosaic/losses/supervision_aware_negatives.h"
#include "naive_losses.h"

namespace mosaic::losses {
namespace {

using testing::ExpectGradientsMatchFiniteDifferences;
using testing::Matrix;
using testing::NaiveNegativeWeights;
using testing::NaiveWeightedInfoNce;
using testing::NaiveWeightedNtXent;
using testing::RandomEmbeddings;
using testing::RandomLabels;
using testing::ToMask;
using testing::ToMatrix;

constexpr int64_t kN = 7, kD = 4, kC = 3;

// Both modalities with two views and logits, labels, two unlabelled samples
// (1 and 4, with NaN labels), and samples 0 and 3 labelled with the same
// non-empty set (a pair every similarity kind treats as sharing labels).
ObjectiveInputs MakeInputs(uint64_t seed) {
  ObjectiveInputs in;
  in.s1.view1 = RandomEmbeddings(kN, kD, seed + 1);
  in.s1.view2 = RandomEmbeddings(kN, kD, seed + 2);
  in.s2.view1 = RandomEmbeddings(kN, kD, seed + 3);
  in.s2.view2 = RandomEmbeddings(kN, kD, seed + 4);
  in.s1.logits = RandomEmbeddings(kN, kC, seed + 5);
  in.s2.logits = RandomEmbeddings(kN, kC, seed + 6);
  in.fused_logits = RandomEmbeddings(kN, kC, seed + 7);
  in.labels = RandomLabels(kN, kC, seed + 8, 0.5);
  in.labels[0][0] = 1.0;
  in.labels[3] = in.labels[0];
  in.labels[1] = std::nan("");
  in.labels[4] = std::nan("");
  in.labelled = torch::tensor({true, false, true, true, false, true, true});
  return in;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  }
  return "<no error>";
}

TEST(SupervisionAwareNegativesObjective, OffByDefaultInEveryPreset) {
  EXPECT_EQ(ObjectiveOptions().supervision_aware_negatives(), NegativeMode::kOff);
  for (const std::string& preset : ObjectivePresetNames()) {
    EXPECT_EQ(ObjectivePreset(preset).supervision_aware_negatives(), NegativeMode::kOff) << preset;
  }
}

TEST(SupervisionAwareNegativesObjective, WeightsReachIntraAndInterOnly) {
  const ObjectiveInputs in = MakeInputs(10);
  const auto base =
      ObjectiveOptions().lambda_bce(1.0).temperature_intra(0.2).temperature_inter(0.3);
  for (auto kind :
       {LabelSimilarity::kJaccard, LabelSimilarity::kAnyOverlap, LabelSimilarity::kExactMatch}) {
    const ObjectiveResult off = ComputeObjective(in, ObjectiveOptions(base).label_similarity(kind));
    for (auto mode : {NegativeMode::kRemove, NegativeMode::kDownweight}) {
      const std::string what = LabelSimilarityName(kind) + " " + NegativeModeName(mode);
      const ObjectiveResult r = ComputeObjective(
          in, ObjectiveOptions(base).label_similarity(kind).supervision_aware_negatives(mode));
      const Matrix w = NaiveNegativeWeights(ToMatrix(in.labels), ToMask(in.labelled, kN),
                                            LabelSimilarityName(kind), NegativeModeName(mode));
      EXPECT_NEAR(r.intra_s1.item<double>(),
                  NaiveWeightedNtXent(in.s1.view1, in.s1.view2, w, 0.2).item<double>(), 1e-10)
          << what;
      EXPECT_NEAR(r.intra_s2.item<double>(),
                  NaiveWeightedNtXent(in.s2.view1, in.s2.view2, w, 0.2).item<double>(), 1e-10)
          << what;
      EXPECT_NEAR(r.inter.item<double>(),
                  NaiveWeightedInfoNce(in.s1.view1, in.s2.view1, w, 0.3).item<double>(), 1e-10)
          << what;
      // The weights did change the self-supervised terms ...
      EXPECT_LT(r.intra_s1.item<double>(), off.intra_s1.item<double>() - 1e-9) << what;
      EXPECT_LT(r.intra_s2.item<double>(), off.intra_s2.item<double>() - 1e-9) << what;
      EXPECT_LT(r.inter.item<double>(), off.inter.item<double>() - 1e-9) << what;
      // ... and nothing else.
      EXPECT_TRUE(torch::equal(r.sup, off.sup)) << what;
      EXPECT_TRUE(torch::equal(r.bce, off.bce)) << what;
      EXPECT_EQ(r.active_terms, off.active_terms) << what;
      EXPECT_TRUE(std::isfinite(r.total.item<double>())) << what;
    }
  }
}

TEST(SupervisionAwareNegativesObjective, NeedsLabelsAndNamesTheField) {
  ObjectiveInputs in = MakeInputs(20);
  in.labels = torch::Tensor();
  in.labelled = torch::Tensor();
  for (const char* preset : {"simclr", "clip"}) {
    const std::string message = ErrorOf([&] {
      ComputeObjective(in,
                       ObjectivePreset(preset).supervision_aware_negatives(NegativeMode::kRemove));
    });
    EXPECT_NE(message.find("labels are required by supervision_aware_negatives = remove"),
              std::string::npos)
        << preset << ": " << message;
  }
  EXPECT_NO_THROW(ComputeObjective(in, ObjectivePreset("simclr")));
  EXPECT_NO_THROW(ComputeObjective(in, ObjectivePreset("clip")));
}

// No sample labelled: the option has nothing to act on, and every term,
// value and gradient, is exactly what it is with the option off.
TEST(SupervisionAwareNegativesObjective, AllUnlabelledBatchIsExactlyOff) {
  ObjectiveInputs in = MakeInputs(30);
  in.labelled = torch::zeros({kN}, torch::kBool);
  const auto run = [&](NegativeMode mode) {
    ObjectiveInputs v = in;
    v.s1.view1 = in.s1.view1.clone().requires_grad_(true);
    v.s2.view1 = in.s2.view1.clone().requires_grad_(true);
    const ObjectiveResult r =
        ComputeObjective(v, ObjectiveOptions().supervision_aware_negatives(mode));
    const auto g = torch::autograd::grad({r.total}, {v.s1.view1, v.s2.view1});
    return std::vector<torch::Tensor>{
        r.total.detach(), r.intra_s1.detach(), r.intra_s2.detach(), r.inter.detach(), g[0], g[1]};
  };
  const auto off = run(NegativeMode::kOff);
  for (auto mode : {NegativeMode::kRemove, NegativeMode::kDownweight}) {
    const auto got = run(mode);
    for (size_t k = 0; k < off.size(); ++k) {
      EXPECT_TRUE(torch::equal(got[k], off[k])) << NegativeModeName(mode) << " output " << k;
    }
  }
}

TEST(SupervisionAwareNegativesObjective, GradientMatchesFiniteDifferences) {
  const ObjectiveInputs in = MakeInputs(40);
  for (auto mode : {NegativeMode::kRemove, NegativeMode::kDownweight}) {
    SCOPED_TRACE(NegativeModeName(mode));
    const auto options =
        ObjectiveOptions().supervision_aware_negatives(mode).temperature_intra(0.2);
    ExpectGradientsMatchFiniteDifferences(
        [&](const std::vector<torch::Tensor>& x) {
          ObjectiveInputs v = in;
          v.s1.view1 = x[0];
          v.s1.view2 = x[1];
          v.s2.view1 = x[2];
          v.s2.view2 = x[3];
          return ComputeObjective(v, options).total;
        },
        {in.s1.view1, in.s1.view2, in.s2.view1, in.s2.view2});
  }
}

}  // namespace
}  // namespace mosaic::losses
