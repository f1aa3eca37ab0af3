// Fuzz target: one .npy image (parse_npy, src/io/npz.h): magic, versions 1-3,
// the header dict, dtypes, shapes, C and Fortran order. Whatever parses must
// hold exactly its shape's bytes and serialise back to an image that parses
// to the same array.
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "io/npz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  disco::fuzz::expect_clean_refusals([&] {
    const disco::NpyArray a = disco::parse_npy(data, size, "input.npy");
    if (a.data.size() != static_cast<size_t>(a.num_values()) * disco::dtype_size(a.dtype)) {
      std::abort();  // a size check let a mismatch through
    }
    const auto image = disco::serialize_npy(a);
    const disco::NpyArray b = disco::parse_npy(image.data(), image.size(), "round trip");
    if (b.dtype != a.dtype || b.shape != a.shape || b.data != a.data) std::abort();
  });
  return 0;
}
