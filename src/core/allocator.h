// How freed memory goes back to the system. LibTorch's CPU tensors come from
// glibc's malloc; a learner update allocates and frees the same few-MiB
// activations again and again. With glibc's defaults those are mmap'ed and
// unmapped (or the heap trimmed) each time, and the page faults of touching
// them afresh cost more than the arithmetic: measured with bench_meta
// --breakdown at the notebook's sizes, a validation forward pass took 0.25 s
// by default and 0.05 s with freed memory kept for reuse, and a plain learner
// update 0.18 s against 0.15 s. Call once at start-up; the price is that the
// resident size stays at its peak instead of shrinking between updates.
#pragma once

namespace disco {

// Raises glibc's mmap threshold to its maximum (32 MiB) and stops trimming
// the heap. Returns false where the C library is not glibc (nothing done).
bool keep_freed_memory_for_reuse();

}  // namespace disco
