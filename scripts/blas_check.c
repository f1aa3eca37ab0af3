/* Prints the GFLOP/s of a 1024x1024 single-precision matrix product through
 * libblas.so.3 (the BLAS LibTorch uses): best of several repetitions. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
            const float* beta, float* c, const int* ldc);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(void) {
  const int n = 1024;
  const float one = 1.f, zero = 0.f;
  float* a = malloc(sizeof(float) * n * n);
  float* b = malloc(sizeof(float) * n * n);
  float* c = malloc(sizeof(float) * n * n);
  for (int i = 0; i < n * n; ++i) {
    a[i] = (float)(i % 13) / 13.f;
    b[i] = (float)(i % 7) / 7.f;
  }
  double best = 1e30;
  double spent = 0;
  for (int rep = 0; rep < 20 && (rep < 3 || spent < 2.0); ++rep) {
    const double t0 = now();
    sgemm_("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
    const double dt = now() - t0;
    spent += dt;
    if (dt < best) best = dt;
  }
  printf("%.1f\n", 2.0 * n * n * (double)n / best / 1e9);
  free(a);
  free(b);
  free(c);
  return 0;
}
