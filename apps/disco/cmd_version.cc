// `disco --version`: what a bug report needs to name the build.
#include <torch/cuda.h>
#include <torch/version.h>

#include <sstream>

#include "commands.h"
#include "core/blas_threads.h"
#include "core/simd_rows.h"
#include "disco_commit.h"

namespace disco::cli {

std::string version_text() {
  std::ostringstream o;
  o << "disco " << DISCO_VERSION << " (commit " << DISCO_GIT_COMMIT << ")\n"
    << "LibTorch " << TORCH_VERSION << (torch::cuda::is_available() ? " with CUDA" : ", CPU only") << "\n"
    << "BLAS: " << blas_description() << "\n"
    << "AVX2+FMA kernels: " << (simd::enabled() ? "on" : "off (this CPU lacks AVX2 or FMA, or DISCO_SIMD=0)");
  return o.str();
}

}  // namespace disco::cli
