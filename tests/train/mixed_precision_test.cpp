// Mixed precision (--amp bf16/fp16): the precision names, the autocast guard,
// the fp16 loss scaler, and training steps under autocast. The training tests
// need a CUDA device and are skipped without one; everything else runs on CPU.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "mosaic/nn/autocast_guard.h"
#include "mosaic/train/trainer.h"
#include "testing/temp_dir.h"
#include "train_test_util.h"
// The loss scaler is internal to libmosaic (a private header); its symbols
// are exported by the shared library like every other.
#include "../../libmosaic/src/train/loss_scaler.h"

namespace mosaic::train {
namespace {

using internal::DynamicLossScaler;
using internal::LossScalerOptions;
using nn::Precision;
using nn::ScopedAutocast;
using testing::EasyDataset;
using testing::TinyTrainOptions;

// --- Precision names ------------------------------------------------------

TEST(PrecisionName, ParsesTheThreeNames) {
  EXPECT_EQ(*nn::ParsePrecision("none"), Precision::kFloat32);
  EXPECT_EQ(*nn::ParsePrecision("fp32"), Precision::kFloat32);
  EXPECT_EQ(*nn::ParsePrecision("bf16"), Precision::kBFloat16);
  EXPECT_EQ(*nn::ParsePrecision("fp16"), Precision::kFloat16);
  EXPECT_STREQ(nn::PrecisionName(Precision::kBFloat16), "bf16");
  EXPECT_STREQ(nn::PrecisionName(Precision::kFloat16), "fp16");
  EXPECT_STREQ(nn::PrecisionName(Precision::kFloat32), "fp32");
  for (const std::string bad : {"", "BF16", "float16", "int8", "tf32"}) {
    StatusOr<Precision> parsed = nn::ParsePrecision(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("'" + bad + "'"), std::string::npos);
    EXPECT_NE(parsed.status().message().find("bf16"), std::string::npos);
  }
}

// --- ScopedAutocast (the state is thread-local and can be inspected on CPU) --

TEST(ScopedAutocast, Fp32LeavesAutocastOff) {
  ASSERT_FALSE(ScopedAutocast::CudaEnabled());
  {
    ScopedAutocast guard(*nn::ParsePrecision("none"));
    EXPECT_FALSE(ScopedAutocast::CudaEnabled());
  }
  EXPECT_FALSE(ScopedAutocast::CudaEnabled());
}

TEST(ScopedAutocast, EnablesAndRestoresNestedState) {
  ASSERT_FALSE(ScopedAutocast::CudaEnabled());
  const c10::ScalarType original_dtype = ScopedAutocast::CudaDtype();
  {
    ScopedAutocast outer(Precision::kBFloat16);
    EXPECT_TRUE(ScopedAutocast::CudaEnabled());
    EXPECT_EQ(ScopedAutocast::CudaDtype(), c10::ScalarType::BFloat16);
    {
      ScopedAutocast inner(Precision::kFloat16);
      EXPECT_TRUE(ScopedAutocast::CudaEnabled());
      EXPECT_EQ(ScopedAutocast::CudaDtype(), c10::ScalarType::Half);
      {
        ScopedAutocast noop(Precision::kFloat32);  // leaves the enclosing state alone
        EXPECT_TRUE(ScopedAutocast::CudaEnabled());
        EXPECT_EQ(ScopedAutocast::CudaDtype(), c10::ScalarType::Half);
      }
    }
    EXPECT_TRUE(ScopedAutocast::CudaEnabled());
    EXPECT_EQ(ScopedAutocast::CudaDtype(), c10::ScalarType::BFloat16);
  }
  EXPECT_FALSE(ScopedAutocast::CudaEnabled());
  EXPECT_EQ(ScopedAutocast::CudaDtype(), original_dtype);
}

TEST(ScopedAutocast, CpuTensorsStayFloat32) {
  ScopedAutocast guard(Precision::kBFloat16);
  const torch::Tensor product = torch::matmul(torch::ones({4, 4}), torch::ones({4, 4}));
  EXPECT_EQ(product.scalar_type(), torch::kFloat32);
}

TEST(ScopedAutocast, CudaMatmulRunsInLowerPrecision) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const torch::Tensor a = torch::randn({8, 8}, torch::Device(torch::kCUDA));
  {
    ScopedAutocast guard(Precision::kBFloat16);
    EXPECT_EQ(torch::matmul(a, a).scalar_type(), torch::kBFloat16);
  }
  {
    ScopedAutocast guard(Precision::kFloat16);
    EXPECT_EQ(torch::matmul(a, a).scalar_type(), torch::kHalf);
  }
  EXPECT_EQ(torch::matmul(a, a).scalar_type(), torch::kFloat32);
}

// --- DynamicLossScaler (plain CPU tensors) -----------------------------------

// A parameter whose gradient is `grad`.
torch::Tensor ParamWithGrad(const torch::Tensor& grad) {
  torch::Tensor p = torch::zeros_like(grad).requires_grad_(true);
  p.mutable_grad() = grad.clone();
  return p;
}

TEST(DynamicLossScaler, ScalesTheLossAndUnscalesGradients) {
  DynamicLossScaler scaler;
  EXPECT_EQ(scaler.scale(), 65536.0);
  EXPECT_EQ(scaler.Scale(torch::tensor(0.5)).item<double>(), 32768.0);

  // backward of the scaled loss gives scale x the true gradient.
  torch::Tensor w = torch::tensor({1.0f, -2.0f}).requires_grad_(true);
  scaler.Scale((w * w).sum()).backward();
  EXPECT_TRUE(torch::allclose(w.grad(), torch::tensor({2.0f, -4.0f}) * 65536.0f));
  torch::Tensor frozen = torch::ones({3}).requires_grad_(true);  // no gradient: skipped
  EXPECT_TRUE(scaler.Unscale({w, frozen}));
  EXPECT_TRUE(torch::allclose(w.grad(), torch::tensor({2.0f, -4.0f})));
  EXPECT_FALSE(frozen.grad().defined());
}

TEST(DynamicLossScaler, InfGradientSkipsTheStepAndHalvesTheScale) {
  DynamicLossScaler scaler;
  const float inf = std::numeric_limits<float>::infinity();
  torch::Tensor good = ParamWithGrad(torch::ones({4}));
  torch::Tensor bad = ParamWithGrad(torch::tensor({1.0f, inf, 0.0f}));
  torch::optim::SGD optimizer({good, bad}, torch::optim::SGDOptions(0.1));

  // The loop's step, as in train_loop.cpp.
  const bool finite = scaler.Unscale({good, bad});
  EXPECT_FALSE(finite);
  if (finite) optimizer.step();
  scaler.Update(finite);
  EXPECT_EQ(scaler.scale(), 32768.0);
  EXPECT_EQ(scaler.skipped_steps(), 1);
  EXPECT_EQ(scaler.growth_tracker(), 0);
  EXPECT_TRUE(torch::equal(good.detach(), torch::zeros({4})));  // not stepped

  // NaN is caught the same way.
  torch::Tensor nan = ParamWithGrad(torch::tensor({std::nanf("")}));
  EXPECT_FALSE(scaler.Unscale({nan}));
  scaler.Update(false);
  EXPECT_EQ(scaler.scale(), 16384.0);
  EXPECT_EQ(scaler.skipped_steps(), 2);
}

TEST(DynamicLossScaler, GrowsAfterTheIntervalOfFiniteSteps) {
  DynamicLossScaler defaults;
  for (int i = 0; i < 1999; ++i) defaults.Update(true);
  EXPECT_EQ(defaults.scale(), 65536.0);
  EXPECT_EQ(defaults.growth_tracker(), 1999);
  defaults.Update(true);
  EXPECT_EQ(defaults.scale(), 131072.0);
  EXPECT_EQ(defaults.growth_tracker(), 0);

  LossScalerOptions options;
  options.init_scale = 8.0;
  options.growth_interval = 3;
  DynamicLossScaler scaler(options);
  scaler.Update(true);
  scaler.Update(true);
  scaler.Update(false);  // an overflow restarts the count
  scaler.Update(true);
  scaler.Update(true);
  EXPECT_EQ(scaler.scale(), 4.0);
  scaler.Update(true);
  EXPECT_EQ(scaler.scale(), 8.0);

  scaler.Restore(1024.0, 2);
  EXPECT_EQ(scaler.scale(), 1024.0);
  scaler.Update(true);
  EXPECT_EQ(scaler.scale(), 2048.0);
}

// --- Training ---------------------------------------------------------------

TEST(MixedPrecision, RefusedOnCpuAndForUnknownNames) {
  const auto dataset = EasyDataset(40);
  for (const std::string amp : {"bf16", "fp16"}) {
    TrainOptions o = TinyTrainOptions();
    o.optimization.amp = amp;
    StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(dataset, o);
    ASSERT_FALSE(trainer.ok());
    EXPECT_EQ(trainer.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(trainer.status().message().find("--amp " + amp), std::string::npos);
    EXPECT_NE(trainer.status().message().find("mixed precision needs a CUDA device"),
              std::string::npos)
        << trainer.status().message();
  }
  TrainOptions o = TinyTrainOptions();
  o.optimization.amp = "fp8";
  StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(dataset, o);
  ASSERT_FALSE(trainer.ok());
  EXPECT_EQ(trainer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(trainer.status().message().find("--amp"), std::string::npos);
  EXPECT_NE(trainer.status().message().find("'fp8'"), std::string::npos);
}

std::map<std::string, torch::Tensor> Snapshot(torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> state;
  for (const auto& item : module.named_parameters()) {
    state[item.key()] = item.value().detach().to(torch::kCPU).clone();
  }
  return state;
}

void TrainStepsOnCuda(const std::string& amp) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const auto dataset = EasyDataset(40);
  ::mosaic::testing::TempDir dir;
  TrainOptions options = TinyTrainOptions();  // mosaic preset: every term, two views
  options.optimization.device = "cuda";
  options.optimization.amp = amp;
  options.optimization.grad_clip_norm = 1.0;
  options.optimization.log_path = dir.File("log.jsonl");
  options.optimization.checkpoint_dir = dir.File("ckpt");
  std::vector<double> totals;
  options.optimization.progress = [&](const TrainProgress& p) {
    for (const auto& [term, value] : p.losses) {
      EXPECT_TRUE(std::isfinite(value)) << amp << " step " << p.step << " " << term;
    }
    totals.push_back(p.losses.at("total"));
  };
  StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(dataset, options);
  ASSERT_TRUE(trainer.ok()) << trainer.status().ToString();
  const auto before = Snapshot(*(*trainer)->model());
  StatusOr<TrainSummary> summary = (*trainer)->Run();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->finished);
  EXPECT_EQ(totals.size(), 6u);
  EXPECT_FALSE(ScopedAutocast::CudaEnabled());  // the loop left autocast off

  const auto after = Snapshot(*(*trainer)->model());
  int changed = 0;
  for (const auto& [name, value] : after) {
    EXPECT_TRUE(torch::isfinite(value).all().item<bool>()) << amp << " " << name;
    EXPECT_EQ(value.scalar_type(), torch::kFloat32) << name;  // parameters stay fp32
    if (!torch::equal(value, before.at(name))) ++changed;
  }
  EXPECT_GT(changed, static_cast<int>(after.size()) / 2) << amp;

  // fp16 logs the loss scale; with such small losses no step overflows.
  std::ifstream log(options.optimization.log_path);
  std::string first_line;
  ASSERT_TRUE(std::getline(log, first_line));
  EXPECT_EQ(first_line.find("loss_scale") != std::string::npos, amp == "fp16") << first_line;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "ckpt" / "checkpoint.pt"));
}

TEST(MixedPrecision, Bf16TrainingStepsOnCuda) { TrainStepsOnCuda("bf16"); }

TEST(MixedPrecision, Fp16TrainingStepsOnCuda) { TrainStepsOnCuda("fp16"); }

TEST(MixedPrecision, Fp16ResumeContinuesOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  // A checkpoint of an fp16 run (which holds the loss scale) resumes at the
  // step after it. GPU runs are not bit-reproducible, so weights are not compared.
  const auto dataset = EasyDataset(40);
  ::mosaic::testing::TempDir dir;
  TrainOptions options = TinyTrainOptions();
  options.optimization.device = "cuda";
  options.optimization.amp = "fp16";
  options.optimization.checkpoint_dir = dir.File("ckpt");
  options.optimization.stop_at_step = 3;
  auto first = Trainer::Create(dataset, options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE((*first)->Run().ok());
  options.optimization.stop_at_step = 0;
  options.optimization.resume = true;
  std::vector<int64_t> steps;
  options.optimization.progress = [&](const TrainProgress& p) { steps.push_back(p.step); };
  auto resumed = Trainer::Create(dataset, options);
  ASSERT_TRUE(resumed.ok());
  StatusOr<TrainSummary> summary = (*resumed)->Run();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(steps, (std::vector<int64_t>{4, 5, 6}));
}

}  // namespace
}  // namespace mosaic::train
