// Fuzz target: a whole .npz archive (parse_npz, src/io/npz.h): libzip's
// reading of the zip, members stored or DEFLATE-compressed, the member names,
// the declared against the actual member sizes, and each member's .npy. With
// libFuzzer, npz_mutator.cc mutates the members of an archive (re-zipped with
// valid checksums) as often as its raw bytes.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "io/npz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  disco::fuzz::expect_clean_refusals([&] {
    const disco::NpzArchive archive = disco::parse_npz(data, size, "input.npz");
    for (const auto& [name, a] : archive) {
      if (a.data.size() != static_cast<size_t>(a.num_values()) * disco::dtype_size(a.dtype)) {
        std::abort();  // a size check let a mismatch through
      }
    }
  });
  return 0;
}
