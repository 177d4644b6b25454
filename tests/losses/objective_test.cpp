#include "mosaic/losses/objective.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "naive_losses.h"

namespace mosaic::losses {
namespace {

using testing::ExpectGradientsMatchFiniteDifferences;
using testing::ExpectRelativelyNear;
using testing::Matrix;
using testing::NaiveBce;
using testing::NaiveInfoNce;
using testing::NaiveLabelSimilarity;
using testing::NaiveNtXent;
using testing::NaiveWeightedSupCon;
using testing::RandomEmbeddings;
using testing::RandomLabels;
using testing::ToMask;
using testing::ToMatrix;

constexpr int64_t kN = 6, kD = 4, kC = 3;

// A full batch: both modalities with two views and logits, fused logits,
// labels, and (optionally) two unlabelled samples.
ObjectiveInputs MakeInputs(uint64_t seed, bool with_unlabelled = true) {
  ObjectiveInputs in;
  in.s1.view1 = RandomEmbeddings(kN, kD, seed + 1);
  in.s1.view2 = RandomEmbeddings(kN, kD, seed + 2);
  in.s2.view1 = RandomEmbeddings(kN, kD, seed + 3);
  in.s2.view2 = RandomEmbeddings(kN, kD, seed + 4);
  in.s1.logits = RandomEmbeddings(kN, kC, seed + 5);
  in.s2.logits = RandomEmbeddings(kN, kC, seed + 6);
  in.fused_logits = RandomEmbeddings(kN, kC, seed + 7);
  in.labels = RandomLabels(kN, kC, seed + 8, 0.5);
  if (with_unlabelled) in.labelled = torch::tensor({true, false, true, true, false, true});
  return in;
}

// Naive L_sup: rows in the order of `views`, each with its sample's labels,
// unlabelled samples dropped; optionally only cross-modal pairs.
double NaiveSup(const ObjectiveInputs& in, const std::vector<std::pair<torch::Tensor, int>>& views,
                double tau, const std::string& kind, bool cross_modal_only = false) {
  const auto labels = ToMatrix(in.labels);
  const auto labelled = ToMask(in.labelled, kN);
  Matrix z, y;
  std::vector<int> modality;
  for (const auto& [view, m] : views) {
    const auto rows = ToMatrix(view);
    for (int64_t i = 0; i < kN; ++i) {
      if (!labelled[i]) continue;
      z.push_back(rows[i]);
      y.push_back(labels[i]);
      modality.push_back(m);
    }
  }
  return NaiveWeightedSupCon(
      z, [&](size_t i, size_t j) { return NaiveLabelSimilarity(y[i], y[j], kind); }, tau, true,
      [&](size_t i, size_t j) { return !cross_modal_only || modality[i] != modality[j]; });
}

double NaiveAllBce(const ObjectiveInputs& in) {
  const auto labels = ToMatrix(in.labels);
  const auto labelled = ToMask(in.labelled, kN);
  return (NaiveBce(ToMatrix(in.fused_logits), labels, labelled) +
          NaiveBce(ToMatrix(in.s1.logits), labels, labelled) +
          NaiveBce(ToMatrix(in.s2.logits), labels, labelled)) /
         3.0;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  }
  return "<no error>";
}

TEST(Objective, PresetNamesAndWeights) {
  EXPECT_EQ(ObjectivePresetNames(),
            (std::vector<std::string>{"supervised", "simclr", "clip", "supcon", "mosaic"}));
  struct Want {
    const char* name;
    double intra, inter, sup, bce;
  };
  for (const Want& w :
       {Want{"supervised", 0, 0, 0, 1}, Want{"simclr", 1, 0, 0, 0}, Want{"clip", 0, 1, 0, 0},
        Want{"supcon", 0, 0, 1, 0}, Want{"mosaic", 1, 1, 1, 0}}) {
    const ObjectiveOptions o = ObjectivePreset(w.name);
    EXPECT_EQ(o.lambda_intra(), w.intra) << w.name;
    EXPECT_EQ(o.lambda_inter(), w.inter) << w.name;
    EXPECT_EQ(o.lambda_sup(), w.sup) << w.name;
    EXPECT_EQ(o.lambda_bce(), w.bce) << w.name;
    EXPECT_EQ(o.temperature_intra(), 0.1);
    EXPECT_EQ(o.label_similarity(), LabelSimilarity::kJaccard);
  }
  // The default options are the mosaic preset.
  const ObjectiveOptions d;
  EXPECT_EQ(d.lambda_intra(), 1.0);
  EXPECT_EQ(d.lambda_inter(), 1.0);
  EXPECT_EQ(d.lambda_sup(), 1.0);
  EXPECT_EQ(d.lambda_bce(), 0.0);
}

TEST(Objective, UnknownPresetListsValidNames) {
  const std::string message = ErrorOf([] { ObjectivePreset("moco"); });
  EXPECT_NE(message.find("'moco'"), std::string::npos) << message;
  EXPECT_NE(message.find("supervised, simclr, clip, supcon, mosaic"), std::string::npos) << message;
}

TEST(Objective, PresetsSelectTheRightTerms) {
  const ObjectiveInputs in = MakeInputs(10);
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"supervised", {"bce"}},
      {"simclr", {"intra_s1", "intra_s2"}},
      {"clip", {"inter"}},
      {"supcon", {"sup"}},
      {"mosaic", {"intra_s1", "intra_s2", "inter", "sup"}}};
  for (const auto& [preset, terms] : cases) {
    const ObjectiveResult r = ComputeObjective(in, ObjectivePreset(preset));
    EXPECT_EQ(r.active_terms, terms) << preset;
    double sum = 0.0;
    for (const char* name : {"intra_s1", "intra_s2", "inter", "sup", "bce"}) {
      const torch::Tensor& t = r.Term(name);
      ASSERT_TRUE(t.defined()) << preset << " " << name;
      EXPECT_EQ(t.dim(), 0) << preset << " " << name;
      const bool active = std::find(terms.begin(), terms.end(), name) != terms.end();
      if (active) {
        EXPECT_GT(t.item<double>(), 0.0) << preset << " " << name;
      } else {
        EXPECT_EQ(t.item<double>(), 0.0) << preset << " " << name;
      }
      sum += t.item<double>();
    }
    EXPECT_NEAR(r.total.item<double>(), sum, 1e-12) << preset;
  }
}

TEST(Objective, TermsMatchNaiveReferences) {
  for (bool with_unlabelled : {false, true}) {
    const ObjectiveInputs in = MakeInputs(20, with_unlabelled);
    const auto options = ObjectiveOptions()
                             .lambda_bce(1.0)
                             .temperature_intra(0.2)
                             .temperature_inter(0.3)
                             .temperature_sup(0.07);
    const ObjectiveResult r = ComputeObjective(in, options);
    ExpectRelativelyNear(r.intra_s1.item<double>(),
                         NaiveNtXent(ToMatrix(in.s1.view1), ToMatrix(in.s1.view2), 0.2));
    ExpectRelativelyNear(r.intra_s2.item<double>(),
                         NaiveNtXent(ToMatrix(in.s2.view1), ToMatrix(in.s2.view2), 0.2));
    ExpectRelativelyNear(r.inter.item<double>(),
                         NaiveInfoNce(ToMatrix(in.s1.view1), ToMatrix(in.s2.view1), 0.3));
    ExpectRelativelyNear(
        r.sup.item<double>(),
        NaiveSup(in, {{in.s1.view1, 1}, {in.s1.view2, 1}, {in.s2.view1, 2}, {in.s2.view2, 2}}, 0.07,
                 "jaccard"));
    ExpectRelativelyNear(r.bce.item<double>(), NaiveAllBce(in));
  }
}

TEST(Objective, SupEmbeddingSelectionOptions) {
  const ObjectiveInputs in = MakeInputs(30);
  for (auto kind :
       {LabelSimilarity::kJaccard, LabelSimilarity::kAnyOverlap, LabelSimilarity::kExactMatch}) {
    const std::string name = LabelSimilarityName(kind);
    auto options = ObjectivePreset("supcon").label_similarity(kind).sup_use_second_views(false);
    ExpectRelativelyNear(ComputeObjective(in, options).sup.item<double>(),
                         NaiveSup(in, {{in.s1.view1, 1}, {in.s2.view1, 2}}, 0.1, name), 1e-5,
                         name + " first views");
    options.sup_use_second_views(true).sup_cross_modal_only(true);
    ExpectRelativelyNear(
        ComputeObjective(in, options).sup.item<double>(),
        NaiveSup(in, {{in.s1.view1, 1}, {in.s1.view2, 1}, {in.s2.view1, 2}, {in.s2.view2, 2}}, 0.1,
                 name, /*cross_modal_only=*/true),
        1e-5, name + " cross-modal");
  }
}

TEST(Objective, LambdaWeightsScaleTerms) {
  const ObjectiveInputs in = MakeInputs(40);
  const ObjectiveResult unit = ComputeObjective(in, ObjectiveOptions().lambda_bce(1.0));
  const ObjectiveResult r = ComputeObjective(
      in, ObjectiveOptions().lambda_intra(0.5).lambda_inter(2.0).lambda_sup(3.0).lambda_bce(0.25));
  for (const char* name : {"intra_s1", "intra_s2", "inter", "sup", "bce"}) {
    EXPECT_NEAR(r.Term(name).item<double>(), unit.Term(name).item<double>(), 1e-12) << name;
  }
  const double want = 0.5 * (unit.intra_s1.item<double>() + unit.intra_s2.item<double>()) +
                      2.0 * unit.inter.item<double>() + 3.0 * unit.sup.item<double>() +
                      0.25 * unit.bce.item<double>();
  EXPECT_NEAR(r.total.item<double>(), want, 1e-12);
}

TEST(Objective, MissingInputsAreReported) {
  const auto expect_error = [](ObjectiveInputs in, const std::string& preset,
                               const std::string& needle) {
    const std::string message = ErrorOf([&] { ComputeObjective(in, ObjectivePreset(preset)); });
    EXPECT_NE(message.find(needle), std::string::npos)
        << preset << ": expected '" << needle << "' in: " << message;
  };
  ObjectiveInputs in = MakeInputs(50);
  in.s1.view2 = torch::Tensor();
  expect_error(in, "simclr", "s1.view2 is required by the intra-modal term");
  expect_error(in, "mosaic", "s1.view2 is required by the intra-modal term");

  in = MakeInputs(50);
  in.s1.view1 = in.s1.view2 = in.s2.view1 = in.s2.view2 = torch::Tensor();
  expect_error(in, "simclr", "needs view1 and view2 of at least one modality");
  expect_error(in, "supcon", "needs s1.view1 or s2.view1");

  in = MakeInputs(50);
  in.s2 = ModalityInputs();
  expect_error(in, "clip", "s2.view1 is required by the inter-modal term");
  expect_error(in, "mosaic", "s2.view1 is required by the inter-modal term");
  expect_error(in, "clip", "s2.view1 is required");
  EXPECT_NE(ErrorOf([&] {
              ComputeObjective(in, ObjectivePreset("supcon").sup_cross_modal_only(true));
            }).find("sup_cross_modal_only needs s1.view1 and s2.view1"),
            std::string::npos);

  in = MakeInputs(50);
  in.labels = torch::Tensor();
  in.labelled = torch::Tensor();
  expect_error(in, "supcon", "labels are required by the supervised contrastive term");
  expect_error(in, "supervised", "labels are required by the BCE term");
  EXPECT_NO_THROW(ComputeObjective(in, ObjectivePreset("simclr")));
  EXPECT_NO_THROW(ComputeObjective(in, ObjectivePreset("clip")));

  in = MakeInputs(50);
  in.fused_logits = in.s1.logits = in.s2.logits = torch::Tensor();
  expect_error(in, "supervised", "needs at least one of fused_logits, s1.logits, s2.logits");
}

TEST(Objective, RejectsInconsistentInputs) {
  const auto error_of = [](const ObjectiveInputs& in) {
    return ErrorOf([&] { ComputeObjective(in, ObjectiveOptions().lambda_bce(1.0)); });
  };
  ObjectiveInputs in = MakeInputs(60);
  in.s2.view2 = RandomEmbeddings(kN + 1, kD, 61);
  EXPECT_NE(error_of(in).find("s2.view2 has 7 rows but s1.view1 has 6"), std::string::npos)
      << error_of(in);
  in = MakeInputs(60);
  in.s2.view1 = RandomEmbeddings(kN, kD + 1, 62);
  EXPECT_NE(error_of(in).find("s2.view1 has D = 5"), std::string::npos) << error_of(in);
  in = MakeInputs(60);
  in.fused_logits = RandomEmbeddings(kN, kC + 1, 63);
  EXPECT_NE(error_of(in).find("fused_logits has C = 4"), std::string::npos) << error_of(in);
  in = MakeInputs(60);
  in.labelled = torch::ones({kN}, torch::kInt);
  EXPECT_NE(error_of(in).find("labelled"), std::string::npos) << error_of(in);
  in = MakeInputs(60);
  in.s1.view1 = torch::Tensor();
  EXPECT_NE(error_of(in).find("s1.view2 is given without s1.view1"), std::string::npos);
  in = MakeInputs(60);
  in.s1.view1 = in.s1.view1.to(torch::kFloat);
  EXPECT_NE(error_of(in).find("s1.view2 is Double but s1.view1 is Float"), std::string::npos)
      << error_of(in);
  EXPECT_NE(ErrorOf([] { ComputeObjective(ObjectiveInputs()); }).find("every tensor is undefined"),
            std::string::npos);
}

TEST(Objective, RejectsInvalidOptions) {
  const ObjectiveInputs in = MakeInputs(70);
  EXPECT_NE(ErrorOf([&] {
              ComputeObjective(in, ObjectiveOptions().lambda_inter(-1.0));
            }).find("lambda_inter must be finite and >= 0"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] {
              ComputeObjective(in, ObjectivePreset("clip").lambda_inter(0.0));
            }).find("every lambda is 0"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] {
              ComputeObjective(in, ObjectiveOptions().temperature_sup(0.0));
            }).find("temperature_sup"),
            std::string::npos);
}

TEST(Objective, SingleModalityBatches) {
  ObjectiveInputs in = MakeInputs(80);
  in.s1 = ModalityInputs();
  EXPECT_EQ(ComputeObjective(in, ObjectivePreset("simclr")).active_terms,
            std::vector<std::string>{"intra_s2"});
  const ObjectiveResult sup = ComputeObjective(in, ObjectivePreset("supcon"));
  ExpectRelativelyNear(sup.sup.item<double>(),
                       NaiveSup(in, {{in.s2.view1, 2}, {in.s2.view2, 2}}, 0.1, "jaccard"));
  const ObjectiveResult bce = ComputeObjective(in, ObjectivePreset("supervised"));
  const auto labelled = ToMask(in.labelled, kN);
  ExpectRelativelyNear(bce.bce.item<double>(),
                       (NaiveBce(ToMatrix(in.fused_logits), ToMatrix(in.labels), labelled) +
                        NaiveBce(ToMatrix(in.s2.logits), ToMatrix(in.labels), labelled)) /
                           2.0);
  // A modality with logits only counts as present for BCE, not for intra.
  in = MakeInputs(80);
  in.s1.view1 = in.s1.view2 = torch::Tensor();
  EXPECT_EQ(ComputeObjective(in, ObjectivePreset("simclr")).active_terms,
            std::vector<std::string>{"intra_s2"});
}

TEST(Objective, UnlabelledSamplesEnterSelfSupervisedTermsOnly) {
  const ObjectiveInputs in = MakeInputs(90);  // samples 1 and 4 unlabelled
  const auto options = ObjectiveOptions().lambda_bce(1.0);
  const ObjectiveResult base = ComputeObjective(in, options);
  ObjectiveInputs changed = in;
  changed.s1.view1 = in.s1.view1.clone();
  changed.s1.view1[1] = -in.s1.view1[1];
  changed.s1.logits = in.s1.logits.clone();
  changed.s1.logits[4] = 5.0;
  changed.labels = in.labels.clone();
  changed.labels[4] = std::nan("");
  const ObjectiveResult r = ComputeObjective(changed, options);
  EXPECT_NEAR(r.sup.item<double>(), base.sup.item<double>(), 1e-12);
  EXPECT_NEAR(r.bce.item<double>(), base.bce.item<double>(), 1e-12);
  EXPECT_GT(std::abs(r.intra_s1.item<double>() - base.intra_s1.item<double>()), 1e-6);
  EXPECT_GT(std::abs(r.inter.item<double>() - base.inter.item<double>()), 1e-6);
  EXPECT_TRUE(std::isfinite(r.total.item<double>()));
}

TEST(Objective, AllUnlabelledBatchBackpropagates) {
  ObjectiveInputs in = MakeInputs(100);
  in.labelled = torch::zeros({kN}, torch::kBool);
  std::vector<torch::Tensor*> leaves = {&in.s1.view1,  &in.s1.view2,  &in.s2.view1,    &in.s2.view2,
                                        &in.s1.logits, &in.s2.logits, &in.fused_logits};
  for (torch::Tensor* t : leaves) t->requires_grad_(true);
  // Supervised-only: both terms are connected zeros.
  ObjectiveResult r = ComputeObjective(in, ObjectivePreset("supcon").lambda_bce(1.0));
  EXPECT_EQ(r.total.item<double>(), 0.0);
  r.total.backward();
  for (torch::Tensor* t : leaves) {
    ASSERT_TRUE(t->grad().defined());
    EXPECT_EQ(t->grad().abs().sum().item<double>(), 0.0);
  }
  // Full objective: finite, driven by the self-supervised terms.
  r = ComputeObjective(in, ObjectiveOptions().lambda_bce(1.0).temperature_intra(0.01));
  r.total.backward();
  EXPECT_TRUE(std::isfinite(r.total.item<double>()));
  EXPECT_GT(r.total.item<double>(), 0.0);
  for (torch::Tensor* t : leaves) EXPECT_TRUE(torch::isfinite(t->grad()).all().item<bool>());
}

TEST(Objective, GradientMatchesFiniteDifferences) {
  const ObjectiveInputs in = MakeInputs(110);
  const auto options = ObjectiveOptions().lambda_bce(0.5).lambda_inter(2.0).temperature_sup(0.2);
  ExpectGradientsMatchFiniteDifferences(
      [&](const std::vector<torch::Tensor>& x) {
        ObjectiveInputs v = in;
        v.s1.view1 = x[0];
        v.s1.view2 = x[1];
        v.s2.view1 = x[2];
        v.s2.view2 = x[3];
        v.s1.logits = x[4];
        v.s2.logits = x[5];
        v.fused_logits = x[6];
        return ComputeObjective(v, options).total;
      },
      {in.s1.view1, in.s1.view2, in.s2.view1, in.s2.view2, in.s1.logits, in.s2.logits,
       in.fused_logits});
}

TEST(Objective, Float32InputsGiveFloat32Terms) {
  ObjectiveInputs in = MakeInputs(120);
  for (torch::Tensor* t : {&in.s1.view1, &in.s1.view2, &in.s2.view1, &in.s2.view2, &in.s1.logits,
                           &in.s2.logits, &in.fused_logits}) {
    *t = t->to(torch::kFloat);
  }
  const ObjectiveResult r = ComputeObjective(in, ObjectivePreset("clip"));
  EXPECT_EQ(r.total.scalar_type(), torch::kFloat);
  EXPECT_EQ(r.sup.scalar_type(), torch::kFloat);  // inactive zero
  EXPECT_THROW(r.Term("nope"), c10::Error);
  EXPECT_TRUE(r.Term("total").equal(r.total));
}

TEST(MultiLabelBce, MatchesNaiveLoop) {
  const torch::Tensor logits = 3.0 * RandomEmbeddings(7, 4, 130);
  const torch::Tensor labels = RandomLabels(7, 4, 131);
  const torch::Tensor labelled = torch::tensor({true, true, false, true, false, true, true});
  ExpectRelativelyNear(MultiLabelBceLoss(logits, labels).item<double>(),
                       NaiveBce(ToMatrix(logits), ToMatrix(labels), std::vector<bool>(7, true)));
  ExpectRelativelyNear(MultiLabelBceLoss(logits, labels, labelled).item<double>(),
                       NaiveBce(ToMatrix(logits), ToMatrix(labels), ToMask(labelled, 7)));
}

TEST(MultiLabelBce, GradientMatchesFiniteDifferences) {
  const torch::Tensor labels = RandomLabels(5, 3, 140);
  const torch::Tensor labelled = torch::tensor({true, false, true, true, false});
  ExpectGradientsMatchFiniteDifferences(
      [&](const std::vector<torch::Tensor>& x) {
        return MultiLabelBceLoss(x[0], labels, labelled);
      },
      {RandomEmbeddings(5, 3, 141)});
}

TEST(MultiLabelBce, NoLabelledRowIsConnectedZero) {
  torch::Tensor logits = RandomEmbeddings(3, 2, 150).requires_grad_(true);
  const torch::Tensor loss =
      MultiLabelBceLoss(logits, RandomLabels(3, 2, 151), torch::zeros({3}, torch::kBool));
  EXPECT_EQ(loss.item<double>(), 0.0);
  loss.backward();
  EXPECT_TRUE(torch::equal(logits.grad(), torch::zeros_like(logits)));
  EXPECT_THROW(MultiLabelBceLoss(logits, RandomLabels(3, 3, 152)), c10::Error);
}

}  // namespace
}  // namespace mosaic::losses
