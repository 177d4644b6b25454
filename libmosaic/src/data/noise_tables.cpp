#include "data/noise_tables.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>

namespace mosaic::data::internal {
namespace {

constexpr double kPi = 3.14159265358979323846;

double GridProbability(int k) {
  return (static_cast<double>(k) + 0.5) / static_cast<double>(kQuantileIntervals + 1);
}

// Solves cdf(x) = p for a continuous, increasing cdf by Newton steps kept
// inside a bracket [lo, hi] (bisection when a step would leave it).
double InvertCdf(const std::function<double(double)>& cdf, const std::function<double(double)>& pdf,
                 double p, double lo, double hi) {
  double x = 0.5 * (lo + hi);
  for (int iter = 0; iter < 200; ++iter) {
    const double f = cdf(x) - p;
    if (f > 0) {
      hi = x;
    } else {
      lo = x;
    }
    const double density = pdf(x);
    double next = density > 0 ? x - f / density : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - x) <= 1e-13 * std::max(1.0, std::abs(x))) return next;
    x = next;
  }
  return x;
}

std::vector<float> Quantiles(const std::function<double(double)>& cdf,
                             const std::function<double(double)>& pdf, double lo, double hi,
                             const std::function<double(double)>& transform) {
  std::vector<float> q(static_cast<size_t>(kQuantileIntervals + 1));
  double bracket_lo = lo;
  for (int k = 0; k <= kQuantileIntervals; ++k) {
    const double x = InvertCdf(cdf, pdf, GridProbability(k), bracket_lo, hi);
    bracket_lo = x * (x > 0 ? 0.999 : 1.001);  // quantiles increase with k
    q[static_cast<size_t>(k)] = static_cast<float>(transform(x));
  }
  return q;
}

// The regularised lower incomplete gamma function P(a, x); log_gamma_a = lgamma(a).
double RegularizedGammaP(double a, double log_gamma_a, double x) {
  if (x <= 0.0) return 0.0;
  const double log_prefix = -x + a * std::log(x) - log_gamma_a;
  if (x < a + 1.0) {  // series (Numerical Recipes gser)
    double ap = a, term = 1.0 / a, sum = term;
    for (int n = 0; n < 10000; ++n) {
      ap += 1.0;
      term *= x / ap;
      sum += term;
      if (std::abs(term) < std::abs(sum) * 1e-16) break;
    }
    return sum * std::exp(log_prefix);
  }
  // Continued fraction for Q(a, x) (modified Lentz; Numerical Recipes gcf).
  constexpr double kTiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / kTiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 10000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::abs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1.0) < 1e-16) break;
  }
  return 1.0 - std::exp(log_prefix) * h;
}

}  // namespace

const QuantileTable& StandardNormalTable() {
  // Never destroyed (a worker thread may still sample it during exit).
  static const QuantileTable* const table = new QuantileTable(
      Quantiles([](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); },
                [](double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi); }, -40.0, 40.0,
                [](double x) { return x; }));
  return *table;
}

std::shared_ptr<const QuantileTable> SpeckleDbTable(double looks) {
  // Never destroyed, like StandardNormalTable().
  static std::mutex* const mu = new std::mutex;
  static auto* const tables = new std::map<double, std::shared_ptr<const QuantileTable>>;
  std::lock_guard<std::mutex> lock(*mu);
  std::shared_ptr<const QuantileTable>& table = (*tables)[looks];
  if (table == nullptr) {
    const double a = looks;
    const double log_gamma_a = std::lgamma(a);  // under the lock: lgamma writes signgam
    // Quantiles of G ~ Gamma(a, 1), then 10 log10(G / a).
    table = std::make_shared<const QuantileTable>(
        Quantiles([a, log_gamma_a](double x) { return RegularizedGammaP(a, log_gamma_a, x); },
                  [a, log_gamma_a](double x) {
                    return x > 0 ? std::exp((a - 1.0) * std::log(x) - x - log_gamma_a) : 0.0;
                  },
                  0.0, 100.0 * a + 100.0, [a](double x) { return 10.0 * std::log10(x / a); }));
  }
  return table;
}

}  // namespace mosaic::data::internal
