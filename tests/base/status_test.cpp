#include "mosaic/status.h"

#include <gtest/gtest.h>

namespace mosaic {
namespace {

Status FailsWith(StatusCode code) { return Status(code, "boom"); }

Status PropagatesFirstError(bool* reached_end) {
  MOSAIC_RETURN_IF_ERROR(Status::OK());
  MOSAIC_RETURN_IF_ERROR(FailsWith(StatusCode::kNotFound));
  *reached_end = true;
  return Status::OK();
}

TEST(Status, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "OK");
}

TEST(Status, ToStringNamesCodeAndMessage) {
  EXPECT_EQ(Status::Corruption("header checksum mismatch").ToString(),
            "Corruption: header checksum mismatch");
  EXPECT_EQ(Status::InvalidArgument("x").code(), StatusCode::kInvalidArgument);
}

TEST(Status, WithContextPrefixesMessageAndKeepsCode) {
  Status status = Status::NotFound("no such band").WithContext("--s2-bands");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "--s2-bands: no such band");
  EXPECT_TRUE(Status::OK().WithContext("ignored").ok());
}

TEST(Status, ReturnIfErrorStopsAtFirstError) {
  bool reached_end = false;
  Status status = PropagatesFirstError(&reached_end);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_FALSE(reached_end);
}

TEST(StatusOr, HoldsValueOrError) {
  StatusOr<int> value = 42;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
  StatusOr<int> error = Status::IOError("disk full");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.status().message(), "disk full");
}

}  // namespace
}  // namespace mosaic
