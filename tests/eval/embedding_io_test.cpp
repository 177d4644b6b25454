#include "mosaic/eval/embedding_io.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "testing/temp_dir.h"

namespace mosaic::eval {
namespace {

using mosaic::testing::ReadBytes;
using mosaic::testing::TempDir;

TEST(Npy, HeaderParsesAndDataRoundTrips) {
  TempDir dir;
  const std::string path = dir.File("emb.npy");
  std::vector<float> values;
  for (int i = 0; i < 5 * 3; ++i) values.push_back(0.25f * static_cast<float>(i) - 1.0f);
  ASSERT_TRUE(WriteNpyFloat32(path, values, 5, 3).ok());
  const std::vector<char> bytes = ReadBytes(path);
  ASSERT_GT(bytes.size(), 10u);
  EXPECT_EQ(std::string(bytes.data(), 6), "\x93NUMPY");
  EXPECT_EQ(bytes[6], 1);
  EXPECT_EQ(bytes[7], 0);
  const size_t header_len =
      static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  const std::string dict(bytes.data() + 10, header_len);
  EXPECT_EQ(dict.find("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 3), }"), 0u) << dict;
  EXPECT_EQ(dict.back(), '\n');
  ASSERT_EQ(bytes.size(), 10 + header_len + values.size() * 4);
  std::vector<float> back(values.size());
  std::memcpy(back.data(), bytes.data() + 10 + header_len,
              values.size() * 4);  // little-endian host
  EXPECT_EQ(back, values);
  EXPECT_EQ(dir.List().size(), 1u);  // no temporary file left
}

TEST(Npy, RejectsWrongSize) {
  TempDir dir;
  EXPECT_FALSE(WriteNpyFloat32(dir.File("x.npy"), {1, 2, 3}, 2, 2).ok());
  EXPECT_FALSE(WriteNpyFloat32(dir.File("missing/x.npy"), {1, 2, 3, 4}, 2, 2).ok());
}

TEST(EmbeddingsCsv, OneRowPerSampleWithHeaderAndQuoting) {
  TempDir dir;
  const std::string path = dir.File("emb.csv");
  ASSERT_TRUE(WriteEmbeddingsCsv(path, {"p0", "p,1", "p2"}, {"Arable land", "", "Inland waters"},
                                 {0.5f, -1.0f, 0.1f, 2.0f, 3.0f, 4.0f}, 2)
                  .ok());
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "id,label,e1,e2");
  EXPECT_EQ(lines[1], "p0,Arable land,0.5,-1");
  EXPECT_EQ(lines[2], "\"p,1\",,0.1,2");
  EXPECT_EQ(lines[3], "p2,Inland waters,3,4");
  EXPECT_FALSE(WriteEmbeddingsCsv(path, {"a"}, {"b", "c"}, {1.0f}, 1).ok());
}

}  // namespace
}  // namespace mosaic::eval
