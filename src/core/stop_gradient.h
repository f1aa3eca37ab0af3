// stop_gradient(x): x as a constant for differentiation (the reference's
// jax.lax.stop_gradient). Every stop-gradient that the reference's
// semantics require goes through this one function, so that the set of
// quantities a meta-gradient treats as constants is explicit.
//
// A StopGradientTape makes those constants checkable: recording, it keeps
// every value that stop_gradient returns during one evaluation; replaying,
// stop_gradient returns the recorded values in the same order instead. A
// meta-gradient can then be compared with finite differences of a loss in
// which the stop-gradient'ed quantities really are constant (tests only;
// with no tape active stop_gradient is a plain detach). Header-only: the
// torch-free environment library never builds it.
#pragma once

#include <torch/types.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace disco {

class StopGradientTape {
 public:
  enum class Mode { kRecord, kReplay };

  // Activates this tape on the current thread until destroyed.
  explicit StopGradientTape(std::vector<torch::Tensor>& values, Mode mode)
      : values_(values), mode_(mode), outer_(active()) {
    if (mode_ == Mode::kRecord) values_.clear();
    active() = this;
  }
  ~StopGradientTape() { active() = outer_; }
  StopGradientTape(const StopGradientTape&) = delete;
  StopGradientTape& operator=(const StopGradientTape&) = delete;

  torch::Tensor pass(const torch::Tensor& x) {
    if (mode_ == Mode::kRecord) {
      values_.push_back(x.detach().clone());
      return values_.back();
    }
    if (cursor_ >= values_.size()) {
      throw std::logic_error("stop-gradient tape: more stop_gradient calls than recorded (" +
                             std::to_string(values_.size()) + ")");
    }
    const auto& v = values_[cursor_++];
    if (v.sizes() != x.sizes()) {
      throw std::logic_error("stop-gradient tape: call " + std::to_string(cursor_ - 1) +
                             " has another shape than recorded");
    }
    return v;
  }

  size_t replayed() const { return cursor_; }

  static StopGradientTape*& active() {
    static thread_local StopGradientTape* tape = nullptr;
    return tape;
  }

 private:
  std::vector<torch::Tensor>& values_;
  Mode mode_;
  StopGradientTape* outer_;
  size_t cursor_ = 0;
};

// While alive, stop_gradient is the identity on this thread: derivatives flow
// through every quantity the reference holds constant. For sensitivity
// analyses (`disco analyze horizon`: how far a target moves with each input,
// as finite differences would see it), never for training.
class StopGradientsOff {
 public:
  StopGradientsOff() : outer_(off()) { off() = true; }
  ~StopGradientsOff() { off() = outer_; }
  StopGradientsOff(const StopGradientsOff&) = delete;
  StopGradientsOff& operator=(const StopGradientsOff&) = delete;
  static bool& off() {
    static thread_local bool value = false;
    return value;
  }

 private:
  bool outer_;
};

inline torch::Tensor stop_gradient(const torch::Tensor& x) {
  if (!x.defined() || StopGradientsOff::off()) return x;
  StopGradientTape* tape = StopGradientTape::active();
  return tape ? tape->pass(x) : x.detach();
}

}  // namespace disco
