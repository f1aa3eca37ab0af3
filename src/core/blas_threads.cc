#include "core/blas_threads.h"

#include <dlfcn.h>

namespace disco {

int blas_threads() {
  using GetFn = int (*)();
  auto get = reinterpret_cast<GetFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get ? get() : 0;
}

bool set_blas_threads(int n) {
  using SetFn = void (*)(int);
  auto set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!set) return false;
  set(n);
  return true;
}

std::string blas_description() {
  using ConfigFn = char* (*)();
  auto config = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  if (!config) return "not OpenBLAS (reference BLAS or another)";
  std::string text = config();
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace disco
