// Access to the real reference data in shared/data (read-only).
#ifndef MOSAIC_TESTS_TESTING_SHARED_DATA_H_
#define MOSAIC_TESTS_TESTING_SHARED_DATA_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace mosaic::testing {

// The BigEarthNet v1 example root (holding BigEarthNet-S1-Example and
// BigEarthNet-S2-Example).
inline std::string BigEarthNetV1ExamplesDir() {
  return std::string(MOSAIC_SHARED_DATA_DIR) + "/bigearthnet-v1-examples";
}

// True if the shared data is present. In CI (CI=true) its absence is a test
// failure, elsewhere the caller skips.
inline bool SharedDataAvailable() {
  if (std::filesystem::is_directory(BigEarthNetV1ExamplesDir())) return true;
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string(ci) == "true") {
    ADD_FAILURE() << "reference data missing in CI: " << BigEarthNetV1ExamplesDir();
  }
  return false;
}

#define MOSAIC_REQUIRE_SHARED_DATA()                                                              \
  if (!::mosaic::testing::SharedDataAvailable())                                                  \
  GTEST_SKIP() << "reference data not found at " << ::mosaic::testing::BigEarthNetV1ExamplesDir() \
               << " (configure with -DMOSAIC_SHARED_DATA_DIR=...)"

}  // namespace mosaic::testing

#endif  // MOSAIC_TESTS_TESTING_SHARED_DATA_H_
