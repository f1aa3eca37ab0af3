// keep_freed_memory_for_reuse: a block of a few MiB, the size of a learner's
// activations, comes from the heap afterwards, not from a fresh mapping.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "core/allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace disco {
namespace {

#if defined(__GLIBC__)
size_t mapped_blocks() { return mallinfo2().hblks; }

TEST(Allocator, MiBBlocksComeFromTheHeapAfterwards) {
  ASSERT_TRUE(keep_freed_memory_for_reuse());
  const size_t before = mapped_blocks();
  void* block = std::malloc(8 << 20);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, 8 << 20);
  EXPECT_EQ(mapped_blocks(), before) << "an 8 MiB block was still mmap'ed";
  std::free(block);
}
#endif

}  // namespace
}  // namespace disco
