#include "core/simd_rows.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace disco::simd {
namespace {

bool cpu_allows() {
#if defined(DISCO_AVX2_KERNELS)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool initially_enabled() {
  const char* env = std::getenv("DISCO_SIMD");
  return cpu_allows() && !(env != nullptr && std::strcmp(env, "0") == 0);
}

std::atomic<bool>& switch_state() {
  static std::atomic<bool> on{initially_enabled()};
  return on;
}

}  // namespace

bool enabled() { return switch_state().load(std::memory_order_relaxed); }

void set_enabled(bool on) { switch_state().store(on && cpu_allows(), std::memory_order_relaxed); }

#if !defined(DISCO_AVX2_KERNELS)
// Built without the AVX2 kernels (not x86-64): enabled() is false, so the
// callers never get here.
namespace {
[[noreturn]] void absent() {
  throw std::logic_error("simd kernels called, but this build has none (check simd::enabled())");
}
}  // namespace
void categorical_kl(const RowView&, const RowView&, float*, float*, float*) { absent(); }
void categorical_kl_grads(const RowView&, const RowView&, const float*, const float*,
                          const float*, const float*, float*, float*) {
  absent();
}
void softmax_cross_entropy(const RowView&, const RowView&, float*, float*) { absent(); }
void softmax_cross_entropy_grad(const RowView&, const RowView&, const float*, const float*,
                                float*) {
  absent();
}
void softmax_expectation(const RowView&, const float*, float*) { absent(); }
void softmax_linear(const RowView&, const float*, const float*, int64_t, float*) { absent(); }
void lstm_cell(const float*, const float*, int64_t, int64_t, float*, float*) { absent(); }
void lstm_hidden_per_action(const float*, const float*, const float*, int64_t, int64_t, int64_t,
                            float*) {
  absent();
}
AdamSquares adam(const float*, const float*, const float*, const float*, int64_t,
                 const AdamConstants&, float*, float*, float*) {
  absent();
}
#endif

}  // namespace disco::simd
