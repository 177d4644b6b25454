// Checks mosaic::nn::ResNet against real torchvision: same state_dict keys,
// shapes and dtypes in the same order, and the same eval-mode output once
// torchvision's weights are loaded. tests/nn/torchvision_reference.py writes
// the reference with Debian's /usr/bin/python3 (python3-torchvision); where
// that interpreter cannot import torchvision the tests are skipped.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "mosaic/nn/resnet.h"

namespace mosaic::nn {
namespace {

constexpr char kPython[] = "/usr/bin/python3";
constexpr int64_t kBatch = 2;
constexpr int64_t kInputSizePx = 64;
constexpr double kTolerance = 1e-4;

// One state_dict entry: its key and the live tensor inside the module.
struct StateEntry {
  std::string key;
  torch::Tensor tensor;
};

// The module's parameters and buffers in PyTorch's state_dict order: modules
// in pre-order, and within a module its parameters, then its buffers.
std::vector<StateEntry> OrderedStateDict(const torch::nn::Module& module) {
  std::vector<StateEntry> entries;
  for (const auto& item : module.named_modules()) {
    const std::string prefix = item.key().empty() ? "" : item.key() + ".";
    for (const auto& parameter : item.value()->named_parameters(/*recurse=*/false)) {
      entries.push_back({prefix + parameter.key(), parameter.value()});
    }
    for (const auto& buffer : item.value()->named_buffers(/*recurse=*/false)) {
      entries.push_back({prefix + buffer.key(), buffer.value()});
    }
  }
  return entries;
}

// "<key> <dtype> [<d0>,<d1>,...]" exactly as torchvision_reference.py writes it.
std::string DescribeEntry(const StateEntry& entry) {
  std::string dtype = "unsupported";
  if (entry.tensor.scalar_type() == torch::kFloat) {
    dtype = "float32";
  } else if (entry.tensor.scalar_type() == torch::kLong) {
    dtype = "int64";
  }
  std::string shape;
  for (int64_t size : entry.tensor.sizes()) {
    shape += (shape.empty() ? "" : ",") + std::to_string(size);
  }
  return entry.key + " " + dtype + " [" + shape + "]";
}

std::vector<std::string> ReadLines(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    lines.push_back(line);
  }
  return lines;
}

std::vector<float> ReadFloat32(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(file)),
                                std::istreambuf_iterator<char>());
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

// A fresh directory under the system temp dir, removed with everything in it
// when the object goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mosaic_nn_XXXXXX").string();
    path_ = mkdtemp(pattern.data()) == nullptr ? "" : pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

bool PythonHasTorchvision() {
  const std::string command = std::string(kPython) + " -c 'import torchvision' > /dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// Builds our ResNet and torchvision's reference for the same configuration,
// compares the state_dict layouts, loads torchvision's weights into ours and
// compares the eval-mode outputs.
void ExpectMatchesTorchvision(int64_t depth, int64_t in_channels, int64_t num_classes) {
  if (!PythonHasTorchvision()) {
    GTEST_SKIP() << kPython << " cannot import torchvision (apt-get install python3-torchvision)";
  }
  TempDir dir;
  ASSERT_FALSE(dir.path().empty()) << "could not create a temporary directory";
  const std::filesystem::path script =
      std::filesystem::path(MOSAIC_SOURCE_DIR) / "tests" / "nn" / "torchvision_reference.py";
  const std::filesystem::path log = dir.path() / "log.txt";
  std::ostringstream command;
  command << kPython << " '" << script.string() << "' --arch resnet" << depth << " --in-channels "
          << in_channels << " --num-classes " << num_classes << " --batch " << kBatch << " --size "
          << kInputSizePx << " --out '" << dir.path().string() << "' > '" << log.string()
          << "' 2>&1";
  if (std::system(command.str().c_str()) != 0) {
    std::ifstream log_file(log);
    FAIL() << "reference script failed: " << command.str() << "\n" << log_file.rdbuf();
  }

  ResNet model(ResNetOptions(depth).in_channels(in_channels).num_classes(num_classes));
  model->eval();
  const std::vector<StateEntry> entries = OrderedStateDict(*model);

  // (a) The same keys, dtypes and shapes, one for one and in the same order.
  const std::vector<std::string> expected_entries = ReadLines(dir.path() / "keys.txt");
  ASSERT_EQ(entries.size(), expected_entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    ASSERT_EQ(DescribeEntry(entries[i]), expected_entries[i]) << "state_dict entry " << i;
  }

  // (b) Load every float tensor; torchvision wrote them in the same order.
  const std::vector<float> weights = ReadFloat32(dir.path() / "weights.bin");
  size_t offset = 0;
  {
    torch::NoGradGuard no_grad;
    for (const StateEntry& entry : entries) {
      if (entry.tensor.scalar_type() != torch::kFloat) {
        continue;  // num_batches_tracked does not affect the output
      }
      const size_t count = static_cast<size_t>(entry.tensor.numel());
      ASSERT_LE(offset + count, weights.size()) << "weights.bin too short at " << entry.key;
      entry.tensor.copy_(
          torch::from_blob(const_cast<float*>(weights.data() + offset), entry.tensor.sizes()));
      offset += count;
    }
  }
  EXPECT_EQ(offset, weights.size()) << "weights.bin has values no key consumed";

  // (c, d) The same input gives the same output.
  const int64_t out_dim = num_classes > 0 ? num_classes : model->feature_dim();
  std::vector<float> input_values = ReadFloat32(dir.path() / "input.bin");
  std::vector<float> output_values = ReadFloat32(dir.path() / "output.bin");
  ASSERT_EQ(static_cast<int64_t>(input_values.size()),
            kBatch * in_channels * kInputSizePx * kInputSizePx);
  ASSERT_EQ(static_cast<int64_t>(output_values.size()), kBatch * out_dim);
  const torch::Tensor input =
      torch::from_blob(input_values.data(), {kBatch, in_channels, kInputSizePx, kInputSizePx});
  const torch::Tensor expected = torch::from_blob(output_values.data(), {kBatch, out_dim});
  torch::NoGradGuard no_grad;
  const torch::Tensor output = model->forward(input);
  ASSERT_EQ(output.sizes(), expected.sizes());
  EXPECT_TRUE(torch::allclose(output, expected, kTolerance, kTolerance))
      << "max |ours - torchvision| = " << (output - expected).abs().max().item<double>();
}

TEST(ResNetTorchvisionParity, Resnet18TwelveChannelsWithClassifier) {
  ExpectMatchesTorchvision(/*depth=*/18, /*in_channels=*/12, /*num_classes=*/19);
}

TEST(ResNetTorchvisionParity, Resnet34ThreeChannelsFeatures) {
  ExpectMatchesTorchvision(/*depth=*/34, /*in_channels=*/3, /*num_classes=*/0);
}

TEST(ResNetTorchvisionParity, Resnet50TwoChannelsFeatures) {
  ExpectMatchesTorchvision(/*depth=*/50, /*in_channels=*/2, /*num_classes=*/0);
}

TEST(ResNetTorchvisionParity, Resnet50TwoChannelsWithClassifier) {
  ExpectMatchesTorchvision(/*depth=*/50, /*in_channels=*/2, /*num_classes=*/10);
}

}  // namespace
}  // namespace mosaic::nn
