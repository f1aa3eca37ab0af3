// `disco analyze KIND --run DIR`: the paper's analyses of what a rule has
// learned (Figure 4), on a `disco train` run's last checkpoint. Each writes
// its numbers (CSV) and pictures (PNG) to --out (default DIR/analysis).
//   timeline  y's confidence, policy entropy, value and reward along episodes
//   saliency  where y, z, the policy and the value look in the observation
//   probe     ridge probes from y, z, q to the future policy entropy and rewards
//   horizon   |d target_t / d prediction_{t+k}| per k: how far the rule bootstraps
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
#include "commands.h"
#include "rules/disco_rule.h"

namespace disco::cli {
namespace {

struct AnalyzeArgs {
  std::string kind, run, rule, out;
  std::string weights = std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz";
  int episodes = 0, max_steps = 1000, projections = 2;
  int64_t seed = 0;
  double reward_threshold = 0.5;
};

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
  } else {
    throw UsageError("unknown analysis '" + a.kind + "' (known: timeline, saliency, probe, horizon)");
  }
  for (const auto& f : files) std::cout << "wrote " << f << "\n";
}

}  // namespace

void add_analyze_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "analyze",
      "Look inside a rule through a trained agent (the paper's Figure 4): timeline | saliency |\n"
      "probe | horizon. Reads a `disco train` run's last checkpoint; writes CSV and PNG files.");
  static AnalyzeArgs a;
  cmd->add_option("kind", a.kind, "timeline | saliency | probe | horizon")->required();
  cmd->add_option("--run", a.run, "a `disco train` run folder with a checkpoint")->required();
  cmd->add_option("--rule", a.rule, "look through another rule of the run's kind (default: the run's)");
  cmd->add_option("--episodes", a.episodes,
                  "episodes to record (timeline 4, saliency 16, probe 64) or trajectories (horizon 16)");
  cmd->add_option("--out", a.out, "output folder (default RUN/analysis)");
  cmd->add_option("--seed", a.seed, "seed of the recorded episodes (default 0)");
  cmd->add_option("--max-steps", a.max_steps, "longest episode recorded (default 1000)");
  cmd->add_option("--projections", a.projections, "horizon: random projections per (t, trajectory) (default 2)");
  cmd->add_option("--reward-threshold", a.reward_threshold, "probe: a large reward is > this (default 0.5)");
  cmd->add_option("--weights", a.weights, "the Disco103 meta-parameters (.npz)")->capture_default_str();
  cmd->callback([]() {
    if (a.episodes < 0) throw UsageError("--episodes must be positive, got " + std::to_string(a.episodes));
    if (a.max_steps < 1) throw UsageError("--max-steps must be positive, got " + std::to_string(a.max_steps));
    if (a.projections < 1) throw UsageError("--projections must be positive");
    analyze(a);
  });
}

}  // namespace disco::cli
