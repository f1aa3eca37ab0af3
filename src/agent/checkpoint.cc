#include "agent/checkpoint.h"

#include <torch/torch.h>

#include <cstring>
#include <stdexcept>

#include "nets/agent_net.h"

namespace disco {

torch::Tensor pack_bytes(const std::vector<uint8_t>& bytes) {
  const int64_t words = (static_cast<int64_t>(bytes.size()) + 7) / 8;
  auto t = torch::zeros({words + 1}, torch::kLong);
  auto* p = t.data_ptr<int64_t>();
  p[0] = static_cast<int64_t>(bytes.size());
  if (!bytes.empty()) std::memcpy(p + 1, bytes.data(), bytes.size());
  return t;
}

std::vector<uint8_t> unpack_bytes(const torch::Tensor& packed) {
  const auto t = packed.to(torch::kCPU).contiguous();
  if (t.scalar_type() != torch::kLong || t.dim() != 1 || t.size(0) < 1) {
    throw std::invalid_argument("checkpoint: malformed byte blob");
  }
  const auto* p = t.data_ptr<int64_t>();
  const auto n = p[0];
  if (n < 0 || n > (t.size(0) - 1) * 8) throw std::invalid_argument("checkpoint: malformed byte blob");
  std::vector<uint8_t> bytes(n);
  if (n) std::memcpy(bytes.data(), p + 1, n);
  return bytes;
}

torch::Tensor checkpoint_values(const ParamMap& in, const std::string& name,
                                torch::ScalarType dtype, int64_t count) {
  const auto t = param(in, name).to(torch::kCPU).contiguous().reshape({-1});
  if (t.scalar_type() != dtype || t.numel() != count) {
    throw std::invalid_argument("checkpoint: '" + name + "' holds " + std::to_string(t.numel()) +
                                " " + std::string(c10::toString(t.scalar_type())) +
                                " values, expected " + std::to_string(count) + " " +
                                std::string(c10::toString(dtype)));
  }
  return t;
}

torch::Tensor pack_rng(const Rng& rng) {
  auto t = torch::empty({4}, torch::kLong);
  std::memcpy(t.data_ptr<int64_t>(), rng.state().data(), sizeof(Rng::State));
  return t;
}

void unpack_rng(const torch::Tensor& packed, Rng& rng) {
  const auto t = packed.to(torch::kCPU).contiguous();
  if (t.scalar_type() != torch::kLong || t.numel() != 4) {
    throw std::invalid_argument("checkpoint: malformed generator state");
  }
  Rng::State s;
  std::memcpy(s.data(), t.data_ptr<int64_t>(), sizeof(Rng::State));
  rng.set_state(s);
}

void put_learner_state(ParamMap& out, const LearnerState& state) {
  for (const auto& [name, t] : state.params) out["agent/" + name] = t;
  for (const auto& [name, t] : state.opt.mu) out["opt/mu/" + name] = t;
  for (const auto& [name, t] : state.opt.nu) out["opt/nu/" + name] = t;
  out["opt/count"] = torch::tensor(state.opt.count);
  for (const auto& [name, t] : state.meta_state) out["meta_state/" + name] = t;
}

namespace {

// in[prefix + name], or else the entry under the agent parameter's name from
// before the Haiku method parts were added (nets/agent_net.h), so that
// checkpoints written before the rename still resume.
const torch::Tensor& find_entry(const ParamMap& in, const std::string& prefix,
                                const std::string& name) {
  auto it = in.find(prefix + name);
  if (it != in.end()) return it->second;
  const std::string target = "target_params/";
  const std::string legacy = name.rfind(target, 0) == 0
                                 ? target + agent_param_legacy_name(name.substr(target.size()))
                                 : agent_param_legacy_name(name);
  it = in.find(prefix + legacy);
  if (it != in.end()) return it->second;
  return param(in, prefix + name);  // throws, naming the current name
}

}  // namespace

LearnerState get_learner_state(const ParamMap& in, const LearnerState& expected,
                               torch::Device device) {
  auto load = [&](const std::string& prefix, const std::string& name, const torch::Tensor& like) {
    const std::string key = prefix + name;
    const auto& t = find_entry(in, prefix, name);
    if (t.sizes() != like.sizes()) {
      throw std::invalid_argument("checkpoint: '" + key + "' has shape " + c10::str(t.sizes()) +
                                  ", expected " + c10::str(like.sizes()));
    }
    return t.to(device, like.scalar_type());
  };
  LearnerState s;
  for (const auto& [name, t] : expected.params) s.params[name] = load("agent/", name, t);
  for (const auto& [name, t] : expected.opt.mu) s.opt.mu[name] = load("opt/mu/", name, t);
  for (const auto& [name, t] : expected.opt.nu) s.opt.nu[name] = load("opt/nu/", name, t);
  s.opt.count = checkpoint_values(in, "opt/count", torch::kLong, 1).item<int64_t>();
  if (s.opt.count < 0) throw std::invalid_argument("checkpoint: 'opt/count' is negative");
  for (const auto& [name, t] : expected.meta_state) s.meta_state[name] = load("meta_state/", name, t);
  return s;
}

}  // namespace disco
