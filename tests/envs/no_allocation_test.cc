// Environments step without touching the heap: after a warm-up, thousands of
// batched steps (auto-resets included) make no allocation at all. Counted by
// replacing the global operator new of this test executable.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "envs/registry.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace disco {
namespace {

long allocations_during_steps(const std::string& name, int steps) {
  BatchedEnv env = make_batched_env(name, 64);
  env.reset(5);
  Rng rng(6);
  std::vector<int> actions(64);
  const int num_actions = env.spec().num_actions;
  for (int t = 0; t < 200; ++t) {  // warm-up
    for (int& a : actions) a = rng.uniform_int(num_actions);
    env.step(actions.data());
  }
  const long before = g_allocations.load();
  for (int t = 0; t < steps; ++t) {
    for (int& a : actions) a = rng.uniform_int(num_actions);
    env.step(actions.data());
  }
  return g_allocations.load() - before;
}

TEST(NoAllocation, CounterSeesAllocations) {
  const long before = g_allocations.load();
  auto* v = new std::vector<int>(10);
  delete v;
  EXPECT_GE(g_allocations.load() - before, 2);
}

class NoAllocation : public ::testing::TestWithParam<std::string> {};

TEST_P(NoAllocation, StepsAndAutoResetsDoNotAllocate) {
  EXPECT_EQ(allocations_during_steps(GetParam(), 3000), 0) << GetParam();
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const EnvEntry& e : env_registry()) out.push_back(e.name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllEnvironments, NoAllocation, ::testing::ValuesIn(names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace disco
