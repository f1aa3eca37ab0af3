// What a Crafter agent sees: the symbolic observation of Craftax-Classic and
// an image laid out as the original's (crafter.h has the layouts' tables).
//
// Symbolic (MichaelTMatthews/Craftax, craftax_classic/renderer.py
// `render_craftax_symbolic`), for the default view of 9: the local 7x9 view
// around the player as a one-hot of Craftax block types and of creatures,
// the inventory and intrinsics / 10 in float16, the facing direction, the
// daylight and whether the player sleeps: 7*9*21 + 22 = 1345 floats.
//
// Image: the original's layout (env.py render, engine.py LocalView and
// ItemView) drawn with this project's own flat tile colours instead of the
// original's textures, with the original's kind of night and sleep shading
// (its night noise is a hash of pixel and step here, not the world's draws).
#pragma once

#include <cstdint>
#include <vector>

#include "envs/crafter/crafter_game.h"

namespace disco::crafter {

// Craftax-Classic block types, the symbolic map's first 17 channels.
enum class CraftaxBlock : uint8_t {
  kInvalid = 0,
  kOutOfBounds,
  kGrass,
  kWater,
  kStone,
  kTree,
  kWood,
  kPath,
  kCoal,
  kIron,
  kDiamond,
  kCraftingTable,
  kFurnace,
  kSand,
  kLava,
  kPlant,
  kRipePlant,
};
inline constexpr int kCraftaxBlocks = 17;
// Channels per map cell: the blocks, then zombie, cow, skeleton, arrow.
inline constexpr int kSymbolicChannels = kCraftaxBlocks + 4;
// Inventory (12), intrinsics (4), facing (4), light, sleeping.
inline constexpr int kSymbolicExtras = 22;

CraftaxBlock craftax_block(Material m);

// local_rows * view * 21 + 22 (1345 for view 9).
int symbolic_size(const GameSettings& settings);
// Writes symbolic_size() floats.
void write_symbolic(const Game& game, float* out);

// Draws the image observation: size x size x 3 floats in [0, 1], rows top
// to bottom ([H, W, C]).
class ImageRenderer {
 public:
  explicit ImageRenderer(const GameSettings& settings);
  void render(const Game& game, float* out) const;

 private:
  void draw_local_view(const Game& game) const;
  void shade(const Game& game, float* out) const;
  void draw_inventory(const Game& game, float* out) const;

  GameSettings settings_;
  std::vector<float> vignette_;        // [noise_height][noise_width]
  mutable std::vector<float> canvas_;  // [3][noise_height][noise_width], 0..255
};

}  // namespace disco::crafter
