// Private: the process group of a data-parallel training run (c10d with
// Gloo) and the collectives the training loop needs, with autograd where the
// loss depends on other ranks' tensors.
#ifndef MOSAIC_TRAIN_DISTRIBUTED_CONTEXT_H_
#define MOSAIC_TRAIN_DISTRIBUTED_CONTEXT_H_

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "mosaic/status.h"
#include "mosaic/train/distributed.h"

namespace mosaic::train::internal {

class DistributedContext {
 public:
  // Rendezvous through a TCP store at master_addr:master_port (rank 0 hosts
  // it) and create the Gloo process group. Also installs the synchronised
  // BatchNorm (mosaic/nn/sync_batch_norm.h) until destruction.
  // Unsupported in builds without Gloo; IOError if the rendezvous fails.
  static StatusOr<std::unique_ptr<DistributedContext>> Create(const DistributedOptions& options);
  ~DistributedContext();

  int rank() const;
  int world_size() const;

  // Concatenation along dim 0 of every rank's `local` (equal shapes), in rank
  // order. The gradient reaching the result flows back to this rank's slice.
  torch::Tensor AllGatherWithGrad(const torch::Tensor& local) const;
  // The same without autograd (labels, masks).
  torch::Tensor AllGather(const torch::Tensor& local) const;
  // Element-wise sum over ranks; differentiable (its gradient is the sum of
  // the ranks' gradients).
  torch::Tensor AllReduceSumWithGrad(const torch::Tensor& t) const;
  // Sums the gradients of `params` over ranks, in place, in one collective.
  void AllReduceGradients(const std::vector<torch::Tensor>& params) const;
  // Returns when every rank has called it.
  void Barrier() const;

 private:
  struct Impl;
  explicit DistributedContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mosaic::train::internal

#endif  // MOSAIC_TRAIN_DISTRIBUTED_CONTEXT_H_
