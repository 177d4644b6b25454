#include "mosaic/bundle_format.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "testing/manifests.h"
#include "testing/temp_dir.h"

namespace mosaic {
namespace {

using testing::ReadBytes;
using testing::TempDir;
using testing::WriteBytes;

BundleTensor FloatTensor(const std::string& name, std::vector<int64_t> shape, float start) {
  BundleTensor t;
  t.name = name;
  t.dtype = TensorDType::kFloat32;
  t.shape = std::move(shape);
  int64_t n = 1;
  for (int64_t d : t.shape) n *= d;
  std::vector<float> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[i] = start + 0.25f * static_cast<float>(i);
  t.data.resize(values.size() * sizeof(float));
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

BundleContents SampleContents() {
  BundleContents contents;
  contents.manifest = testing::TinyManifest();
  contents.tensors.push_back(FloatTensor("a.weight", {3, 5}, 1.0f));
  contents.tensors.push_back(FloatTensor("b.bias", {7}, -2.0f));
  BundleTensor counter;
  counter.name = "bn.num_batches_tracked";
  counter.dtype = TensorDType::kInt64;
  counter.data = {42, 0, 0, 0, 0, 0, 0, 0};
  contents.tensors.push_back(counter);
  return contents;
}

void ExpectRejected(const std::string& path, StatusCode code, const std::string& fragment) {
  StatusOr<BundleContents> read = ReadBundleFile(path);
  ASSERT_FALSE(read.ok()) << "expected rejection mentioning: " << fragment;
  EXPECT_EQ(read.status().code(), code) << read.status().ToString();
  EXPECT_NE(read.status().message().find(fragment), std::string::npos) << read.status().message();
  EXPECT_NE(read.status().message().find(path), std::string::npos)
      << "the message must name the file: " << read.status().message();
}

TEST(Crc32, MatchesTheStandardCheckValue) {
  // The CRC-32/ISO-HDLC check value for "123456789" is 0xCBF43926.
  EXPECT_EQ(Crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(Crc32("", 0), 0u);
  // Incremental use gives the same result as one call.
  EXPECT_EQ(Crc32("6789", 4, Crc32("12345", 5)), 0xCBF43926u);
}

TEST(BundleFormat, RoundTripIsExact) {
  TempDir dir;
  const std::string path = dir.File("model.mosaic");
  const BundleContents written = SampleContents();
  ASSERT_TRUE(WriteBundleFile(path, written).ok());
  StatusOr<BundleContents> read = ReadBundleFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->tensors.size(), written.tensors.size());
  for (size_t i = 0; i < written.tensors.size(); ++i) {
    EXPECT_EQ(read->tensors[i].name, written.tensors[i].name);
    EXPECT_EQ(read->tensors[i].dtype, written.tensors[i].dtype);
    EXPECT_EQ(read->tensors[i].shape, written.tensors[i].shape);
    EXPECT_EQ(read->tensors[i].data, written.tensors[i].data);
  }
  EXPECT_EQ(read->manifest.class_names, written.manifest.class_names);
  EXPECT_EQ(ReadBundleManifest(path)->name, "tiny-test-model");
}

TEST(BundleFormat, LayoutStartsWithMagicVersionAndAlignedData) {
  TempDir dir;
  const std::string path = dir.File("model.mosaic");
  ASSERT_TRUE(WriteBundleFile(path, SampleContents()).ok());
  const std::vector<char> bytes = ReadBytes(path);
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(std::string(bytes.data(), 8), "MOSAICMB");
  EXPECT_EQ(bytes[8], 1);  // little-endian version 1
  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data() + 16, 8);
  const uint64_t data_start = (24 + header_len + 63) / 64 * 64;
  // Three tensors: 60 bytes padded to 64, 28 padded to 64, 8 padded to 64.
  EXPECT_EQ(bytes.size(), data_start + 3 * 64);
  float first = 0;
  std::memcpy(&first, bytes.data() + data_start, 4);
  EXPECT_EQ(first, 1.0f);
}

TEST(BundleFormat, MissingFile) {
  TempDir dir;
  ExpectRejected(dir.File("absent.mosaic"), StatusCode::kNotFound, "does not exist");
}

TEST(BundleFormat, TruncatedFileIsRejectedAtEveryLength) {
  TempDir dir;
  const std::string good = dir.File("good.mosaic");
  ASSERT_TRUE(WriteBundleFile(good, SampleContents()).ok());
  const std::vector<char> bytes = ReadBytes(good);
  const std::string cut = dir.File("cut.mosaic");
  for (size_t length :
       {size_t{0}, size_t{5}, size_t{20}, size_t{40}, bytes.size() / 2, bytes.size() - 1}) {
    WriteBytes(cut, std::vector<char>(bytes.begin(), bytes.begin() + length));
    StatusOr<BundleContents> read = ReadBundleFile(cut);
    ASSERT_FALSE(read.ok()) << "accepted a file truncated to " << length << " bytes";
    EXPECT_EQ(read.status().code(), StatusCode::kCorruption) << read.status().ToString();
  }
  WriteBytes(cut, std::vector<char>(bytes.begin(), bytes.end() - 1));
  ExpectRejected(cut, StatusCode::kCorruption, "truncated");
}

TEST(BundleFormat, TrailingBytesAreRejected) {
  TempDir dir;
  const std::string path = dir.File("model.mosaic");
  ASSERT_TRUE(WriteBundleFile(path, SampleContents()).ok());
  std::vector<char> bytes = ReadBytes(path);
  bytes.push_back('x');
  WriteBytes(path, bytes);
  ExpectRejected(path, StatusCode::kCorruption, "trailing");
}

TEST(BundleFormat, FlippedBitInTensorDataFailsChecksum) {
  TempDir dir;
  const std::string path = dir.File("model.mosaic");
  ASSERT_TRUE(WriteBundleFile(path, SampleContents()).ok());
  std::vector<char> bytes = ReadBytes(path);
  bytes[bytes.size() - 64 - 64 + 3] ^= 0x10;  // inside "b.bias"
  WriteBytes(path, bytes);
  ExpectRejected(path, StatusCode::kCorruption, "checksum mismatch in tensor 'b.bias'");
  // The header is intact, so the manifest alone can still be read.
  EXPECT_TRUE(ReadBundleManifest(path).ok());
}

TEST(BundleFormat, FlippedBitInHeaderFailsHeaderChecksum) {
  TempDir dir;
  const std::string path = dir.File("model.mosaic");
  ASSERT_TRUE(WriteBundleFile(path, SampleContents()).ok());
  std::vector<char> bytes = ReadBytes(path);
  bytes[40] ^= 0x01;
  WriteBytes(path, bytes);
  ExpectRejected(path, StatusCode::kCorruption, "header checksum");
}

TEST(BundleFormat, ForeignFilesAreNamedAsSuch) {
  TempDir dir;
  const std::string zip = dir.File("model.pt");
  WriteBytes(zip, {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  ExpectRejected(zip, StatusCode::kCorruption, "ZIP archive");
  const std::string text = dir.File("notes.txt");
  const std::string words = "These are not the weights you are looking for.";
  WriteBytes(text, std::vector<char>(words.begin(), words.end()));
  ExpectRejected(text, StatusCode::kCorruption, "not a MoSAiC model bundle");
}

TEST(BundleFormat, NewerVersionIsUnsupported) {
  TempDir dir;
  const std::string path = dir.File("model.mosaic");
  ASSERT_TRUE(WriteBundleFile(path, SampleContents()).ok());
  std::vector<char> bytes = ReadBytes(path);
  bytes[8] = 2;
  WriteBytes(path, bytes);
  ExpectRejected(path, StatusCode::kUnsupported, "format version 2");
}

TEST(BundleFormat, HeaderLengthAboveLimitIsRejectedWithoutAllocating) {
  TempDir dir;
  const std::string path = dir.File("model.mosaic");
  ASSERT_TRUE(WriteBundleFile(path, SampleContents()).ok());
  std::vector<char> bytes = ReadBytes(path);
  const uint64_t huge = 1ull << 60;
  std::memcpy(bytes.data() + 16, &huge, 8);
  WriteBytes(path, bytes);
  ExpectRejected(path, StatusCode::kCorruption, "header length");
}

TEST(BundleFormat, WriterRejectsInconsistentTensorAndLeavesNoFile) {
  TempDir dir;
  const std::string path = dir.File("model.mosaic");
  BundleContents contents = SampleContents();
  contents.tensors[0].shape = {4, 5};  // data holds 3x5 floats
  Status status = WriteBundleFile(path, contents);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(dir.List().empty());
}

TEST(BundleFormat, FailedWriteKeepsExistingFileAndLeavesNoTemporary) {
  TempDir dir;
  const std::string path = dir.File("model.mosaic");
  ASSERT_TRUE(WriteBundleFile(path, SampleContents()).ok());
  const std::vector<char> before = ReadBytes(path);
  BundleContents bad = SampleContents();
  bad.manifest.class_names.clear();  // invalid manifest
  EXPECT_FALSE(WriteBundleFile(path, bad).ok());
  EXPECT_EQ(ReadBytes(path), before);
  EXPECT_EQ(dir.List(), std::vector<std::string>{"model.mosaic"});
}

TEST(BundleFormat, MissingOutputDirectoryIsAClearError) {
  TempDir dir;
  Status status = WriteBundleFile(dir.File("no/such/dir/model.mosaic"), SampleContents());
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  EXPECT_NE(status.message().find("does not exist"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace mosaic
