#include "train/distributed_context.h"

#include <chrono>
#include <cstdlib>
#include <string>

#include "mosaic/nn/sync_batch_norm.h"

#ifdef MOSAIC_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace mosaic::train {

namespace {

// Parses an environment variable as an int in [min, max]; nullopt if unset.
StatusOr<std::optional<int>> IntFromEnv(const char* name, int min, int max) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::optional<int>();
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < min || value > max) {
    return Status::InvalidArgument(std::string(name) + "='" + text + "': expected an integer in " +
                                   std::to_string(min) + ".." + std::to_string(max));
  }
  return std::optional<int>(static_cast<int>(value));
}

}  // namespace

StatusOr<DistributedOptions> DistributedOptionsFromEnvironment() {
  DistributedOptions o;
  // torchrun's names first, then Slurm's.
  const bool torchrun = std::getenv("WORLD_SIZE") != nullptr;
  const char* rank_name = torchrun ? "RANK" : "SLURM_PROCID";
  const char* size_name = torchrun ? "WORLD_SIZE" : "SLURM_NTASKS";
  const char* local_name = torchrun ? "LOCAL_RANK" : "SLURM_LOCALID";
  StatusOr<std::optional<int>> size = IntFromEnv(size_name, 1, 65536);
  if (!size.ok()) return size.status();
  if (!size->has_value()) return o;
  // Under Slurm without MASTER_ADDR the job is not set up for us: stay single.
  if (!torchrun && std::getenv("MASTER_ADDR") == nullptr) return o;
  o.world_size = **size;
  StatusOr<std::optional<int>> rank = IntFromEnv(rank_name, 0, o.world_size - 1);
  if (!rank.ok()) return rank.status();
  if (!rank->has_value()) {
    return Status::InvalidArgument(std::string(size_name) + " is set but " + rank_name + " is not");
  }
  o.rank = **rank;
  StatusOr<std::optional<int>> local = IntFromEnv(local_name, 0, 65535);
  if (!local.ok()) return local.status();
  o.local_rank = local->value_or(0);
  if (const char* addr = std::getenv("MASTER_ADDR"); addr != nullptr && *addr != '\0') {
    o.master_addr = addr;
  }
  StatusOr<std::optional<int>> port = IntFromEnv("MASTER_PORT", 1, 65535);
  if (!port.ok()) return port.status();
  o.master_port = port->value_or(o.master_port);
  return o;
}

bool DistributedTrainingAvailable() {
#ifdef MOSAIC_HAVE_GLOO
  return true;
#else
  return false;
#endif
}

namespace internal {

#ifdef MOSAIC_HAVE_GLOO

struct DistributedContext::Impl {
  DistributedOptions options;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

namespace {

// The one process group of this process, for the autograd functions below.
c10d::ProcessGroupGloo* g_group = nullptr;

std::vector<torch::Tensor> GatherParts(const torch::Tensor& local) {
  std::vector<torch::Tensor> input = {local.contiguous()};
  std::vector<std::vector<torch::Tensor>> output(1);
  for (int r = 0; r < g_group->getSize(); ++r) output[0].push_back(torch::empty_like(input[0]));
  g_group->allgather(output, input)->wait();
  return output[0];
}

torch::Tensor SumOverRanks(const torch::Tensor& t) {
  std::vector<torch::Tensor> tensors = {t.contiguous().clone()};
  g_group->allreduce(tensors)->wait();
  return tensors[0];
}

struct GatherWithGrad : public torch::autograd::Function<GatherWithGrad> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor local) {
    ctx->saved_data["rows"] = local.size(0);
    return torch::cat(GatherParts(local), 0);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const int64_t rows = ctx->saved_data["rows"].toInt();
    // Every rank computes the same global loss, so the gradient of this
    // rank's slice is already complete here.
    return {grads[0].narrow(0, g_group->getRank() * rows, rows)};
  }
};

struct SumWithGrad : public torch::autograd::Function<SumWithGrad> {
  static torch::Tensor forward(torch::autograd::AutogradContext*, torch::Tensor t) {
    return SumOverRanks(t);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext*,
                                                 torch::autograd::variable_list grads) {
    return {SumOverRanks(grads[0])};
  }
};

}  // namespace

StatusOr<std::unique_ptr<DistributedContext>> DistributedContext::Create(
    const DistributedOptions& options) {
  if (g_group != nullptr) return Status::Internal("a distributed training run is already active");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<std::uint16_t>(options.master_port);
    store_options.isServer = options.rank == 0;
    store_options.numWorkers = options.world_size;
    store_options.waitWorkers = true;
    store_options.timeout = std::chrono::seconds(options.timeout_s);
    impl->store = c10::make_intrusive<c10d::TCPStore>(options.master_addr, store_options);
    auto group_options =
        c10d::ProcessGroupGloo::Options::create(std::chrono::seconds(options.timeout_s));
    group_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, options.rank,
                                                              options.world_size, group_options);
  } catch (const std::exception& e) {
    return Status::IOError("distributed rendezvous at " + options.master_addr + ":" +
                           std::to_string(options.master_port) + " (rank " +
                           std::to_string(options.rank) + " of " +
                           std::to_string(options.world_size) + ") failed: " + e.what());
  }
  g_group = impl->group.get();
  nn::SetBatchNormSync([](const torch::Tensor& t) { return SumWithGrad::apply(t); });
  return std::unique_ptr<DistributedContext>(new DistributedContext(std::move(impl)));
}

DistributedContext::~DistributedContext() {
  nn::SetBatchNormSync(nullptr);
  g_group = nullptr;
}

int DistributedContext::rank() const { return impl_->options.rank; }
int DistributedContext::world_size() const { return impl_->options.world_size; }

torch::Tensor DistributedContext::AllGatherWithGrad(const torch::Tensor& local) const {
  return GatherWithGrad::apply(local);
}

torch::Tensor DistributedContext::AllGather(const torch::Tensor& local) const {
  torch::NoGradGuard no_grad;
  return torch::cat(GatherParts(local), 0);
}

torch::Tensor DistributedContext::AllReduceSumWithGrad(const torch::Tensor& t) const {
  return SumWithGrad::apply(t);
}

void DistributedContext::AllReduceGradients(const std::vector<torch::Tensor>& params) const {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const torch::Tensor& p : params) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return;
  // One flat buffer: one collective instead of one per tensor.
  std::vector<torch::Tensor> flat = {torch::cat([&] {
    std::vector<torch::Tensor> parts;
    for (const torch::Tensor& g : grads) parts.push_back(g.reshape(-1));
    return parts;
  }())};
  impl_->group->allreduce(flat)->wait();
  int64_t offset = 0;
  for (torch::Tensor& g : grads) {
    g.copy_(flat[0].narrow(0, offset, g.numel()).view_as(g));
    offset += g.numel();
  }
}

void DistributedContext::Barrier() const { impl_->group->barrier()->wait(); }

#else  // no Gloo in this build

struct DistributedContext::Impl {};

StatusOr<std::unique_ptr<DistributedContext>> DistributedContext::Create(
    const DistributedOptions& options) {
  return Status::Unsupported("distributed training (world size " +
                             std::to_string(options.world_size) +
                             "): this build has no Gloo process group (build with libgloo-dev)");
}
DistributedContext::~DistributedContext() = default;
int DistributedContext::rank() const { return 0; }
int DistributedContext::world_size() const { return 1; }
torch::Tensor DistributedContext::AllGatherWithGrad(const torch::Tensor& local) const {
  return local;
}
torch::Tensor DistributedContext::AllGather(const torch::Tensor& local) const { return local; }
torch::Tensor DistributedContext::AllReduceSumWithGrad(const torch::Tensor& t) const { return t; }
void DistributedContext::AllReduceGradients(const std::vector<torch::Tensor>&) const {}
void DistributedContext::Barrier() const {}

#endif

DistributedContext::DistributedContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

}  // namespace internal
}  // namespace mosaic::train
