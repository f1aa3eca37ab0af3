// Grid worlds of LPG: an agent walks a grid collecting objects, each with a
// reward, a probability of ending the episode when picked and a probability
// of reappearing on each later step. Meta-training environments of Oh et al.
// 2020, "Discovering Reinforcement Learning Algorithms" (LPG), appendix, as
// re-implemented by GROOVE (Jackson et al. 2023, github.com/EmptyJackson/groove,
// environments/gridworld/gridworld.py). The layouts and their numbers are in
// gridworld_layouts.h.
//
// Dynamics of one step (GROOVE's order):
//  1. the agent moves (0 up, 1 down, 2 left, 3 right, 4 stay); walls and the
//     grid's edge block it;
//  2. every present object on the agent's cell is picked: its reward is
//     given and it disappears (standing on a cell where an object reappears
//     picks it on the next step);
//  3. every object absent since before this step reappears with its respawn
//     probability: at its own cell (tabular layouts) or at a random cell not
//     a wall, the agent or another present object (rand_ layouts);
//  4. the episode ends (terminal) with the summed termination probability of
//     the picked objects (clipped at 1);
//  5. after the layout's number of steps it is cut (truncated, not terminal;
//     also spec().max_episode_steps).
//
// Observation: [rows, columns, 2 + object types (+ 1)] floats: channel 0 the
// agent, channel 1 walls, channel 2 + k the present objects of type k, and
// with time_feature a last channel holding the episode's step count / 1000
// in every cell (GROOVE appends time / 1000 to its flat observation). With
// it the time limit is part of the state, so the cut at max_steps is a
// function of the observation rather than hidden time.
//
// Parameters:
//   layout        string  a name from gridworld_layouts.h        (default = dense)
//   layout_seed   int     draws the sampled layouts (small, ...)  (default = 0)
//   time_feature  bool    the step-count channel                  (default = true)
#pragma once

#include <string>
#include <vector>

#include "envs/env_params.h"
#include "envs/environment.h"
#include "envs/gridworld/gridworld_layouts.h"

namespace disco {

struct GridWorldSettings {
  std::string layout = "dense";
  int layout_seed = 0;
  bool time_feature = true;
  static GridWorldSettings from(EnvParams& p);
};

class GridWorld final : public Environment {
 public:
  explicit GridWorld(const GridWorldSettings& settings);

  const EnvSpec& spec() const override { return spec_; }
  void reset(Rng& rng) override;
  StepOutcome step(int action, Rng& rng) override;
  void observe(float* out) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  std::string render() const override;
  std::vector<std::string> action_names() const override {
    return {"up", "down", "left", "right", "stay"};
  }

  const GridLayout& layout() const { return layout_; }
  int agent_cell() const { return agent_; }
  int steps() const { return steps_; }
  int num_objects() const { return static_cast<int>(object_cell_.size()); }
  int object_cell(int i) const { return object_cell_[i]; }
  bool object_present(int i) const { return object_present_[i] != 0; }
  // For tests: places the agent or object i (present or not) at `cell`.
  void set_agent_cell(int cell) { agent_ = cell; }
  void set_object(int i, int cell, bool present);

 private:
  bool cell_taken(int cell) const;
  int draw_vacant_cell(Rng& rng) const;

  GridWorldSettings settings_;
  GridLayout layout_;
  EnvSpec spec_;
  std::vector<int> floor_cells_;  // cells that are not walls
  int agent_ = 0;
  int steps_ = 0;
  std::vector<int> object_cell_;
  std::vector<uint8_t> object_present_;
  std::vector<uint8_t> absent_before_;  // scratch: absent at the start of a step
};

// The registry's entry for "gridworld".
struct EnvEntry;
EnvEntry gridworld_env_entry();

}  // namespace disco
