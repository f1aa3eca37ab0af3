// Byte-level serialisation of plain state (environment internals, RNGs,
// counters) for checkpoints. Writers append; readers consume in the same
// order and throw on a short or over-long buffer instead of reading garbage.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "core/rng.h"

namespace disco {

class StateWriter {
 public:
  template <typename T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "put() takes plain values");
    const auto* p = reinterpret_cast<const uint8_t*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  template <typename T>
  void put_vector(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>, "put_vector() takes plain values");
    put<uint64_t>(values.size());
    const auto* p = reinterpret_cast<const uint8_t*>(values.data());
    bytes_.insert(bytes_.end(), p, p + values.size() * sizeof(T));
  }
  void put_rng(const Rng& rng) { put(rng.state()); }

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<uint8_t> bytes_;
};

class StateReader {
 public:
  explicit StateReader(const std::vector<uint8_t>& bytes) : bytes_(bytes) {}

  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>, "get() returns plain values");
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  template <typename T>
  std::vector<T> get_vector() {
    const auto n = get<uint64_t>();
    if (n > (bytes_.size() - pos_) / sizeof(T)) {
      throw std::invalid_argument("saved state is truncated (vector of " + std::to_string(n) +
                                  " elements does not fit)");
    }
    std::vector<T> values(n);
    // An empty vector's data() may be null, which memcpy must not be given.
    if (n > 0) std::memcpy(values.data(), bytes_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return values;
  }
  void get_rng(Rng& rng) { rng.set_state(get<Rng::State>()); }

  // Call after reading everything: leftover bytes mean a layout mismatch.
  void expect_end() const {
    if (pos_ != bytes_.size()) {
      throw std::invalid_argument("saved state has " + std::to_string(bytes_.size() - pos_) +
                                  " unread bytes (layout mismatch)");
    }
  }

 private:
  void need(size_t n) const {
    if (pos_ + n > bytes_.size()) {
      throw std::invalid_argument("saved state is truncated (need " + std::to_string(n) +
                                  " more bytes at offset " + std::to_string(pos_) + ")");
    }
  }
  const std::vector<uint8_t>& bytes_;
  size_t pos_ = 0;
};

}  // namespace disco
