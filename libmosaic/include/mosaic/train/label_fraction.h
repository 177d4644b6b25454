// Choosing which training samples keep their labels: the "label fraction"
// (1%, 10%, 100%, or any share) of the semi-supervised experiments.
//
// The subset is stratified over labels with iterative stratification for
// multi-label data (Sechidis, Tsoumakas and Vlahavas, ECML PKDD 2011): the
// samples of the label with the fewest unassigned samples are assigned first,
// each to the side (labelled / unlabelled) that still wants most of that label,
// so every class keeps about `fraction` of its samples and rare classes are
// not lost by chance. Samples without any label are distributed last to fill
// the overall share.
//
// Deterministic: the same labels, fraction and seed give the same mask on every
// platform. Not nested: the 1% subset of a seed is not guaranteed to lie inside
// its 10% subset (each fraction is stratified on its own).
//
// Torch-free. Thread-safety: pure functions.
#ifndef MOSAIC_TRAIN_LABEL_FRACTION_H_
#define MOSAIC_TRAIN_LABEL_FRACTION_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mosaic/data/patch_dataset.h"
#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::train {

// Returns one flag per row of `labels` (multi-hot rows, all of the same
// length; entries != 0 are present classes): true for the samples that keep
// their labels. fraction 1 selects every sample, fraction 0 none; any fraction
// > 0 selects at least one sample. About round(fraction * N) samples are
// selected, and each class keeps about fraction of its samples (up to one
// sample per class and the interplay of multi-label rows).
// Errors: InvalidArgument if fraction is not in [0, 1] (or NaN) or the rows
// differ in length.
MOSAIC_EXPORT StatusOr<std::vector<bool>> SelectLabelledSubset(
    const std::vector<std::vector<uint8_t>>& labels, double fraction, uint64_t seed);

// The loader's labelled mask (LoaderOptions::labelled): one flag per index of
// `dataset`, true for the samples of `indices` chosen by SelectLabelledSubset
// over their records' labels, false for every index not in `indices`.
// Errors: as SelectLabelledSubset, or an index out of range.
MOSAIC_EXPORT StatusOr<std::vector<bool>> LabelledMask(const data::PatchDataset& dataset,
                                                       const std::vector<size_t>& indices,
                                                       double fraction, uint64_t seed);

}  // namespace mosaic::train

#endif  // MOSAIC_TRAIN_LABEL_FRACTION_H_
