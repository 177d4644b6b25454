// Supervision-aware negatives: the weight matrix and its use in NtXentLoss and
// CrossModalInfoNceLoss. ComputeObjective's use of the option is tested in
// supervision_aware_negatives_objective_test.cpp.
#include "mosaic/losses/supervision_aware_negatives.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "mosaic/losses/cross_modal_infonce.h"
#include "mosaic/losses/nt_xent.h"
#include "naive_losses.h"

namespace mosaic::losses {
namespace {

using testing::ExpectGradientsMatchFiniteDifferences;
using testing::ExpectRelativelyNear;
using testing::Matrix;
using testing::NaiveInfoNce;
using testing::NaiveNegativeWeights;
using testing::NaiveNtXent;
using testing::NaiveWeightedInfoNce;
using testing::NaiveWeightedNtXent;
using testing::RandomEmbeddings;
using testing::RandomLabels;
using testing::ToMask;
using testing::ToMatrix;
using testing::ValueAndGradientsFinite;

const LabelSimilarity kAllKinds[] = {LabelSimilarity::kJaccard, LabelSimilarity::kAnyOverlap,
                                     LabelSimilarity::kExactMatch};
const NegativeMode kWeightedModes[] = {NegativeMode::kRemove, NegativeMode::kDownweight};

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  }
  return "<no error>";
}

// Largest absolute difference of two tensors of the same shape.
double MaxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

// A random batch for the reference comparisons: labels over few classes,
// a random labelled mask, and three planted cases that every similarity kind
// sees: samples 0 and 1 are labelled with the same non-empty set (so even
// exact-match removes / down-weights that pair), and sample 2 is unlabelled
// with NaN labels (which must not reach any value).
struct Batch {
  torch::Tensor labels;    // [n, c] float64
  torch::Tensor labelled;  // [n] bool
};

Batch RandomBatch(int64_t n, int64_t c, uint64_t seed) {
  Batch b;
  b.labels = RandomLabels(n, c, seed, 0.4);
  torch::manual_seed(seed + 1000);
  b.labelled = torch::rand({n}, torch::kDouble) < 0.7;
  if (n >= 3) {
    b.labels[0][0] = 1.0;
    b.labels[1] = b.labels[0];
    b.labelled[0] = true;
    b.labelled[1] = true;
    b.labelled[2] = false;
    b.labels[2] = std::numeric_limits<double>::quiet_NaN();
  }
  return b;
}

TEST(SupervisionAwareNegatives, NamesRoundTripAndDefaultIsOff) {
  EXPECT_EQ(NegativeModeNames(), (std::vector<std::string>{"off", "remove", "downweight"}));
  for (const std::string& name : NegativeModeNames()) {
    EXPECT_EQ(NegativeModeName(ParseNegativeMode(name)), name);
  }
  EXPECT_EQ(ParseNegativeMode("remove"), NegativeMode::kRemove);
  EXPECT_EQ(ParseNegativeMode("downweight"), NegativeMode::kDownweight);
  EXPECT_EQ(ParseNegativeMode("off"), NegativeMode::kOff);
}

TEST(SupervisionAwareNegatives, UnknownNameListsValidNames) {
  for (const char* bad : {"Remove", "down-weight", "", "on"}) {
    const std::string message = ErrorOf([&] { ParseNegativeMode(bad); });
    EXPECT_NE(message.find(std::string("'") + bad + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("off, remove, downweight"), std::string::npos) << message;
  }
}

// Three samples over classes {A, B}: 0 = {A, B}, 1 = {A}, 2 = {A} but
// unlabelled. Jaccard(0, 1) = 1/2; pairs with sample 2 are unknown.
TEST(SupervisionAwareNegatives, HandComputedWeights) {
  const torch::Tensor labels = torch::tensor({1.0, 1.0, 1.0, 0.0, 1.0, 0.0}).view({3, 2});
  const torch::Tensor labelled = torch::tensor({true, true, false});
  const auto weights = [&](LabelSimilarity kind, NegativeMode mode) {
    return SupervisionAwareNegativeWeights(labels, labelled, kind, mode, torch::kDouble);
  };
  const auto matrix = [](double w01) {
    return torch::tensor({1.0, w01, 1.0, w01, 1.0, 1.0, 1.0, 1.0, 1.0}, torch::kDouble)
        .view({3, 3});
  };
  EXPECT_TRUE(torch::equal(weights(LabelSimilarity::kJaccard, NegativeMode::kRemove), matrix(0)));
  EXPECT_TRUE(
      torch::equal(weights(LabelSimilarity::kJaccard, NegativeMode::kDownweight), matrix(0.5)));
  EXPECT_TRUE(
      torch::equal(weights(LabelSimilarity::kAnyOverlap, NegativeMode::kDownweight), matrix(0)));
  // {A, B} != {A}: exact-match sees no shared label set, so nothing changes.
  EXPECT_TRUE(
      torch::equal(weights(LabelSimilarity::kExactMatch, NegativeMode::kRemove), matrix(1)));
  // With sample 2 labelled it shares A with both others.
  const torch::Tensor all = SupervisionAwareNegativeWeights(
      labels, torch::Tensor(), LabelSimilarity::kJaccard, NegativeMode::kRemove, torch::kDouble);
  EXPECT_TRUE(torch::equal(
      all, torch::ones({3, 3}, torch::kDouble) - (1.0 - torch::eye(3, torch::kDouble))));
  EXPECT_FALSE(weights(LabelSimilarity::kJaccard, NegativeMode::kOff).defined());
  EXPECT_EQ(weights(LabelSimilarity::kJaccard, NegativeMode::kRemove).scalar_type(),
            torch::kDouble);
  EXPECT_EQ(SupervisionAwareNegativeWeights(labels, labelled, LabelSimilarity::kJaccard,
                                            NegativeMode::kRemove)
                .scalar_type(),
            torch::kFloat);
}

TEST(SupervisionAwareNegatives, WeightsMatchNaiveDefinition) {
  uint64_t seed = 300;
  for (int64_t n : {1, 2, 5, 9}) {
    const Batch b = RandomBatch(n, 3, seed += 7);
    for (auto kind : kAllKinds) {
      for (auto mode : kWeightedModes) {
        const std::string what =
            LabelSimilarityName(kind) + " " + NegativeModeName(mode) + " n=" + std::to_string(n);
        const torch::Tensor w =
            SupervisionAwareNegativeWeights(b.labels, b.labelled, kind, mode, torch::kDouble);
        ASSERT_EQ(w.sizes(), (std::vector<int64_t>{n, n})) << what;
        EXPECT_FALSE(w.requires_grad());
        EXPECT_TRUE(torch::isfinite(w).all().item<bool>()) << what;
        const Matrix want = NaiveNegativeWeights(ToMatrix(b.labels), ToMask(b.labelled, n),
                                                 LabelSimilarityName(kind), NegativeModeName(mode));
        for (int64_t i = 0; i < n; ++i) {
          for (int64_t k = 0; k < n; ++k) {
            EXPECT_DOUBLE_EQ(w[i][k].item<double>(), want[i][k])
                << what << " (" << i << "," << k << ")";
          }
        }
        if (n >= 3) {
          EXPECT_LT(w[0][1].item<double>(), 1.0) << what;  // the planted pair
        }
      }
    }
  }
}

TEST(SupervisionAwareNegatives, WeightsRejectBadInput) {
  const torch::Tensor labels = RandomLabels(4, 3, 310);
  const auto kind = LabelSimilarity::kJaccard;
  const auto mode = NegativeMode::kRemove;
  EXPECT_NE(ErrorOf([&] {
              SupervisionAwareNegativeWeights(torch::Tensor(), {}, kind, mode);
            }).find("expected [N, C] labels"),
            std::string::npos);
  EXPECT_THROW(SupervisionAwareNegativeWeights(labels.view({-1}), {}, kind, mode), c10::Error);
  EXPECT_NE(ErrorOf([&] {
              SupervisionAwareNegativeWeights(labels, torch::ones({3}, torch::kBool), kind, mode);
            }).find("labelled"),
            std::string::npos);
  EXPECT_THROW(SupervisionAwareNegativeWeights(labels, torch::ones({4}, torch::kInt), kind, mode),
               c10::Error);
  EXPECT_THROW(SupervisionAwareNegativeWeights(labels, {}, kind, mode, torch::kLong), c10::Error);
}

// The hand-worked batch of HandComputedWeights with 2-D unit embeddings and
// tau = 1: z0 = (1, 0), z1 = (0, 1), z2 = (-1, 0), so z0.z1 = z1.z2 = 0,
// z0.z2 = -1 and z.z = 1. Jaccard(0, 1) = 1/2, so w01 = w10 is 0 (remove) or
// 1/2 (downweight); every other weight is 1 (sample 2 is unlabelled).
//
// InfoNCE (s1 = s2 = z, so L = z z^T and both directions are equal), per
// anchor -log(e^1 / sum_k w_ik e^{L_ik}) = log(1 + sum_{k != i} w_ik e^{L_ik - 1}):
//   plain       i=0: log(1 + e^-1 + e^-2)      i=1: log(1 + 2 e^-1)
//   remove      i=0: log(1 + e^-2) = 0.12692801  i=1: log(1 + e^-1) = 0.31326169
//   downweight  i=0: log(1 + e^-1/2 + e^-2) = 0.27708235
//               i=1: log(1 + 3/2 e^-1) = 0.43942790
//   every mode  i=2: log(1 + e^-1 + e^-2) = 0.40760596
//   => plain 0.45555221, remove 0.28259855, downweight 0.37470540 (means over i).
//
// NT-Xent (v1 = v2 = z; each anchor sees the other two samples twice, once per
// view, and its own other view as the positive at s = 1):
//   sample 0  plain log(1 + 2e^-1 + 2e^-2)  remove log(1 + 2e^-2) = 0.23954477
//             downweight log(1 + e^-1 + 2e^-2) = 0.49381171
//   sample 1  plain log(1 + 4e^-1)  remove log(1 + 2e^-1) = 0.55144471
//             downweight log(1 + 3e^-1) = 0.74366838
//   sample 2  every mode log(1 + 2e^-1 + 2e^-2) = 0.69635675
//   => plain 0.76584865, remove 0.49578208, downweight 0.64461228.
TEST(SupervisionAwareNegatives, HandComputedThreeSamples) {
  const torch::Tensor z =
      torch::tensor({1.0, 0.0, 0.0, 1.0, -1.0, 0.0}, torch::kDouble).view({3, 2});
  const torch::Tensor labels = torch::tensor({1.0, 1.0, 1.0, 0.0, 1.0, 0.0}).view({3, 2});
  const torch::Tensor labelled = torch::tensor({true, true, false});
  const auto weights = [&](NegativeMode mode) {
    return SupervisionAwareNegativeWeights(labels, labelled, LabelSimilarity::kJaccard, mode,
                                           torch::kDouble);
  };
  const double e1 = std::exp(-1.0), e2 = std::exp(-2.0);
  const auto nt = NtXentOptions().temperature(1.0);
  const auto ce = CrossModalInfoNceOptions().temperature(1.0);

  const double info_plain = (2.0 * std::log(1 + e1 + e2) + std::log(1 + 2 * e1)) / 3.0;
  const double info_remove = (std::log(1 + e2) + std::log(1 + e1) + std::log(1 + e1 + e2)) / 3.0;
  const double info_down =
      (std::log(1 + 0.5 * e1 + e2) + std::log(1 + 1.5 * e1) + std::log(1 + e1 + e2)) / 3.0;
  EXPECT_NEAR(info_remove, 0.28259855, 1e-8);
  EXPECT_NEAR(info_down, 0.37470540, 1e-8);
  EXPECT_NEAR(CrossModalInfoNceLoss(z, z, ce).item<double>(), info_plain, 1e-12);
  EXPECT_NEAR(CrossModalInfoNceLoss(z, z, ce, weights(NegativeMode::kRemove)).item<double>(),
              info_remove, 1e-12);
  EXPECT_NEAR(CrossModalInfoNceLoss(z, z, ce, weights(NegativeMode::kDownweight)).item<double>(),
              info_down, 1e-12);

  const double nt_plain = (2.0 * std::log(1 + 2 * e1 + 2 * e2) + std::log(1 + 4 * e1)) / 3.0;
  const double nt_remove =
      (std::log(1 + 2 * e2) + std::log(1 + 2 * e1) + std::log(1 + 2 * e1 + 2 * e2)) / 3.0;
  const double nt_down =
      (std::log(1 + e1 + 2 * e2) + std::log(1 + 3 * e1) + std::log(1 + 2 * e1 + 2 * e2)) / 3.0;
  EXPECT_NEAR(nt_remove, 0.49578208, 1e-8);
  EXPECT_NEAR(nt_down, 0.64461228, 1e-8);
  EXPECT_NEAR(NtXentLoss(z, z, nt).item<double>(), nt_plain, 1e-12);
  EXPECT_NEAR(NtXentLoss(z, z, nt, weights(NegativeMode::kRemove)).item<double>(), nt_remove,
              1e-12);
  EXPECT_NEAR(NtXentLoss(z, z, nt, weights(NegativeMode::kDownweight)).item<double>(), nt_down,
              1e-12);
}

// Removing or down-weighting negatives shrinks every denominator, so on any
// batch: plain >= downweight >= remove, strictly when a pair is affected.
TEST(SupervisionAwareNegatives, DownweightLiesBetweenRemoveAndPlain) {
  const Batch b = RandomBatch(8, 3, 320);
  const torch::Tensor v1 = RandomEmbeddings(8, 5, 321), v2 = RandomEmbeddings(8, 5, 322);
  const auto weights = [&](NegativeMode mode) {
    return SupervisionAwareNegativeWeights(b.labels, b.labelled, LabelSimilarity::kJaccard, mode,
                                           torch::kDouble);
  };
  const double nt_plain = NtXentLoss(v1, v2).item<double>();
  const double nt_down = NtXentLoss(v1, v2, {}, weights(NegativeMode::kDownweight)).item<double>();
  const double nt_remove = NtXentLoss(v1, v2, {}, weights(NegativeMode::kRemove)).item<double>();
  EXPECT_GT(nt_plain, nt_down + 1e-6);
  EXPECT_GT(nt_down, nt_remove + 1e-6);
  const double in_plain = CrossModalInfoNceLoss(v1, v2).item<double>();
  const double in_down =
      CrossModalInfoNceLoss(v1, v2, {}, weights(NegativeMode::kDownweight)).item<double>();
  const double in_remove =
      CrossModalInfoNceLoss(v1, v2, {}, weights(NegativeMode::kRemove)).item<double>();
  EXPECT_GT(in_plain, in_down + 1e-6);
  EXPECT_GT(in_down, in_remove + 1e-6);
}

// The tensor-loop references reduce to the (independently written) double
// references when every weight is 1, so they are references, not copies.
TEST(SupervisionAwareNegatives, NaiveReferencesWithUnitWeightsArePlainNaive) {
  const torch::Tensor a = RandomEmbeddings(5, 4, 330), b = RandomEmbeddings(5, 4, 331);
  const Matrix ones(5, std::vector<double>(5, 1.0));
  EXPECT_NEAR(NaiveWeightedNtXent(a, b, ones, 0.3).item<double>(),
              NaiveNtXent(ToMatrix(a), ToMatrix(b), 0.3), 1e-12);
  EXPECT_NEAR(NaiveWeightedInfoNce(a, b, ones, 0.3).item<double>(),
              NaiveInfoNce(ToMatrix(a), ToMatrix(b), 0.3), 1e-12);
}

// Value and autograd gradient of both losses against the naive loops, float64,
// to 1e-10, for every similarity kind and both modes, with unlabelled samples.
TEST(SupervisionAwareNegatives, MatchesNaiveLoopValueAndGradient) {
  uint64_t seed = 400;
  int affected = 0;
  for (int64_t n : {1, 2, 6, 9}) {
    for (double tau : {0.1, 1.0}) {
      const Batch b = RandomBatch(n, 3, seed += 11);
      torch::Tensor v1 = RandomEmbeddings(n, 5, seed + 1);
      torch::Tensor v2 = RandomEmbeddings(n, 5, seed + 2);
      if (n >= 3) {
        // The planted label pair (0, 1) is also close in embedding space, so
        // dropping it changes the loss visibly even at tau = 0.1.
        v1[1] = v1[0] + 0.1 * v1[1];
        v2[1] = v2[0] + 0.1 * v2[1];
      }
      for (auto kind : kAllKinds) {
        for (auto mode : kWeightedModes) {
          for (bool normalize : {true, false}) {
            const std::string what = LabelSimilarityName(kind) + " " + NegativeModeName(mode) +
                                     " n=" + std::to_string(n) + " tau=" + std::to_string(tau) +
                                     " normalize=" + std::to_string(normalize);
            const torch::Tensor w =
                SupervisionAwareNegativeWeights(b.labels, b.labelled, kind, mode, torch::kDouble);
            const Matrix naive_w =
                NaiveNegativeWeights(ToMatrix(b.labels), ToMask(b.labelled, n),
                                     LabelSimilarityName(kind), NegativeModeName(mode));
            // Unnormalised inputs are scaled down so exp() stays tame.
            const double scale = normalize ? 1.0 : 0.4;
            using Loss = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>;
            const Loss nt = [&](const torch::Tensor& x, const torch::Tensor& y) {
              return NtXentLoss(x, y, NtXentOptions().temperature(tau).normalize(normalize), w);
            };
            const Loss nt_naive = [&](const torch::Tensor& x, const torch::Tensor& y) {
              return NaiveWeightedNtXent(x, y, naive_w, tau, normalize);
            };
            const Loss info = [&](const torch::Tensor& x, const torch::Tensor& y) {
              return CrossModalInfoNceLoss(
                  x, y, CrossModalInfoNceOptions().temperature(tau).normalize(normalize), w);
            };
            const Loss info_naive = [&](const torch::Tensor& x, const torch::Tensor& y) {
              return NaiveWeightedInfoNce(x, y, naive_w, tau, normalize);
            };
            for (const auto& [name, got_f, want_f] :
                 {std::tuple<const char*, Loss, Loss>{"NtXent", nt, nt_naive},
                  std::tuple<const char*, Loss, Loss>{"InfoNce", info, info_naive}}) {
              torch::Tensor x1 = (scale * v1).requires_grad_(true);
              torch::Tensor x2 = (scale * v2).requires_grad_(true);
              torch::Tensor y1 = (scale * v1).requires_grad_(true);
              torch::Tensor y2 = (scale * v2).requires_grad_(true);
              const torch::Tensor got = got_f(x1, x2);
              const torch::Tensor want = want_f(y1, y2);
              EXPECT_NEAR(got.item<double>(), want.item<double>(), 1e-10) << name << " " << what;
              const auto g = torch::autograd::grad({got}, {x1, x2});
              const auto h = torch::autograd::grad({want}, {y1, y2});
              EXPECT_LE(MaxAbsDiff(g[0], h[0]), 1e-10) << name << " " << what;
              EXPECT_LE(MaxAbsDiff(g[1], h[1]), 1e-10) << name << " " << what;
            }
            if (n >= 3 && std::abs(NtXentLoss(scale * v1, scale * v2,
                                              NtXentOptions().temperature(tau).normalize(normalize))
                                       .item<double>() -
                                   nt(scale * v1, scale * v2).item<double>()) > 1e-6) {
              ++affected;
            }
          }
        }
      }
    }
  }
  // The weights changed the loss in every case with the planted pair (n >= 3).
  EXPECT_EQ(affected, 2 * 2 * 3 * 2 * 2);
}

// Explicit weights need not be symmetric: entry (i, k) is what anchor i (of
// either modality / view) gives candidate k. Random weights in [0, 1] with
// zeros and a random diagonal (which must be ignored).
TEST(SupervisionAwareNegatives, ExplicitAsymmetricWeightsMatchNaiveLoop) {
  const int64_t n = 6;
  torch::manual_seed(450);
  torch::Tensor w = torch::rand({n, n}, torch::kDouble);
  w = w.masked_fill(w < 0.3, 0.0);
  ASSERT_FALSE(torch::equal(w, w.t()));
  Matrix naive_w = ToMatrix(w);
  for (int64_t i = 0; i < n; ++i) naive_w[i][i] = 1.0;  // never read by the naive loops
  const torch::Tensor v1 = RandomEmbeddings(n, 5, 451), v2 = RandomEmbeddings(n, 5, 452);
  for (double tau : {0.1, 0.7}) {
    torch::Tensor x1 = v1.clone().requires_grad_(true), x2 = v2.clone().requires_grad_(true);
    torch::Tensor y1 = v1.clone().requires_grad_(true), y2 = v2.clone().requires_grad_(true);
    const torch::Tensor got =
        NtXentLoss(x1, x2, NtXentOptions().temperature(tau), w) +
        2.0 * CrossModalInfoNceLoss(x1, x2, CrossModalInfoNceOptions().temperature(tau), w);
    const torch::Tensor want = NaiveWeightedNtXent(y1, y2, naive_w, tau) +
                               2.0 * NaiveWeightedInfoNce(y1, y2, naive_w, tau);
    EXPECT_NEAR(got.item<double>(), want.item<double>(), 1e-10) << tau;
    const auto g = torch::autograd::grad({got}, {x1, x2});
    const auto h = torch::autograd::grad({want}, {y1, y2});
    EXPECT_LE(MaxAbsDiff(g[0], h[0]), 1e-10) << tau;
    EXPECT_LE(MaxAbsDiff(g[1], h[1]), 1e-10) << tau;
    // Transposing the weights changes the InfoNCE value.
    EXPECT_GT(std::abs(CrossModalInfoNceLoss(v1, v2, CrossModalInfoNceOptions().temperature(tau),
                                             w.t().contiguous())
                           .item<double>() -
                       CrossModalInfoNceLoss(v1, v2, CrossModalInfoNceOptions().temperature(tau), w)
                           .item<double>()),
              1e-6)
        << tau;
  }
}

TEST(SupervisionAwareNegatives, GradientMatchesFiniteDifferences) {
  const Batch b = RandomBatch(4, 3, 500);
  for (auto mode : kWeightedModes) {
    const torch::Tensor w = SupervisionAwareNegativeWeights(
        b.labels, b.labelled, LabelSimilarity::kJaccard, mode, torch::kDouble);
    SCOPED_TRACE(NegativeModeName(mode));
    ExpectGradientsMatchFiniteDifferences(
        [&](const std::vector<torch::Tensor>& x) {
          return NtXentLoss(x[0], x[1], NtXentOptions().temperature(0.2), w) +
                 CrossModalInfoNceLoss(x[0], x[1], CrossModalInfoNceOptions().temperature(0.3), w);
        },
        {RandomEmbeddings(4, 3, 501), RandomEmbeddings(4, 3, 502)});
  }
}

// Values and gradients of a loss: identical bit for bit in the checks below.
struct ValueAndGrads {
  torch::Tensor value, grad1, grad2;
};

ValueAndGrads Evaluate(
    const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& loss,
    const torch::Tensor& a, const torch::Tensor& b) {
  torch::Tensor x = a.detach().clone().requires_grad_(true);
  torch::Tensor y = b.detach().clone().requires_grad_(true);
  const torch::Tensor value = loss(x, y);
  const auto g = torch::autograd::grad({value}, {x, y});
  return {value.detach(), g[0], g[1]};
}

void ExpectIdentical(const ValueAndGrads& got, const ValueAndGrads& want, const std::string& what) {
  EXPECT_TRUE(torch::equal(got.value, want.value))
      << what << ": " << got.value.item<double>() << " vs " << want.value.item<double>();
  EXPECT_TRUE(torch::equal(got.grad1, want.grad1)) << what;
  EXPECT_TRUE(torch::equal(got.grad2, want.grad2)) << what;
}

// All-unlabelled batches (labels full of NaN even), all-empty label sets and
// mode off give exactly the plain loss, values and gradients, bit for bit.
TEST(SupervisionAwareNegatives, NothingKnownGivesExactlyThePlainLoss) {
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    const int64_t n = 6;
    const torch::Tensor v1 = RandomEmbeddings(n, 5, 600).to(dtype);
    const torch::Tensor v2 = RandomEmbeddings(n, 5, 601).to(dtype);
    const torch::Tensor nan_labels =
        torch::full({n, 3}, std::numeric_limits<double>::quiet_NaN(), torch::kDouble);
    const torch::Tensor no_one = torch::zeros({n}, torch::kBool);
    const torch::Tensor empty_sets = torch::zeros({n, 3}, torch::kDouble);
    const auto nt = NtXentOptions().temperature(0.1);
    const auto ce = CrossModalInfoNceOptions().temperature(0.1);
    const ValueAndGrads nt_plain = Evaluate(
        [&](const torch::Tensor& x, const torch::Tensor& y) { return NtXentLoss(x, y, nt); }, v1,
        v2);
    const ValueAndGrads info_plain =
        Evaluate([&](const torch::Tensor& x,
                     const torch::Tensor& y) { return CrossModalInfoNceLoss(x, y, ce); },
                 v1, v2);
    for (auto kind : kAllKinds) {
      for (auto mode : {NegativeMode::kOff, NegativeMode::kRemove, NegativeMode::kDownweight}) {
        for (bool all_unlabelled : {true, false}) {
          const std::string what = LabelSimilarityName(kind) + " " + NegativeModeName(mode) +
                                   (all_unlabelled ? " all unlabelled" : " empty label sets");
          const torch::Tensor w =
              all_unlabelled
                  ? SupervisionAwareNegativeWeights(nan_labels, no_one, kind, mode, dtype)
                  : SupervisionAwareNegativeWeights(empty_sets, {}, kind, mode, dtype);
          EXPECT_EQ(w.defined(), mode != NegativeMode::kOff) << what;
          if (w.defined()) {
            EXPECT_TRUE(torch::equal(w, torch::ones({n, n}, dtype))) << what;
          }
          ExpectIdentical(Evaluate([&](const torch::Tensor& x,
                                       const torch::Tensor& y) { return NtXentLoss(x, y, nt, w); },
                                   v1, v2),
                          nt_plain, "NtXent " + what);
          ExpectIdentical(
              Evaluate([&](const torch::Tensor& x,
                           const torch::Tensor& y) { return CrossModalInfoNceLoss(x, y, ce, w); },
                       v1, v2),
              info_plain, "InfoNce " + what);
        }
      }
    }
  }
}

// tau = 0.01 with removed entries and duplicate embeddings: finite values and
// gradients. When every negative is removed, only the positive is left and
// both losses are exactly 0.
TEST(SupervisionAwareNegatives, StableAtLowTemperatureWithRemovedEntries) {
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    const Batch b = RandomBatch(6, 3, 700);
    const torch::Tensor w = SupervisionAwareNegativeWeights(
        b.labels, b.labelled, LabelSimilarity::kAnyOverlap, NegativeMode::kRemove, dtype);
    ASSERT_GT((w == 0).sum().item<int64_t>(), 0);
    torch::Tensor v1 = RandomEmbeddings(6, 8, 701).to(dtype);
    v1[1] = v1[0];  // duplicates, one of them a removed pair (0, 1)
    v1[3] = v1[0];
    torch::Tensor v2 = v1.clone().requires_grad_(true);
    v1.requires_grad_(true);
    const torch::Tensor nt = NtXentLoss(v1, v2, NtXentOptions().temperature(0.01), w);
    EXPECT_TRUE(ValueAndGradientsFinite(nt, {v1, v2}));
    const torch::Tensor info =
        CrossModalInfoNceLoss(v1, v2, CrossModalInfoNceOptions().temperature(0.01), w);
    EXPECT_TRUE(ValueAndGradientsFinite(info, {v1, v2}));

    // Every sample carries class A: every negative is removed.
    const torch::Tensor shared = torch::ones({6, 2}, torch::kDouble);
    const torch::Tensor none = SupervisionAwareNegativeWeights(
        shared, {}, LabelSimilarity::kJaccard, NegativeMode::kRemove, dtype);
    EXPECT_TRUE(torch::equal(none, torch::eye(6, torch::TensorOptions().dtype(dtype))));
    torch::Tensor a = RandomEmbeddings(6, 8, 702).to(dtype).requires_grad_(true);
    torch::Tensor c = RandomEmbeddings(6, 8, 703).to(dtype).requires_grad_(true);
    const torch::Tensor nt_zero = NtXentLoss(a, c, NtXentOptions().temperature(0.01), none);
    EXPECT_EQ(nt_zero.item<double>(), 0.0);
    EXPECT_TRUE(ValueAndGradientsFinite(nt_zero, {a, c}));
    const torch::Tensor info_zero =
        CrossModalInfoNceLoss(a, c, CrossModalInfoNceOptions().temperature(0.01), none);
    EXPECT_EQ(info_zero.item<double>(), 0.0);
    EXPECT_TRUE(ValueAndGradientsFinite(info_zero, {a, c}));
  }
}

// The diagonal of negative_weights is ignored: 0 there neither removes the
// positive nor changes the self-exclusion.
TEST(SupervisionAwareNegatives, DiagonalOfWeightsIsIgnored) {
  const torch::Tensor v1 = RandomEmbeddings(5, 4, 800), v2 = RandomEmbeddings(5, 4, 801);
  torch::Tensor w = 0.5 * torch::ones({5, 5}, torch::kDouble);
  const torch::Tensor zero_diagonal = w - 0.5 * torch::eye(5, torch::kDouble);
  EXPECT_EQ(NtXentLoss(v1, v2, {}, w).item<double>(),
            NtXentLoss(v1, v2, {}, zero_diagonal).item<double>());
  EXPECT_EQ(CrossModalInfoNceLoss(v1, v2, {}, w).item<double>(),
            CrossModalInfoNceLoss(v1, v2, {}, zero_diagonal).item<double>());
  EXPECT_LT(NtXentLoss(v1, v2, {}, w).item<double>(), NtXentLoss(v1, v2).item<double>());
}

TEST(SupervisionAwareNegatives, LossesRejectBadWeights) {
  const torch::Tensor v = RandomEmbeddings(4, 3, 900);
  for (const torch::Tensor& bad :
       {torch::ones({4, 5}, torch::kDouble), torch::ones({3, 3}, torch::kDouble),
        torch::ones({4}, torch::kDouble), torch::ones({4, 4}, torch::kLong)}) {
    const std::string nt = ErrorOf([&] { NtXentLoss(v, v, {}, bad); });
    EXPECT_NE(nt.find("NtXentLoss: negative_weights"), std::string::npos) << nt;
    const std::string info = ErrorOf([&] { CrossModalInfoNceLoss(v, v, {}, bad); });
    EXPECT_NE(info.find("CrossModalInfoNceLoss: negative_weights"), std::string::npos) << info;
  }
  // Float weights with double embeddings are converted.
  EXPECT_NO_THROW(NtXentLoss(v, v, {}, torch::ones({4, 4}, torch::kFloat)));
}

}  // namespace
}  // namespace mosaic::losses
