// `disco analyze KIND --run DIR`: the paper's analyses of what a rule has
// learned (Figure 4), on a `disco train` run's last checkpoint. Each writes
// its numbers (CSV) and pictures (PNG) to --out (default DIR/analysis).
//   timeline  y's confidence, policy entropy, value and reward along episodes
//   saliency  where y, z, the policy and the value look in the observation
//   probe     ridge probes from y, z, q to the future policy entropy and rewards
//   horizon   |d target_t / d prediction_{t+k}| per k: how far the rule bootstraps
//   reliance  `disco eval` of the run's rule against its ablations
//             RULE(predictions=off) and RULE(bootstrap=off), with the run's
//             settings, environment and frames, over --seeds seeds
#include <sys/wait.h>
#include <unistd.h>

#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "analysis/episodes.h"
#include "analysis/horizon.h"
#include "analysis/probe.h"
#include "analysis/reports.h"
#include "analysis/saliency.h"
#include "analysis/timeline.h"
#include "analysis/trained_agent.h"
#include "agent/train_settings.h"
#include "commands.h"
#include "eval_jobs.h"
#include "io/atomic_file.h"
#include "rules/disco_rule.h"

namespace disco::cli {
namespace {

struct AnalyzeArgs {
  std::string kind, run, rule, out;
  std::string weights = std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz";
  int episodes = 0, max_steps = 1000, projections = 2, seeds = 3, jobs = 1;
  int64_t seed = 0;
  double reward_threshold = 0.5;
};

// Runs this binary with `args` (no shell), its output shown; throws if it fails.
void run_self(const std::vector<std::string>& args) {
  const pid_t pid = start_self(args);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("analyze reliance: disco eval failed (see its message above)");
  }
}

// The run's rule against its two ablations, as a `disco eval` in out/reliance.
void reliance(const TrainedAgent& agent, const AnalyzeArgs& a, const std::string& out) {
  if (agent.rule.kind != "disco") {
    throw UsageError("reliance compares a Disco rule with its ablations; the run used " + agent.settings.rule);
  }
  std::string rule = agent.settings.rule;  // without settings of its own
  const auto open = rule.find('(');
  if (open != std::string::npos && rule.size() > 4 && rule.substr(rule.size() - 4) != ".npz") rule.resize(open);
  nlohmann::json settings = settings_to_json(agent.settings);
  for (const char* key : {"rule", "env", "seed", "steps"}) settings.erase(key);
  std::filesystem::create_directories(out);
  const std::string config = (std::filesystem::path(out) / "reliance_settings.json").string();
  write_file_atomically(config, settings.dump(2) + "\n");
  const int64_t frames = std::max<int64_t>(agent.env_steps, 1);
  std::cout << "reliance: " << rule << " against " << rule << "(predictions=off) and " << rule
            << "(bootstrap=off), " << a.seeds << " seeds of " << frames << " frames on " << agent.settings.env
            << std::endl;
  run_self({"disco", "eval", "--rules", rule + "," + rule + "(predictions=off)," + rule + "(bootstrap=off)",
            "--envs", agent.settings.env, "--seeds", std::to_string(a.seeds), "--frames", std::to_string(frames),
            "--config", config, "--jobs", std::to_string(a.jobs), "--out",
            (std::filesystem::path(out) / "reliance").string()});
}

double max_abs_value(const TrainedAgent& a) {
  if (const auto* d = dynamic_cast<const DiscoRule*>(a.rule.rule.get())) return d->settings().value.max_abs_value;
  return 300.0;  // the hand-designed rules' categorical values use the same support
}

void analyze(const AnalyzeArgs& a) {
  const TrainedAgent agent = load_trained_agent(a.run, a.rule, a.weights);
  const std::string out = a.out.empty() ? (std::filesystem::path(a.run) / "analysis").string() : a.out;
  const double vmax = max_abs_value(agent);
  std::cout << "analyze " << a.kind << ": " << a.run << " (" << agent.settings.rule << " on "
            << agent.settings.env << ", learner step " << agent.learner_step << ")" << std::endl;
  std::vector<std::string> files;
  if (a.kind == "timeline" || a.kind == "saliency" || a.kind == "probe") {
    const int defaults = a.kind == "timeline" ? 4 : a.kind == "saliency" ? 16 : 64;
    const int n = a.episodes > 0 ? a.episodes : defaults;
    const RecordedEpisodes ep = record_episodes(*agent.net, agent.state.params, agent.settings.env, n,
                                                static_cast<uint64_t>(a.seed), a.max_steps);
    if (a.kind == "timeline") {
      files = write_timeline_report(out, compute_timeline(ep, vmax), ep.lengths);
    } else if (a.kind == "saliency") {
      // Every recorded state, flattened over (step, episode).
      const auto mask = ep.mask().reshape({-1}) > 0;
      const auto obs = ep.observations.flatten(0, 1).index({mask});
      std::map<std::string, torch::Tensor> grids;
      for (const auto& [name, m] :
           gradient_saliency(agent_scalar_outputs(*agent.net, agent.state.params, vmax), obs)) {
        grids[name] = saliency_grid(m);
      }
      files = write_saliency_report(out, grids);
    } else {
      ProbeSettings ps;
      ps.reward_threshold = a.reward_threshold;
      files = write_probe_report(out, run_probes(ep, ps, vmax));
    }
  } else if (a.kind == "horizon") {
    const auto* rule = dynamic_cast<const DiscoRule*>(agent.rule.rule.get());
    if (!rule) throw UsageError("horizon needs a Disco rule (the run used " + agent.settings.rule + ")");
    const int n = a.episodes > 0 ? a.episodes : 16;
    const RuleCall call = record_rule_call(agent, n, static_cast<uint64_t>(a.seed));
    HorizonSettings hs;
    hs.projections = a.projections;
    hs.seed = static_cast<uint64_t>(a.seed);
    files = write_horizon_report(
        out, bootstrap_horizon(*rule, agent.rule.meta_params, agent.state.meta_state, call.inputs,
                               call.target_out, hs));
  } else if (a.kind == "reliance") {
    reliance(agent, a, out);
    return;
  } else {
    throw UsageError("unknown analysis '" + a.kind + "' (known: timeline, saliency, probe, horizon, reliance)");
  }
  for (const auto& f : files) std::cout << "wrote " << f << "\n";
}

}  // namespace

void add_analyze_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "analyze",
      "Look inside a rule through a trained agent (the paper's Figure 4): timeline | saliency |\n"
      "probe | horizon | reliance. Reads a `disco train` run's last checkpoint; writes CSV and PNG\n"
      "files. reliance runs `disco eval` of the run's rule against RULE(predictions=off) and\n"
      "RULE(bootstrap=off) with the run's settings and frames.");
  static AnalyzeArgs a;
  cmd->add_option("kind", a.kind, "timeline | saliency | probe | horizon | reliance")->required();
  cmd->add_option("--run", a.run, "a `disco train` run folder with a checkpoint")->required();
  cmd->add_option("--rule", a.rule, "look through another rule of the run's kind (default: the run's)");
  cmd->add_option("--episodes", a.episodes,
                  "episodes to record (timeline 4, saliency 16, probe 64) or trajectories (horizon 16)");
  cmd->add_option("--out", a.out, "output folder (default RUN/analysis)");
  cmd->add_option("--seed", a.seed, "seed of the recorded episodes (default 0)");
  cmd->add_option("--max-steps", a.max_steps, "longest episode recorded (default 1000)");
  cmd->add_option("--projections", a.projections, "horizon: random projections per (t, trajectory) (default 2)");
  cmd->add_option("--reward-threshold", a.reward_threshold, "probe: a large reward is > this (default 0.5)");
  cmd->add_option("--seeds", a.seeds, "reliance: seeds per rule (default 3)");
  cmd->add_option("--jobs", a.jobs, "reliance: runs at a time (default 1)");
  cmd->add_option("--weights", a.weights, "the Disco103 meta-parameters (.npz)")->capture_default_str();
  cmd->callback([]() {
    if (a.episodes < 0) throw UsageError("--episodes must be positive, got " + std::to_string(a.episodes));
    if (a.max_steps < 1) throw UsageError("--max-steps must be positive, got " + std::to_string(a.max_steps));
    if (a.projections < 1) throw UsageError("--projections must be positive");
    if (a.seeds < 1 || a.jobs < 1) throw UsageError("--seeds and --jobs must be positive");
    analyze(a);
  });
}

}  // namespace disco::cli
