// Named recipes for `disco meta-train --preset NAME`: settings (keys as
// settings.json) applied over the notebook's defaults, before any --config
// file and the command line. Each choice names its source: the paper (Oh et
// al. 2025, Methods), the reference notebook, or this project's measurement.
//
// general   discover a rule meant to carry over, on a set of small, fast
//           environments, keeping a fixed held-out set out of training:
//   envs        catch 5x5, catch 10x5, gridworld rand_small, deep_sea 8,
//               minatar_asterix, minatar_freeway; one agent each (the
//               paper's agents cycle through its games). Held out for
//               evaluation (meta_preset_held_out): catch 8x8,
//               gridworld dense, minatar_breakout, minatar_space_invaders.
//   lifetimes   50k, 100k, 200k, 400k env steps (24-195 meta-steps of an
//               agent), drawn ∝ 1/budget and staggered: the paper's four
//               categories and weighting, scaled to where this project's
//               Catch runs trained fresh agents (docs/meta_training.md).
//   meta_optimizer_mode per_agent, meta_grad_clip 1, meta lr 1e-3: the paper.
//   agent lr    3e-3 (ours): from a random rule on Catch 5x5, 3 seeds of 3
//               took off within 400 meta-steps at 3e-3, against none at the
//               notebook's 5e-4 and none at 1e-2 (docs/meta_training.md).
//   meta_steps  3000; inner steps, rollout, batch: the notebook's.
// Not taken from the paper: its window of 20 updates (20 graph-keeping
// updates per meta-step, 10x the cost here) and its 90% replay in the
// agents' updates (not built yet).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace disco {

// The settings of `name`; throws std::invalid_argument naming the known ones.
nlohmann::json meta_preset_settings(const std::string& name);

// "general" (comma-separated, for help texts).
std::string meta_preset_names();

// The environments a preset keeps out of training, for evaluating its rule.
std::vector<std::string> meta_preset_held_out(const std::string& name);

}  // namespace disco
