// What the fuzz targets share: the line between refusing an input and a bug.
//
// The parsers' contract (src/io/npz.h, src/io/config.h, src/envs/...) is to
// refuse bad input by throwing std::invalid_argument or std::runtime_error,
// with a message naming the problem. Anything else that escapes is a bug the
// fuzzer must report: std::bad_alloc or std::length_error (an allocation sized
// by the input), std::out_of_range (an index the input chose), or a foreign
// exception. A crash, a hang or a sanitizer report is one anyway.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <typeinfo>

namespace disco::fuzz {

// DISCO_FUZZ_VERBOSE=1 in the environment prints every refusal's message
// (to see why a seed is refused).
inline void note_refusal(const std::exception& e) {
  static const bool verbose = std::getenv("DISCO_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "fuzz: refused: %s\n", e.what());
}

// Runs `body` on one input: a clean refusal returns, any other exception is
// printed and aborts (so that libFuzzer, or the replay test, records it).
template <typename Body>
void expect_clean_refusals(Body&& body) {
  try {
    body();
  } catch (const std::invalid_argument& e) {
    note_refusal(e);
  } catch (const std::runtime_error& e) {
    note_refusal(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: not a clean refusal: %s: %s\n", typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz: not a clean refusal: an exception of unknown type\n");
    std::abort();
  }
}

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace disco::fuzz
