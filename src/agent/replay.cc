#include "agent/replay.h"

#include <torch/torch.h>

#include <stdexcept>
#include <vector>

namespace disco {
namespace {

std::map<std::string, torch::Tensor> fields(const Rollout& r) {
  std::map<std::string, torch::Tensor> f = {{"obs", r.observations},
                                            {"actions", r.actions},
                                            {"rewards", r.rewards},
                                            {"discounts", r.discounts}};
  for (const auto& [head, t] : r.agent_outs) f["out/" + head] = t;
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
  Rollout r;
  r.observations = take("obs");
  r.actions = take("actions");
  r.rewards = take("rewards");
  r.discounts = take("discounts");
  for (const auto& [name, t] : store_) {
    if (name.rfind("out/", 0) == 0) r.agent_outs[name.substr(4)] = take(name);
  }
  return r;
}

void ReplayBuffer::save(ParamMap& out, const std::string& prefix) const {
  out[prefix + "size"] = torch::tensor(static_cast<int64_t>(size_));
  out[prefix + "next"] = torch::tensor(static_cast<int64_t>(next_));
  for (const auto& [name, t] : store_) out[prefix + "store/" + name] = t;
}

void ReplayBuffer::load(const ParamMap& in, const std::string& prefix) {
  size_ = static_cast<int>(param(in, prefix + "size").item<int64_t>());
  next_ = static_cast<int>(param(in, prefix + "next").item<int64_t>());
  store_.clear();
  const std::string key = prefix + "store/";
  for (const auto& [name, t] : in) {
    if (name.rfind(key, 0) == 0) store_[name.substr(key.size())] = t.clone();
  }
  if (size_ > 0 && store_.empty()) throw std::invalid_argument("replay: checkpoint lacks its contents");
  if (!store_.empty() && store_.begin()->second.size(0) != capacity_) {
    throw std::invalid_argument("replay: checkpoint capacity differs from the settings");
  }
}

}  // namespace disco
