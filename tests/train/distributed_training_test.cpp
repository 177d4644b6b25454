// Data-parallel training with c10d/Gloo: two processes on 127.0.0.1 against
// one process with the same global batch. Each run is the worker program
// (distributed_worker.cpp), so the ranks are real separate processes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>

#include <unistd.h>

#include "mosaic/model_bundle.h"
#include "mosaic/train/distributed.h"
#include "mosaic/train/trainer.h"
#include "testing/temp_dir.h"
#include "train/train_test_util.h"

namespace mosaic::train {
namespace {

using mosaic::testing::TempDir;

// Largest |a - b| over every parameter and buffer (float buffers only).
double MaxDifference(const std::string& a_path, const std::string& b_path) {
  StatusOr<LoadedModel> a = LoadModelBundle(a_path);
  StatusOr<LoadedModel> b = LoadModelBundle(b_path);
  EXPECT_TRUE(a.ok() && b.ok());
  if (!a.ok() || !b.ok()) return 1e9;
  double worst = 0.0;
  auto compare = [&](const torch::OrderedDict<std::string, torch::Tensor>& x,
                     const torch::OrderedDict<std::string, torch::Tensor>& y) {
    for (const auto& item : x) {
      const torch::Tensor& other = y[item.key()];
      const double d =
          (item.value().to(torch::kFloat64) - other.to(torch::kFloat64)).abs().max().item<double>();
      worst = std::max(worst, d);
    }
  };
  compare(a->model->named_parameters(), b->model->named_parameters());
  compare(a->model->named_buffers(), b->model->named_buffers());
  return worst;
}

std::string ReadText(const std::string& path) {
  const std::vector<char> bytes = mosaic::testing::ReadBytes(path);
  return std::string(bytes.begin(), bytes.end());
}

int FreePortGuess() { return 20000 + static_cast<int>(::getpid() % 20000); }

// Trains the worker once in one process and once on two ranks and compares.
// `env` prefixes every worker command (e.g. "VAR=value ").
void CompareTwoRanksWithOneProcess(const std::string& env) {
  TempDir dir;
  const std::string worker = env + MOSAIC_DISTRIBUTED_WORKER;
  const std::string steps = "3";
  const std::string port = std::to_string(FreePortGuess());
  ASSERT_EQ(std::system((worker + " " + dir.File("single.mosaic") + " " + steps + " > " +
                         dir.File("single.log") + " 2>&1")
                            .c_str()),
            0);
  // Both ranks at once; the shell waits for both (by pid: a job that already
  // ended is no longer in the job table) and fails if either failed.
  const std::string both = worker + " " + dir.File("rank0.mosaic") + " " + steps + " 0 2 " + port +
                           " > " + dir.File("rank0.log") + " 2>&1 & a=$!; " + worker + " " +
                           dir.File("rank1.mosaic") + " " + steps + " 1 2 " + port + " > " +
                           dir.File("rank1.log") + " 2>&1 & b=$!; wait $a && wait $b";
  ASSERT_EQ(std::system(("bash -c '" + both + "'").c_str()), 0)
      << ReadText(dir.File("rank0.log")) << ReadText(dir.File("rank1.log"));
  // The ranks compute the same global loss and apply the same summed
  // gradients: bit-identical weights and BatchNorm statistics.
  EXPECT_EQ(MaxDifference(dir.File("rank0.mosaic"), dir.File("rank1.mosaic")), 0.0);
  // One process with the whole batch: equal up to floating-point summation
  // order (gathered similarity matrices, summed gradients, synchronised
  // BatchNorm statistics); measured ~1e-6 after 3 SGD steps.
  EXPECT_LE(MaxDifference(dir.File("rank0.mosaic"), dir.File("single.mosaic")), 1e-4);
  // ... and the same loss, reported by rank 0.
  const std::string single_log = ReadText(dir.File("single.log"));
  const std::string rank0_log = ReadText(dir.File("rank0.log"));
  const double single_loss = std::stod(single_log.substr(single_log.find("loss ") + 5));
  const double rank0_loss = std::stod(rank0_log.substr(rank0_log.find("loss ") + 5));
  EXPECT_NEAR(rank0_loss, single_loss, 1e-4 * std::abs(single_loss));
}

TEST(DistributedTraining, TwoRanksHoldIdenticalWeightsAndMatchOneProcess) {
  if (!DistributedTrainingAvailable()) GTEST_SKIP() << "this build has no Gloo";
  CompareTwoRanksWithOneProcess("");
}

// With label-aware batches (2 labelled of 8, so the supervised term acts on
// every step) the ranks still see exactly the one-process global batch.
TEST(DistributedTraining, LabelAwareBatchesMatchOneProcess) {
  if (!DistributedTrainingAvailable()) GTEST_SKIP() << "this build has no Gloo";
  CompareTwoRanksWithOneProcess("MOSAIC_TEST_LABELLED_PER_BATCH=2 ");
}

TEST(DistributedTraining, GlobalBatchMustDivideByWorldSize) {
  TrainOptions options = testing::TinyTrainOptions();
  options.optimization.batch_size = 9;
  options.optimization.distributed.world_size = 2;
  auto trainer = Trainer::Create(testing::EasyDataset(32), options);
  Status status = trainer.ok() ? (*trainer)->Run().status() : trainer.status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("divisible by the world size"), std::string::npos)
      << status.message();
}

TEST(DistributedTraining, EnvironmentIsReadLikeTorchrun) {
  ::setenv("WORLD_SIZE", "4", 1);
  ::setenv("RANK", "2", 1);
  ::setenv("LOCAL_RANK", "0", 1);
  ::setenv("MASTER_ADDR", "10.0.0.7", 1);
  ::setenv("MASTER_PORT", "29999", 1);
  StatusOr<DistributedOptions> o = DistributedOptionsFromEnvironment();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->world_size, 4);
  EXPECT_EQ(o->rank, 2);
  EXPECT_EQ(o->master_addr, "10.0.0.7");
  EXPECT_EQ(o->master_port, 29999);
  ::setenv("RANK", "4", 1);  // out of range
  StatusOr<DistributedOptions> bad = DistributedOptionsFromEnvironment();
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("RANK='4'"), std::string::npos) << bad.status().message();
  for (const char* name : {"WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"}) {
    ::unsetenv(name);
  }
  StatusOr<DistributedOptions> none = DistributedOptionsFromEnvironment();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->enabled());
}

}  // namespace
}  // namespace mosaic::train
