#include "mosaic/losses/objective.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "losses/loss_utils.h"
#include "mosaic/losses/cross_modal_infonce.h"
#include "mosaic/losses/multilabel_supcon.h"
#include "mosaic/losses/nt_xent.h"
#include "mosaic/losses/supervision_aware_negatives.h"

namespace mosaic::losses {
namespace {

constexpr const char* kPresetList = "supervised, simclr, clip, supcon, mosaic";

struct NamedTensor {
  std::string name;
  const torch::Tensor* tensor;
};

void ValidateOptions(const ObjectiveOptions& o) {
  const std::pair<const char*, double> lambdas[] = {{"lambda_intra", o.lambda_intra()},
                                                    {"lambda_inter", o.lambda_inter()},
                                                    {"lambda_sup", o.lambda_sup()},
                                                    {"lambda_bce", o.lambda_bce()}};
  bool any_positive = false;
  for (const auto& [name, value] : lambdas) {
    TORCH_CHECK(std::isfinite(value) && value >= 0.0, "ObjectiveOptions: ", name,
                " must be finite and >= 0, got ", value);
    any_positive = any_positive || value > 0.0;
  }
  TORCH_CHECK(any_positive, "ObjectiveOptions: every lambda is 0, so there is nothing to optimise");
  internal::CheckTemperature(o.temperature_intra(), "ObjectiveOptions: temperature_intra");
  internal::CheckTemperature(o.temperature_inter(), "ObjectiveOptions: temperature_inter");
  internal::CheckTemperature(o.temperature_sup(), "ObjectiveOptions: temperature_sup");
}

// Checks the shapes that every term relies on and returns a zero scalar with
// the dtype/device of the first floating input (for terms not computed).
torch::Tensor ValidateInputs(const ObjectiveInputs& in) {
  const std::vector<NamedTensor> embeddings = {{"s1.view1", &in.s1.view1},
                                               {"s1.view2", &in.s1.view2},
                                               {"s2.view1", &in.s2.view1},
                                               {"s2.view2", &in.s2.view2}};
  const std::vector<NamedTensor> logits = {{"s1.logits", &in.s1.logits},
                                           {"s2.logits", &in.s2.logits},
                                           {"fused_logits", &in.fused_logits}};
  TORCH_CHECK(!in.s1.view2.defined() || in.s1.view1.defined(),
              "ObjectiveInputs: s1.view2 is given without s1.view1");
  TORCH_CHECK(!in.s2.view2.defined() || in.s2.view1.defined(),
              "ObjectiveInputs: s2.view2 is given without s2.view1");

  // Every defined tensor has the same batch size N and device as the first.
  std::vector<NamedTensor> all = embeddings;
  all.insert(all.end(), logits.begin(), logits.end());
  all.push_back({"labels", &in.labels});
  all.push_back({"labelled", &in.labelled});
  const NamedTensor* first = nullptr;
  for (const auto& t : all) {
    if (!t.tensor->defined()) continue;
    TORCH_CHECK(t.tensor->dim() >= 1, "ObjectiveInputs: ", t.name, " is 0-dim");
    if (first == nullptr) {
      first = &t;
      continue;
    }
    TORCH_CHECK(t.tensor->size(0) == first->tensor->size(0), "ObjectiveInputs: ", t.name, " has ",
                t.tensor->size(0), " rows but ", first->name, " has ", first->tensor->size(0));
    TORCH_CHECK(t.tensor->device() == first->tensor->device(), "ObjectiveInputs: ", t.name,
                " is on ", t.tensor->device(), " but ", first->name, " is on ",
                first->tensor->device());
  }
  TORCH_CHECK(first != nullptr, "ObjectiveInputs: every tensor is undefined");

  const NamedTensor* first_embedding = nullptr;
  for (const auto& t : embeddings) {
    if (!t.tensor->defined()) continue;
    internal::CheckMatrix(*t.tensor, ("ObjectiveInputs: " + t.name).c_str(), "[N, D]");
    if (first_embedding == nullptr) first_embedding = &t;
    TORCH_CHECK(t.tensor->size(1) == first_embedding->tensor->size(1), "ObjectiveInputs: ", t.name,
                " has D = ", t.tensor->size(1), " but ", first_embedding->name,
                " has D = ", first_embedding->tensor->size(1));
    TORCH_CHECK(t.tensor->scalar_type() == first_embedding->tensor->scalar_type(),
                "ObjectiveInputs: ", t.name, " is ", t.tensor->scalar_type(), " but ",
                first_embedding->name, " is ", first_embedding->tensor->scalar_type());
  }
  if (in.labels.defined()) {
    TORCH_CHECK(in.labels.dim() == 2, "ObjectiveInputs: labels must be [N, C], got shape ",
                in.labels.sizes());
  }
  for (const auto& t : logits) {
    if (!t.tensor->defined()) continue;
    internal::CheckMatrix(*t.tensor, ("ObjectiveInputs: " + t.name).c_str(), "[N, C]");
    if (in.labels.defined()) {
      TORCH_CHECK(t.tensor->size(1) == in.labels.size(1), "ObjectiveInputs: ", t.name,
                  " has C = ", t.tensor->size(1),
                  " classes but labels has C = ", in.labels.size(1));
    }
  }
  internal::CheckRowMask(in.labelled, first->tensor->size(0), "ObjectiveInputs: labelled");

  for (const auto& t : all) {
    if (t.tensor->defined() && t.tensor->is_floating_point()) {
      return torch::zeros({}, t.tensor->options());
    }
  }
  return torch::zeros({}, first->tensor->options().dtype(torch::kFloat));
}

// L_sup over the labelled samples' rows of every selected view.
torch::Tensor SupervisedContrastive(const ObjectiveInputs& in, const ObjectiveOptions& o) {
  TORCH_CHECK(in.labels.defined(),
              "ComputeObjective: labels are required by the supervised contrastive term "
              "(lambda_sup > 0)");
  std::vector<torch::Tensor> rows;
  std::vector<int64_t> modality_of_block;
  int64_t modality = 0;
  for (const ModalityInputs* m : {&in.s1, &in.s2}) {
    if (m->view1.defined()) {
      rows.push_back(m->view1);
      modality_of_block.push_back(modality);
      if (o.sup_use_second_views() && m->view2.defined()) {
        rows.push_back(m->view2);
        modality_of_block.push_back(modality);
      }
    }
    ++modality;
  }
  TORCH_CHECK(!rows.empty(),
              "ComputeObjective: the supervised contrastive term (lambda_sup > 0) needs "
              "s1.view1 or s2.view1");
  const auto blocks = static_cast<int64_t>(rows.size());
  const int64_t n = rows.front().size(0);
  torch::Tensor z = torch::cat(rows, 0);  // [blocks * N, D], block-major
  torch::Tensor y = in.labels.repeat({blocks, 1});
  const auto index = z.options().dtype(torch::kLong);
  torch::Tensor modality_of_row =
      torch::tensor(modality_of_block, index).repeat_interleave(n);  // [blocks * N]
  if (in.labelled.defined()) {
    const torch::Tensor keep = in.labelled.repeat({blocks});
    z = z.index({keep});
    y = y.index({keep});
    modality_of_row = modality_of_row.index({keep});
  }
  MultiLabelSupConOptions sup;
  sup.temperature(o.temperature_sup())
      .similarity(o.label_similarity())
      .normalize(o.normalize_embeddings());
  const torch::Tensor weights = LabelSimilarityMatrix(y, o.label_similarity(), z.scalar_type());
  if (!o.sup_cross_modal_only()) return WeightedSupConLoss(z, weights, sup);

  TORCH_CHECK(in.s1.view1.defined() && in.s2.view1.defined(),
              "ComputeObjective: sup_cross_modal_only needs s1.view1 and s2.view1");
  const torch::Tensor cross = modality_of_row.unsqueeze(1) != modality_of_row.unsqueeze(0);
  return WeightedSupConLoss(z, weights, sup, cross);
}

// The supervision-aware negative weights shared by L_intra and L_inter, or an
// undefined tensor when the option is off.
torch::Tensor NegativeWeights(const ObjectiveInputs& in, const ObjectiveOptions& o,
                              torch::Dtype dtype) {
  if (o.supervision_aware_negatives() == NegativeMode::kOff) return {};
  TORCH_CHECK(in.labels.defined(),
              "ComputeObjective: labels are required by "
              "supervision_aware_negatives = ",
              NegativeModeName(o.supervision_aware_negatives()),
              " (set it to off to train without labels)");
  return SupervisionAwareNegativeWeights(in.labels, in.labelled, o.label_similarity(),
                                         o.supervision_aware_negatives(), dtype);
}

}  // namespace

std::vector<std::string> ObjectivePresetNames() {
  return {"supervised", "simclr", "clip", "supcon", "mosaic"};
}

ObjectiveOptions ObjectivePreset(const std::string& name) {
  ObjectiveOptions o;  // the defaults are the "mosaic" preset
  if (name == "mosaic") return o;
  o.lambda_intra(0.0).lambda_inter(0.0).lambda_sup(0.0).lambda_bce(0.0);
  if (name == "supervised") return o.lambda_bce(1.0);
  if (name == "simclr") return o.lambda_intra(1.0);
  if (name == "clip") return o.lambda_inter(1.0);
  if (name == "supcon") return o.lambda_sup(1.0);
  TORCH_CHECK(false, "unknown objective preset '", name, "'; valid presets: ", kPresetList);
}

const torch::Tensor& ObjectiveResult::Term(const std::string& name) const {
  if (name == "total") return total;
  if (name == "intra_s1") return intra_s1;
  if (name == "intra_s2") return intra_s2;
  if (name == "inter") return inter;
  if (name == "sup") return sup;
  if (name == "bce") return bce;
  TORCH_CHECK(false, "ObjectiveResult: unknown term '", name,
              "'; valid names: total, intra_s1, intra_s2, inter, sup, bce");
}

torch::Tensor MultiLabelBceLoss(const torch::Tensor& logits, const torch::Tensor& labels,
                                const torch::Tensor& labelled) {
  internal::CheckMatrix(logits, "MultiLabelBceLoss: logits", "[N, C]");
  TORCH_CHECK(labels.defined() && labels.sizes() == logits.sizes(),
              "MultiLabelBceLoss: labels must have the logits' shape ", logits.sizes(), ", got ",
              labels.defined() ? labels.sizes() : c10::IntArrayRef{});
  internal::CheckRowMask(labelled, logits.size(0), "MultiLabelBceLoss: labelled");
  torch::Tensor x = logits;
  torch::Tensor t = labels.to(logits.scalar_type());
  if (labelled.defined()) {
    // Select before the loss: unlabelled rows may hold NaN targets, and a NaN
    // would reach the gradient even through a zero mask.
    x = x.index({labelled});
    t = t.index({labelled});
  }
  if (x.numel() == 0) return internal::ConnectedZero(x);
  return torch::nn::functional::binary_cross_entropy_with_logits(x, t);
}

ObjectiveResult ComputeObjective(const ObjectiveInputs& in, const ObjectiveOptions& o) {
  ValidateOptions(o);
  const torch::Tensor zero = ValidateInputs(in);

  ObjectiveResult r;
  r.intra_s1 = r.intra_s2 = r.inter = r.sup = r.bce = zero;
  torch::Tensor total;
  const auto add = [&total](double lambda, const torch::Tensor& term) {
    total = total.defined() ? total + lambda * term : lambda * term;
  };

  torch::Tensor negative_weights;
  if (o.lambda_intra() > 0.0 || o.lambda_inter() > 0.0) {
    negative_weights = NegativeWeights(in, o, zero.scalar_type());
  }

  if (o.lambda_intra() > 0.0) {
    NtXentOptions intra;
    intra.temperature(o.temperature_intra()).normalize(o.normalize_embeddings());
    struct Stream {
      const char* name;
      const ModalityInputs* inputs;
      torch::Tensor* result;
    };
    bool any = false;
    for (const Stream& m : {Stream{"s1", &in.s1, &r.intra_s1}, Stream{"s2", &in.s2, &r.intra_s2}}) {
      if (!m.inputs->view1.defined()) continue;  // modality absent (or logits only)
      TORCH_CHECK(m.inputs->view2.defined(), "ComputeObjective: ", m.name,
                  ".view2 is required by the intra-modal term (lambda_intra > 0)");
      *m.result = NtXentLoss(m.inputs->view1, m.inputs->view2, intra, negative_weights);
      r.active_terms.push_back(std::string("intra_") + m.name);
      add(o.lambda_intra(), *m.result);
      any = true;
    }
    TORCH_CHECK(any,
                "ComputeObjective: the intra-modal term (lambda_intra > 0) needs view1 and view2 "
                "of at least one modality");
  }

  if (o.lambda_inter() > 0.0) {
    TORCH_CHECK(
        in.s1.view1.defined(),
        "ComputeObjective: s1.view1 is required by the inter-modal term (lambda_inter > 0)");
    TORCH_CHECK(
        in.s2.view1.defined(),
        "ComputeObjective: s2.view1 is required by the inter-modal term (lambda_inter > 0)");
    CrossModalInfoNceOptions inter;
    inter.temperature(o.temperature_inter()).normalize(o.normalize_embeddings());
    r.inter = CrossModalInfoNceLoss(in.s1.view1, in.s2.view1, inter, negative_weights);
    r.active_terms.push_back("inter");
    add(o.lambda_inter(), r.inter);
  }

  if (o.lambda_sup() > 0.0) {
    r.sup = SupervisedContrastive(in, o);
    r.active_terms.push_back("sup");
    add(o.lambda_sup(), r.sup);
  }

  if (o.lambda_bce() > 0.0) {
    TORCH_CHECK(in.labels.defined(),
                "ComputeObjective: labels are required by the BCE term (lambda_bce > 0)");
    std::vector<torch::Tensor> heads;
    for (const torch::Tensor* head : {&in.fused_logits, &in.s1.logits, &in.s2.logits}) {
      if (head->defined()) heads.push_back(MultiLabelBceLoss(*head, in.labels, in.labelled));
    }
    TORCH_CHECK(!heads.empty(),
                "ComputeObjective: the BCE term (lambda_bce > 0) needs at least one of "
                "fused_logits, s1.logits, s2.logits");
    r.bce = torch::stack(heads).mean();
    r.active_terms.push_back("bce");
    add(o.lambda_bce(), r.bce);
  }

  r.total = total;
  return r;
}

}  // namespace mosaic::losses
