// Test-only helpers for the loss tests: deliberately naive reference
// implementations (plain loops over std::vector<double> or over 0-dim
// tensors, exp/log by hand) and a central finite-difference gradient check.
// Nothing here calls the library.
#ifndef MOSAIC_TESTS_LOSSES_NAIVE_LOSSES_H_
#define MOSAIC_TESTS_LOSSES_NAIVE_LOSSES_H_

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mosaic::losses::testing {

using Matrix = std::vector<std::vector<double>>;

inline Matrix ToMatrix(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kDouble).contiguous();
  auto a = c.accessor<double, 2>();
  Matrix m(c.size(0), std::vector<double>(c.size(1)));
  for (int64_t i = 0; i < c.size(0); ++i)
    for (int64_t j = 0; j < c.size(1); ++j) m[i][j] = a[i][j];
  return m;
}

inline std::vector<bool> ToMask(const torch::Tensor& t, int64_t n) {
  std::vector<bool> mask(n, true);
  if (!t.defined()) return mask;
  auto a = t.accessor<bool, 1>();
  for (int64_t i = 0; i < n; ++i) mask[i] = a[i];
  return mask;
}

inline double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (size_t k = 0; k < a.size(); ++k) s += a[k] * b[k];
  return s;
}

inline Matrix NormalizeRows(Matrix m) {
  for (auto& row : m) {
    const double norm = std::sqrt(Dot(row, row));
    for (double& v : row) v /= norm;
  }
  return m;
}

// SimCLR NT-Xent over rows [v1; v2].
inline double NaiveNtXent(const Matrix& v1, const Matrix& v2, double tau, bool normalize = true) {
  Matrix z = v1;
  z.insert(z.end(), v2.begin(), v2.end());
  if (normalize) z = NormalizeRows(z);
  const size_t n2 = z.size(), n = v1.size();
  double total = 0.0;
  for (size_t i = 0; i < n2; ++i) {
    const size_t positive = (i + n) % n2;
    double denominator = 0.0;
    for (size_t k = 0; k < n2; ++k)
      if (k != i) denominator += std::exp(Dot(z[i], z[k]) / tau);
    total += -(Dot(z[i], z[positive]) / tau - std::log(denominator));
  }
  return total / static_cast<double>(n2);
}

// Symmetric InfoNCE between the rows of a and b (row i of each is a pair).
inline double NaiveInfoNce(Matrix a, Matrix b, double tau, bool normalize = true) {
  if (normalize) {
    a = NormalizeRows(a);
    b = NormalizeRows(b);
  }
  const size_t n = a.size();
  double a_to_b = 0.0, b_to_a = 0.0;
  for (size_t i = 0; i < n; ++i) {
    double den_ab = 0.0, den_ba = 0.0;
    for (size_t j = 0; j < n; ++j) {
      den_ab += std::exp(Dot(a[i], b[j]) / tau);
      den_ba += std::exp(Dot(b[i], a[j]) / tau);
    }
    a_to_b += -(Dot(a[i], b[i]) / tau - std::log(den_ab));
    b_to_a += -(Dot(b[i], a[i]) / tau - std::log(den_ba));
  }
  return 0.5 * (a_to_b / n + b_to_a / n);
}

// Label-set similarity from explicit sets. kind: "jaccard", "any-overlap", "exact-match".
inline double NaiveLabelSimilarity(const std::vector<double>& yi, const std::vector<double>& yj,
                                   const std::string& kind) {
  int both = 0, either = 0;
  for (size_t c = 0; c < yi.size(); ++c) {
    const bool a = yi[c] > 0.5, b = yj[c] > 0.5;
    both += (a && b) ? 1 : 0;
    either += (a || b) ? 1 : 0;
  }
  if (either == 0) return 0.0;  // two empty sets
  if (kind == "jaccard") return static_cast<double>(both) / either;
  if (kind == "any-overlap") return both > 0 ? 1.0 : 0.0;
  if (kind == "exact-match") return both == either ? 1.0 : 0.0;
  ADD_FAILURE() << "unknown kind " << kind;
  return 0.0;
}

// Weighted SupCon. w(i, j) gives the pair weight; allowed(i, j) whether j is a
// candidate of anchor i (j != i is enforced here too). Anchors with no
// positive are skipped; 0 if none.
inline double NaiveWeightedSupCon(Matrix z, const std::function<double(size_t, size_t)>& w,
                                  double tau, bool normalize = true,
                                  const std::function<bool(size_t, size_t)>& allowed = nullptr) {
  if (normalize) z = NormalizeRows(z);
  const size_t m = z.size();
  double total = 0.0;
  int anchors = 0;
  for (size_t i = 0; i < m; ++i) {
    double denominator = 0.0, mass = 0.0;
    for (size_t j = 0; j < m; ++j) {
      if (j == i || (allowed && !allowed(i, j))) continue;
      denominator += std::exp(Dot(z[i], z[j]) / tau);
      mass += w(i, j);
    }
    if (mass <= 0.0) continue;
    double numerator = 0.0;
    for (size_t j = 0; j < m; ++j) {
      if (j == i || (allowed && !allowed(i, j))) continue;
      const double weight = w(i, j);
      if (weight > 0.0) numerator += weight * (Dot(z[i], z[j]) / tau - std::log(denominator));
    }
    total += -numerator / mass;
    ++anchors;
  }
  return anchors == 0 ? 0.0 : total / anchors;
}

// Multi-label SupCon over the labelled rows only.
inline double NaiveMultiLabelSupCon(const Matrix& embeddings, const Matrix& labels,
                                    const std::vector<bool>& labelled, const std::string& kind,
                                    double tau, bool normalize = true) {
  Matrix z, y;
  for (size_t i = 0; i < embeddings.size(); ++i) {
    if (!labelled[i]) continue;
    z.push_back(embeddings[i]);
    y.push_back(labels[i]);
  }
  return NaiveWeightedSupCon(
      z, [&](size_t i, size_t j) { return NaiveLabelSimilarity(y[i], y[j], kind); }, tau,
      normalize);
}

// Supervision-aware negative weights w[i][k]: for i != k both labelled,
// "remove": 0 if the label sets are similar at all, else 1; "downweight":
// 1 - sim. Pairs with an unlabelled sample, and the diagonal, are 1.
inline Matrix NaiveNegativeWeights(const Matrix& labels, const std::vector<bool>& labelled,
                                   const std::string& kind, const std::string& mode) {
  const size_t n = labels.size();
  Matrix w(n, std::vector<double>(n, 1.0));
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < n; ++k) {
      if (i == k || !labelled[i] || !labelled[k]) continue;
      const double sim = NaiveLabelSimilarity(labels[i], labels[k], kind);
      if (mode == "remove") {
        w[i][k] = sim > 0.0 ? 0.0 : 1.0;
      } else if (mode == "downweight") {
        w[i][k] = 1.0 - sim;
      } else {
        ADD_FAILURE() << "unknown mode " << mode;
      }
    }
  }
  return w;
}

// The naive losses below loop over 0-dim tensor operations (no matrix
// products, no log-softmax), so autograd can differentiate them and their
// gradients can be compared with the library's.
inline torch::Tensor NaiveNormalizeRow(const torch::Tensor& row, bool normalize) {
  return normalize ? row / torch::sqrt((row * row).sum()) : row;
}

// NT-Xent over rows [v1; v2] with per-sample negative weights: anchor row i
// (sample i mod n) weights candidate row k (sample k mod n) by
// w[i mod n][k mod n]; the positive has weight 1; a weight of 0 skips the
// candidate. With w == 1 everywhere this is NaiveNtXent.
inline torch::Tensor NaiveWeightedNtXent(const torch::Tensor& v1, const torch::Tensor& v2,
                                         const Matrix& w, double tau, bool normalize = true) {
  const int64_t n = v1.size(0);
  std::vector<torch::Tensor> z;
  for (int64_t i = 0; i < n; ++i) z.push_back(NaiveNormalizeRow(v1[i], normalize));
  for (int64_t i = 0; i < n; ++i) z.push_back(NaiveNormalizeRow(v2[i], normalize));
  torch::Tensor total = torch::zeros({}, v1.options());
  for (int64_t i = 0; i < 2 * n; ++i) {
    const int64_t positive = (i + n) % (2 * n);
    torch::Tensor denominator = torch::zeros({}, v1.options());
    for (int64_t k = 0; k < 2 * n; ++k) {
      if (k == i) continue;
      const double weight = k == positive ? 1.0 : w[i % n][k % n];
      if (weight == 0.0) continue;
      denominator = denominator + weight * torch::exp((z[i] * z[k]).sum() / tau);
    }
    total = total - ((z[i] * z[positive]).sum() / tau - torch::log(denominator));
  }
  return total / static_cast<double>(2 * n);
}

// Symmetric InfoNCE between the rows of a and b with negative weights: anchor
// i (of either modality) weights candidate k of the other modality by w[i][k];
// the positive (k == i) has weight 1; a weight of 0 skips the candidate.
inline torch::Tensor NaiveWeightedInfoNce(const torch::Tensor& a, const torch::Tensor& b,
                                          const Matrix& w, double tau, bool normalize = true) {
  const int64_t n = a.size(0);
  std::vector<torch::Tensor> za, zb;
  for (int64_t i = 0; i < n; ++i) {
    za.push_back(NaiveNormalizeRow(a[i], normalize));
    zb.push_back(NaiveNormalizeRow(b[i], normalize));
  }
  torch::Tensor a_to_b = torch::zeros({}, a.options());
  torch::Tensor b_to_a = torch::zeros({}, a.options());
  for (int64_t i = 0; i < n; ++i) {
    torch::Tensor den_ab = torch::zeros({}, a.options());
    torch::Tensor den_ba = torch::zeros({}, a.options());
    for (int64_t k = 0; k < n; ++k) {
      const double weight = k == i ? 1.0 : w[i][k];
      if (weight == 0.0) continue;
      den_ab = den_ab + weight * torch::exp((za[i] * zb[k]).sum() / tau);
      den_ba = den_ba + weight * torch::exp((zb[i] * za[k]).sum() / tau);
    }
    a_to_b = a_to_b - ((za[i] * zb[i]).sum() / tau - torch::log(den_ab));
    b_to_a = b_to_a - ((zb[i] * za[i]).sum() / tau - torch::log(den_ba));
  }
  return 0.5 * (a_to_b + b_to_a) / static_cast<double>(n);
}

// Mean BCE-with-logits over labelled rows and all classes.
inline double NaiveBce(const Matrix& logits, const Matrix& labels,
                       const std::vector<bool>& labelled) {
  double total = 0.0;
  int count = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    if (!labelled[i]) continue;
    for (size_t c = 0; c < logits[i].size(); ++c) {
      const double x = logits[i][c], t = labels[i][c];
      const double p = 1.0 / (1.0 + std::exp(-x));
      total += -(t * std::log(p) + (1.0 - t) * std::log(1.0 - p));
      ++count;
    }
  }
  return count == 0 ? 0.0 : total / count;
}

// Random [n, d] float64 embeddings (not normalised).
inline torch::Tensor RandomEmbeddings(int64_t n, int64_t d, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randn({n, d}, torch::kDouble);
}

// Random [n, c] multi-hot float64 labels, each class present with prob. p.
inline torch::Tensor RandomLabels(int64_t n, int64_t c, uint64_t seed, double p = 0.35) {
  torch::manual_seed(seed);
  return (torch::rand({n, c}, torch::kDouble) < p).to(torch::kDouble);
}

inline void ExpectRelativelyNear(double actual, double expected, double rel = 1e-5,
                                 const std::string& what = "") {
  EXPECT_NEAR(actual, expected, rel * std::max(1.0, std::abs(expected))) << what;
}

// Compares autograd gradients of f with respect to each input against central
// differences in double precision. Inputs must be float64.
inline void ExpectGradientsMatchFiniteDifferences(
    const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& f,
    std::vector<torch::Tensor> inputs, double h = 1e-6, double atol = 1e-6, double rtol = 1e-4) {
  for (auto& x : inputs) x = x.detach().clone().set_requires_grad(true);
  const torch::Tensor value = f(inputs);
  ASSERT_EQ(value.dim(), 0);
  const auto grads = torch::autograd::grad({value}, inputs, {}, false, false, true);
  torch::NoGradGuard no_grad;
  for (size_t k = 0; k < inputs.size(); ++k) {
    ASSERT_TRUE(grads[k].defined()) << "input " << k << " got no gradient";
    ASSERT_TRUE(torch::isfinite(grads[k]).all().item<bool>()) << "input " << k;
    torch::Tensor flat = inputs[k].view(-1);
    const torch::Tensor analytic = grads[k].reshape(-1);
    for (int64_t e = 0; e < flat.numel(); ++e) {
      const double saved = flat[e].item<double>();
      flat[e] = saved + h;
      const double plus = f(inputs).item<double>();
      flat[e] = saved - h;
      const double minus = f(inputs).item<double>();
      flat[e] = saved;
      const double numeric = (plus - minus) / (2.0 * h);
      const double a = analytic[e].item<double>();
      EXPECT_NEAR(a, numeric, atol + rtol * std::abs(numeric))
          << "input " << k << ", element " << e;
    }
  }
}

// True when the value and the gradients w.r.t. every input are finite.
inline bool ValueAndGradientsFinite(const torch::Tensor& value,
                                    const std::vector<torch::Tensor>& inputs) {
  if (!std::isfinite(value.item<double>())) return false;
  const auto grads = torch::autograd::grad({value}, inputs, {}, false, false, true);
  for (const auto& g : grads) {
    if (!g.defined() || !torch::isfinite(g).all().item<bool>()) return false;
  }
  return true;
}

}  // namespace mosaic::losses::testing

#endif  // MOSAIC_TESTS_LOSSES_NAIVE_LOSSES_H_
