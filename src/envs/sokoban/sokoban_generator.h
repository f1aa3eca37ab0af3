// Procedural Sokoban levels that are solvable by construction, after
// gym-sokoban (Schrader 2018, gym_sokoban/envs/room_utils.py), the generator
// behind DeepMind's Boxoban levels (Racanière et al. 2017, "Imagination-
// Augmented Agents"):
//  1. room topology: a random walk of int(1.7 * (rows + columns)) steps from
//     a random interior cell (direction changes with probability 0.35) stamps
//     a random one of five 3x3 floor masks at each position; the border is
//     wall;
//  2. the player and `boxes` targets go on distinct random floor cells, each
//     target holding a box;
//  3. reverse play: the player walks and pulls boxes (the inverse of walking
//     and pushing), so every state it reaches can be pushed back to the
//     solution. The kept state maximises (number of times the pulled box
//     changed) x (summed Manhattan distance of the boxes from their
//     targets), gym-sokoban's score, among states with no box on a target;
//     a room whose best score is 0 is rejected and a new one drawn.
// gym-sokoban searches its 8 reverse actions (walk, or walk and pull)
// depth-first, up to 300 plies and 300,000 states (seconds per level in
// Python). We take kReverseWalks random walks of kReverseSteps steps instead,
// each step a random direction that always pulls a box standing behind the
// player (always pulling scored higher than gym's 50/50 walk-or-pull in our
// trials, at the same cost). About 85% of 10x10 rooms with 4 boxes end with
// score 0 and are redrawn; a level takes ~0.1 ms on one core. Draws only from
// the Rng given; no allocation after construction.
#pragma once

#include <vector>

#include "core/rng.h"
#include "envs/sokoban/sokoban_level.h"

namespace disco {

class SokobanGenerator {
 public:
  static constexpr int kReverseWalks = 2;
  static constexpr int kReverseSteps = 300;
  static constexpr int kMaxRooms = 1000;

  // Throws std::invalid_argument for sizes it cannot build levels of
  // (rows or columns below 5, or boxes below 1, or no level found).
  SokobanGenerator(int rows, int columns, int boxes);

  // Overwrites `level` (resized once to rows x columns) with a new level.
  // Throws std::runtime_error if kMaxRooms rooms in a row fail.
  void generate(Rng& rng, SokobanLevel& level);

 private:
  bool try_room(Rng& rng, SokobanLevel& level);
  void draw_topology(Rng& rng);
  int score() const;

  int rows_, columns_, boxes_;
  std::vector<uint8_t> cells_;   // the room being built (walls, targets, boxes)
  std::vector<int> floor_;       // floor cells of the room
  std::vector<int> box_cell_;    // [boxes] where each box is during reverse play
  std::vector<int> box_target_;  // [boxes] the target each box started on
  std::vector<int> box_at_;      // [cells] index of the box on a cell, or -1
  std::vector<int> best_box_cell_;
  int player_ = 0;
  int best_player_ = 0;
  int swaps_ = 0;
};

}  // namespace disco
