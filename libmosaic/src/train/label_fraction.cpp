#include "mosaic/train/label_fraction.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "common/xoshiro256.h"

namespace mosaic::train {
namespace {

// A seeded Fisher-Yates shuffle with the portable engine.
void Shuffle(std::vector<size_t>* items, internal::Xoshiro256* rng) {
  for (size_t i = items->size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng->Next() % i);
    std::swap((*items)[i - 1], (*items)[j]);
  }
}

}  // namespace

StatusOr<std::vector<bool>> SelectLabelledSubset(const std::vector<std::vector<uint8_t>>& labels,
                                                 double fraction, uint64_t seed) {
  if (!(fraction >= 0.0 && fraction <= 1.0)) {
    return Status::InvalidArgument("label fraction: expected a value in [0, 1], got " +
                                   std::to_string(fraction));
  }
  const size_t n = labels.size();
  const size_t num_classes = n == 0 ? 0 : labels[0].size();
  for (size_t i = 0; i < n; ++i) {
    if (labels[i].size() != num_classes) {
      return Status::InvalidArgument("label fraction: label row " + std::to_string(i) + " has " +
                                     std::to_string(labels[i].size()) + " entries, expected " +
                                     std::to_string(num_classes));
    }
  }
  if (fraction == 0.0) return std::vector<bool>(n, false);
  if (fraction == 1.0) return std::vector<bool>(n, true);

  internal::Xoshiro256 rng(seed ^ 0x6c6162656c667261ULL);  // "labelfra"
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  Shuffle(&order, &rng);

  // Per class: its samples in the shuffled order, how many are unassigned, and
  // how many each side (0 = labelled, 1 = unlabelled) still wants.
  std::vector<std::vector<size_t>> by_class(num_classes);
  std::vector<int64_t> remaining(num_classes, 0);
  std::vector<double> wanted[2] = {std::vector<double>(num_classes, 0.0),
                                   std::vector<double>(num_classes, 0.0)};
  for (size_t i : order) {
    for (size_t c = 0; c < num_classes; ++c) {
      if (labels[i][c] != 0) {
        by_class[c].push_back(i);
        ++remaining[c];
      }
    }
  }
  for (size_t c = 0; c < num_classes; ++c) {
    wanted[0][c] = fraction * static_cast<double>(remaining[c]);
    wanted[1][c] = static_cast<double>(remaining[c]) - wanted[0][c];
  }
  double wanted_total[2] = {fraction * static_cast<double>(n),
                            (1.0 - fraction) * static_cast<double>(n)};

  std::vector<int> side(n, -1);
  auto assign = [&](size_t i, int s) {
    side[i] = s;
    wanted_total[s] -= 1.0;
    for (size_t c = 0; c < num_classes; ++c) {
      if (labels[i][c] != 0) {
        wanted[s][c] -= 1.0;
        --remaining[c];
      }
    }
  };
  auto pick_side = [&](double want0, double want1) {
    if (want0 != want1) return want0 > want1 ? 0 : 1;
    if (wanted_total[0] != wanted_total[1]) return wanted_total[0] > wanted_total[1] ? 0 : 1;
    return static_cast<int>(rng.Next() & 1);
  };

  for (;;) {
    // The class with the fewest unassigned samples (lowest index on ties).
    size_t rarest = num_classes;
    for (size_t c = 0; c < num_classes; ++c) {
      if (remaining[c] > 0 && (rarest == num_classes || remaining[c] < remaining[rarest])) {
        rarest = c;
      }
    }
    if (rarest == num_classes) break;
    for (size_t i : by_class[rarest]) {
      if (side[i] >= 0) continue;
      assign(i, pick_side(wanted[0][rarest], wanted[1][rarest]));
    }
  }
  // Samples without any label fill the overall share.
  for (size_t i : order) {
    if (side[i] < 0) assign(i, pick_side(wanted_total[0], wanted_total[1]));
  }

  std::vector<bool> mask(n, false);
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    mask[i] = side[i] == 0;
    any = any || mask[i];
  }
  if (!any && n > 0) mask[order[0]] = true;
  return mask;
}

StatusOr<std::vector<bool>> LabelledMask(const data::PatchDataset& dataset,
                                         const std::vector<size_t>& indices, double fraction,
                                         uint64_t seed) {
  std::vector<std::vector<uint8_t>> labels;
  labels.reserve(indices.size());
  for (size_t index : indices) {
    if (index >= dataset.size()) {
      return Status::InvalidArgument("label fraction: dataset index " + std::to_string(index) +
                                     " out of range (size " + std::to_string(dataset.size()) + ")");
    }
    labels.push_back(dataset.record(index).labels);
  }
  StatusOr<std::vector<bool>> chosen = SelectLabelledSubset(labels, fraction, seed);
  if (!chosen.ok()) return chosen.status();
  std::vector<bool> mask(dataset.size(), false);
  for (size_t k = 0; k < indices.size(); ++k) {
    if ((*chosen)[k]) mask[indices[k]] = true;
  }
  return mask;
}

}  // namespace mosaic::train
