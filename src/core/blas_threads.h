// The thread count of the BLAS beneath LibTorch. LibTorch's
// set_num_threads() sizes its own OpenMP pool only; matrix products run on
// OpenBLAS's pthreads, sized separately. Oversubscribing both on a small
// machine makes spinning OpenMP threads fight OpenBLAS (measured 2x slower on
// 2 cores), so `--threads` sets both. Found at run time: with another BLAS
// these do nothing.
#pragma once

#include <string>

namespace disco {

// OpenBLAS's current thread count, or 0 if OpenBLAS is not loaded.
int blas_threads();
// Sets OpenBLAS's thread count; returns false if OpenBLAS is not loaded.
bool set_blas_threads(int n);
// OpenBLAS's build description ("OpenBLAS 0.3.21 ... Haswell ..."), or
// "not OpenBLAS (reference BLAS or another)" when it is not loaded.
std::string blas_description();

}  // namespace disco
