#include "mosaic/data/batch.h"

namespace mosaic::data {
namespace {

torch::Tensor MaybeTo(const torch::Tensor& t, const torch::Device& device, bool non_blocking) {
  return t.defined() ? t.to(device, non_blocking) : t;
}

}  // namespace

Batch Batch::To(const torch::Device& device, bool non_blocking) const {
  Batch out = *this;
  for (torch::Tensor* t : {&out.s1, &out.s2, &out.s1_view2, &out.s2_view2, &out.labels,
                           &out.labelled, &out.indices, &out.invalid_values}) {
    *t = MaybeTo(*t, device, non_blocking);
  }
  return out;
}

}  // namespace mosaic::data
