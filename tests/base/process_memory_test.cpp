#include "mosaic/process_memory.h"

#include <gtest/gtest.h>

#include <cstdlib>  // defines __GLIBC__ on glibc systems

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// AddressSanitizer replaces malloc: its mallopt does nothing and says so.
#if defined(__SANITIZE_ADDRESS__)
#define MOSAIC_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MOSAIC_TEST_UNDER_ASAN 1
#endif
#endif

namespace mosaic {
namespace {

#if defined(MOSAIC_TEST_UNDER_ASAN)
TEST(KeepFreedMemoryForReuse, HasNoEffectUnderAddressSanitizer) {
  EXPECT_FALSE(KeepFreedMemoryForReuse());
}
#elif defined(__GLIBC__)
// Bytes glibc currently holds in separately mmapped blocks.
size_t MmappedBytes() { return mallinfo2().hblkhd; }

TEST(KeepFreedMemoryForReuse, LargeBlocksComeFromTheHeapAfterwards) {
  ASSERT_TRUE(KeepFreedMemoryForReuse());
  // 16 MiB: above glibc's default mmap threshold (128 KiB), below the 32 MiB
  // set here, so it must now come from the heap, not from its own mmap.
  constexpr size_t kBlock = 16u << 20;
  const size_t before = MmappedBytes();
  void* block = std::malloc(kBlock);
  ASSERT_NE(block, nullptr);
  static_cast<volatile char*>(block)[kBlock - 1] = 1;  // keep the allocation
  EXPECT_LT(MmappedBytes(), before + kBlock);
  std::free(block);
}
#else
TEST(KeepFreedMemoryForReuse, SaysWhenItHasNoEffect) { EXPECT_FALSE(KeepFreedMemoryForReuse()); }
#endif

}  // namespace
}  // namespace mosaic
