// A FIFO replay of whole trajectories, as the reference's evaluation
// notebook's SimpleReplayBuffer: each actor rollout [T+1, B, ...] adds B
// trajectories (the oldest drop out beyond `capacity`), and a sample draws
// `batch` trajectories uniformly with replacement -> [T+1, batch, ...].
// Storage is preallocated on the CPU on the first add.
#pragma once

#include <cstdint>
#include <string>

#include "core/params.h"
#include "core/rng.h"
#include "core/types.h"

namespace disco {

class ReplayBuffer {
 public:
  explicit ReplayBuffer(int capacity);

  void add(const Rollout& rollout);
  Rollout sample(int batch, Rng& rng) const;

  int size() const { return size_; }
  int capacity() const { return capacity_; }

  // Contents and position as named tensors ("<prefix>obs", ...), and back.
  void save(ParamMap& out, const std::string& prefix) const;
  void load(const ParamMap& in, const std::string& prefix);

 private:
  int capacity_;
  int size_ = 0;
  int next_ = 0;
  // Each [capacity, T+1, ...]; agent outputs under "out/<head>".
  std::map<std::string, torch::Tensor> store_;
};

}  // namespace disco
