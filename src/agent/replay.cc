#include "agent/replay.h"

#include <torch/torch.h>

#include <stdexcept>
#include <vector>

#include "agent/checkpoint.h"

namespace disco {
namespace {

// Stored under their earlier names, so that saved buffers still load.
std::string stored_name(const std::string& field) {
  if (field == "observations") return "obs";
  if (field.rfind("agent_outs/", 0) == 0) return "out/" + field.substr(11);
  return field;
}

std::string field_name(const std::string& stored) {
  if (stored == "obs") return "observations";
  if (stored.rfind("out/", 0) == 0) return "agent_outs/" + stored.substr(4);
  return stored;
}

std::map<std::string, torch::Tensor> fields(const Rollout& r) {
  std::map<std::string, torch::Tensor> f;
  for (const auto& [name, t] : rollout_fields(r)) f[stored_name(name)] = t;
  return f;
}

}  // namespace

ReplayBuffer::ReplayBuffer(int capacity) : capacity_(capacity) {
  if (capacity <= 0) throw std::invalid_argument("replay: capacity must be positive");
}

void ReplayBuffer::add(const Rollout& rollout) {
  const auto batch = rollout.actions.size(1);
  auto f = fields(rollout);
  if (store_.empty()) {
    for (const auto& [name, t] : f) {
      std::vector<int64_t> shape = {capacity_, t.size(0)};
      shape.insert(shape.end(), t.sizes().begin() + 2, t.sizes().end());
      store_[name] = torch::zeros(shape, t.options().device(torch::kCPU));
    }
  }
  const auto index = (torch::arange(batch, torch::kLong) + next_).remainder(capacity_);
  for (const auto& [name, t] : f) {
    auto it = store_.find(name);
    if (it == store_.end()) throw std::invalid_argument("replay: rollout has a new field " + name);
    it->second.index_copy_(0, index, t.to(torch::kCPU).transpose(0, 1));
  }
  next_ = static_cast<int>((next_ + batch) % capacity_);
  size_ = static_cast<int>(std::min<int64_t>(capacity_, size_ + batch));
}

Rollout ReplayBuffer::sample(int batch, Rng& rng) const {
  if (size_ == 0) throw std::logic_error("replay: sample from an empty buffer");
  // Slots in insertion order: the oldest live trajectory is slot 0 of the
  // window, as in the notebook's deque.
  std::vector<int64_t> picks(batch);
  const int oldest = size_ < capacity_ ? 0 : next_;
  for (auto& p : picks) p = (oldest + rng.uniform_int(size_)) % capacity_;
  const auto index = torch::tensor(picks, torch::kLong);
  auto take = [&](const std::string& name) {
    return store_.at(name).index_select(0, index).transpose(0, 1).contiguous();
  };
  std::map<std::string, torch::Tensor> f;
  for (const auto& [name, t] : store_) f[field_name(name)] = take(name);
  return rollout_from_fields(f);
}

void ReplayBuffer::save(ParamMap& out, const std::string& prefix) const {
  out[prefix + "size"] = torch::tensor(static_cast<int64_t>(size_));
  out[prefix + "next"] = torch::tensor(static_cast<int64_t>(next_));
  for (const auto& [name, t] : store_) out[prefix + "store/" + name] = t;
}

void ReplayBuffer::load(const ParamMap& in, const std::string& prefix) {
  // A checkpoint is input: the position must lie in the buffer and every
  // stored field must have its capacity of trajectories.
  const auto size = checkpoint_values(in, prefix + "size", torch::kLong, 1).item<int64_t>();
  const auto next = checkpoint_values(in, prefix + "next", torch::kLong, 1).item<int64_t>();
  if (size < 0 || size > capacity_ || next < 0 || next >= capacity_) {
    throw std::invalid_argument("replay: checkpoint position (size " + std::to_string(size) +
                                ", next " + std::to_string(next) + ") is outside a buffer of " +
                                std::to_string(capacity_));
  }
  std::map<std::string, torch::Tensor> store;
  const std::string key = prefix + "store/";
  for (const auto& [name, t] : in) {
    if (name.rfind(key, 0) != 0) continue;
    if (t.dim() < 2 || t.size(0) != capacity_) {
      throw std::invalid_argument("replay: checkpoint capacity differs from the settings");
    }
    store[name.substr(key.size())] = t.clone();
  }
  if (size > 0 && store.empty()) throw std::invalid_argument("replay: checkpoint lacks its contents");
  size_ = static_cast<int>(size);
  next_ = static_cast<int>(next);
  store_ = std::move(store);
}

}  // namespace disco
