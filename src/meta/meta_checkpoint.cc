#include "meta/meta_checkpoint.h"

#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>

#include "agent/checkpoint.h"
#include "io/npz_tensors.h"
#include "meta/agent_state_io.h"

namespace disco {
namespace fs = std::filesystem;
namespace {

const char* kManifest = "checkpoint.npz";
const char* kAgentsDir = "agents";

// The step of an agent file of ours ("agent3-step50.npz" -> 50), or -1.
int64_t agent_file_step(const std::string& name) {
  const auto at = name.rfind("-step");
  if (at == std::string::npos || name.size() < 4 || name.substr(name.size() - 4) != ".npz") return -1;
  const std::string digits = name.substr(at + 5, name.size() - 4 - at - 5);
  if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return -1;
  }
  return std::stoll(digits);
}

void write_manifest(const std::string& dir, const RuleState& rule, const MetaCounters& c,
                    int population) {
  ParamMap ckpt;
  for (const auto& [name, t] : rule.meta_params) ckpt["rule/" + name] = t;
  for (size_t i = 0; i < rule.opt.size(); ++i) {
    const std::string p = "meta_opt" + std::to_string(i) + "/";
    ckpt[p + "count"] = torch::tensor(rule.opt[i].count);
    put_under(ckpt, p + "mu/", rule.opt[i].mu);
    put_under(ckpt, p + "nu/", rule.opt[i].nu);
  }
  ckpt["trainer/counters"] = torch::tensor({c.meta_step, c.env_steps, c.resets, c.skipped});
  ckpt["trainer/dropped"] = torch::tensor({c.dropped});
  ckpt["trainer/population"] = torch::tensor({static_cast<int64_t>(population)});
  ckpt["trainer/elapsed_s"] = torch::tensor(c.elapsed_s, torch::kFloat64);
  for (auto& [name, t] : ckpt) t = t.detach().to(torch::kCPU);
  save_tensors((fs::path(dir) / kManifest).string(), ckpt);
}

}  // namespace

std::string meta_agents_dir(const std::string& dir) { return (fs::path(dir) / kAgentsDir).string(); }

std::string meta_agent_file(const std::string& dir, int agent, int64_t step) {
  return (fs::path(dir) / kAgentsDir /
          ("agent" + std::to_string(agent) + "-step" + std::to_string(step) + ".npz"))
      .string();
}

void save_meta_checkpoint(const std::string& dir, dist::Communicator& comm,
                          const std::vector<std::unique_ptr<PopulationAgent>>& agents,
                          const RuleState& rule, const MetaCounters& counters, int population) {
  std::string error;
  try {
    for (const auto& a : agents) {
      save_tensors(meta_agent_file(dir, a->index, counters.meta_step), save_agent(*a, counters.meta_step));
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  const auto failed = comm.all_gather(torch::tensor({error.empty() ? int64_t{0} : int64_t{1}}));
  if (!error.empty()) throw std::runtime_error(error);
  for (int r = 0; r < comm.size(); ++r) {
    if (failed[r].item<int64_t>() != 0) {
      throw std::runtime_error("rank " + std::to_string(r) + " could not write its agents' checkpoint");
    }
  }
  auto manifest_written = torch::tensor({int64_t{1}});
  if (comm.rank() == 0) {
    try {
      write_manifest(dir, rule, counters, population);
    } catch (...) {
      manifest_written.fill_(0);
      comm.broadcast(manifest_written, 0);
      throw;
    }
  }
  comm.broadcast(manifest_written, 0);
  if (manifest_written.item<int64_t>() == 0) {
    throw std::runtime_error("rank 0 could not write the checkpoint's manifest");
  }
  if (comm.rank() != 0) return;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / kAgentsDir, ec)) {
    const int64_t step = agent_file_step(entry.path().filename().string());
    if (step >= 0 && step < counters.meta_step) fs::remove(entry.path(), ec);
  }
}

void load_meta_checkpoint(const std::string& dir, std::vector<std::unique_ptr<PopulationAgent>>& agents,
                          RuleState& rule, MetaCounters& counters, int population,
                          torch::Device device) {
  const ParamMap ckpt = load_tensors((fs::path(dir) / kManifest).string());
  if (ckpt.count("agent0/actor")) {
    throw std::invalid_argument("'" + dir + "' was checkpointed by an older disco (all agents in "
                                "checkpoint.npz, one shared generator); resume it with that version");
  }
  rule.meta_params = load_like(ckpt, "rule/", rule.meta_params, device);
  for (size_t i = 0; i < rule.opt.size(); ++i) {
    const std::string p = "meta_opt" + std::to_string(i) + "/";
    rule.opt[i].count = checkpoint_counts(ckpt, p + "count", 1)[0];
    rule.opt[i].mu = load_like(ckpt, p + "mu/", rule.meta_params, device);
    rule.opt[i].nu = load_like(ckpt, p + "nu/", rule.meta_params, device);
  }
  const auto c = checkpoint_counts(ckpt, "trainer/counters", 4);
  counters.meta_step = c[0];
  counters.env_steps = c[1];
  counters.resets = c[2];
  counters.skipped = c[3];
  // Checkpoints from before agents could be dropped one by one have none.
  counters.dropped = ckpt.count("trainer/dropped") ? checkpoint_counts(ckpt, "trainer/dropped", 1)[0] : 0;
  if (checkpoint_counts(ckpt, "trainer/population", 1)[0] != population) {
    throw std::invalid_argument("checkpoint: its population differs from settings.json's");
  }
  counters.elapsed_s = checkpoint_values(ckpt, "trainer/elapsed_s", torch::kDouble, 1).item<double>();
  for (auto& a : agents) {
    const std::string file = meta_agent_file(dir, a->index, counters.meta_step);
    if (!fs::exists(file)) {
      throw std::invalid_argument("checkpoint of meta-step " + std::to_string(counters.meta_step) +
                                  " lacks agent " + std::to_string(a->index) + "'s state (" + file + ")");
    }
    load_agent(load_tensors(file), counters.meta_step, file, *a, device);
  }
}

}  // namespace disco
