#include "envs/crafter/crafter_observation.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "envs/crafter/crafter_objects.h"

namespace disco::crafter {

namespace {

// k / 10 computed in float16, as Craftax writes counts (k = 0..9).
constexpr float kTenths16[10] = {
    0.0f, 0.0999755859375f, 0.199951171875f, 0.300048828125f, 0.39990234375f,
    0.5f, 0.60009765625f,   0.7001953125f,   0.7998046875f,   0.89990234375f};

float tenths(int32_t count) { return kTenths16[std::clamp(count, 0, 9)]; }

}  // namespace

CraftaxBlock craftax_block(Material m) {
  switch (m) {
    case Material::kWater:
      return CraftaxBlock::kWater;
    case Material::kGrass:
      return CraftaxBlock::kGrass;
    case Material::kStone:
      return CraftaxBlock::kStone;
    case Material::kPath:
      return CraftaxBlock::kPath;
    case Material::kSand:
      return CraftaxBlock::kSand;
    case Material::kTree:
      return CraftaxBlock::kTree;
    case Material::kLava:
      return CraftaxBlock::kLava;
    case Material::kCoal:
      return CraftaxBlock::kCoal;
    case Material::kIron:
      return CraftaxBlock::kIron;
    case Material::kDiamond:
      return CraftaxBlock::kDiamond;
    case Material::kTable:
      return CraftaxBlock::kCraftingTable;
    case Material::kFurnace:
      return CraftaxBlock::kFurnace;
    case Material::kNone:
      return CraftaxBlock::kInvalid;
  }
  return CraftaxBlock::kInvalid;
}

int symbolic_size(const GameSettings& s) {
  return s.local_rows() * s.view * kSymbolicChannels + kSymbolicExtras;
}

void write_symbolic(const Game& game, float* out) {
  const GameSettings& s = game.settings();
  const World& world = game.world();
  const int rows = s.local_rows();
  const int cols = s.view;
  std::memset(out, 0, sizeof(float) * symbolic_size(s));
  const Object& self = game.player_object();
  const int x0 = self.x - cols / 2;
  const int y0 = self.y - rows / 2;
  float* cell = out;
  for (int r = 0; r < rows; ++r) {
    const int y = y0 + r;
    for (int c = 0; c < cols; ++c, cell += kSymbolicChannels) {
      const int x = x0 + c;
      if (!world.inside(x, y)) {
        cell[static_cast<int>(CraftaxBlock::kOutOfBounds)] = 1.f;
        continue;
      }
      CraftaxBlock block = craftax_block(world.material(x, y));
      const int slot = world.object_at(x, y);
      if (slot != World::kNoObject) {
        const Object& o = world.object(slot);
        switch (o.kind) {
          case ObjectKind::kPlant:
            block = plant_ripe(o) ? CraftaxBlock::kRipePlant : CraftaxBlock::kPlant;
            break;
          case ObjectKind::kZombie:
            cell[kCraftaxBlocks + 0] = 1.f;
            break;
          case ObjectKind::kCow:
            cell[kCraftaxBlocks + 1] = 1.f;
            break;
          case ObjectKind::kSkeleton:
            cell[kCraftaxBlocks + 2] = 1.f;
            break;
          case ObjectKind::kArrow:
            cell[kCraftaxBlocks + 3] = 1.f;
            break;
          case ObjectKind::kPlayer:
            break;
        }
      }
      cell[static_cast<int>(block)] = 1.f;
    }
  }
  const PlayerState& p = game.player();
  float* extra = cell;
  for (Item i : {Item::kWood, Item::kStone, Item::kCoal, Item::kIron, Item::kDiamond,
                 Item::kSapling, Item::kWoodPickaxe, Item::kStonePickaxe, Item::kIronPickaxe,
                 Item::kWoodSword, Item::kStoneSword, Item::kIronSword, Item::kHealth, Item::kFood,
                 Item::kDrink, Item::kEnergy}) {
    *extra++ = tenths(p.item(i));
  }
  // Facing: left, right, up, down.
  const int facing = p.facing_x < 0 ? 0 : p.facing_x > 0 ? 1 : p.facing_y < 0 ? 2 : 3;
  extra[facing] = 1.f;
  extra += 4;
  *extra++ = static_cast<float>(game.daylight());
  *extra++ = p.sleeping ? 1.f : 0.f;
}

// --- image ---------------------------------------------------------------

namespace {

struct Rgb {
  uint8_t r, g, b;
};

// Our own flat colours: a base and an accent square in the middle of the tile.
struct Tile {
  Rgb base, accent;
  bool has_accent;
};

Tile material_tile(Material m) {
  constexpr Rgb kStoneGrey{125, 125, 125};
  switch (m) {
    case Material::kWater:
      return {{60, 110, 220}, {90, 140, 240}, false};
    case Material::kGrass:
      return {{88, 160, 64}, {0, 0, 0}, false};
    case Material::kStone:
      return {kStoneGrey, {0, 0, 0}, false};
    case Material::kPath:
      return {{190, 165, 120}, {0, 0, 0}, false};
    case Material::kSand:
      return {{228, 212, 150}, {0, 0, 0}, false};
    case Material::kTree:
      return {{40, 105, 40}, {105, 70, 35}, true};
    case Material::kLava:
      return {{230, 90, 20}, {250, 180, 40}, true};
    case Material::kCoal:
      return {kStoneGrey, {25, 25, 25}, true};
    case Material::kIron:
      return {kStoneGrey, {205, 140, 95}, true};
    case Material::kDiamond:
      return {kStoneGrey, {160, 245, 245}, true};
    case Material::kTable:
      return {{150, 100, 50}, {95, 60, 25}, true};
    case Material::kFurnace:
      return {{70, 70, 70}, {240, 120, 30}, true};
    case Material::kNone:
      break;
  }
  return {{0, 0, 0}, {0, 0, 0}, false};
}

constexpr Rgb kItemColours[kNumItems] = {
    {220, 40, 40},  {225, 130, 50},  {60, 120, 240},  {240, 215, 60},  // health food drink energy
    {60, 180, 60},  {130, 90, 50},   {140, 140, 140}, {35, 35, 35},    // sapling wood stone coal
    {205, 140, 95}, {160, 245, 245},                                   // iron diamond
    {160, 110, 60}, {150, 150, 150}, {210, 160, 120},                  // pickaxes
    {160, 110, 60}, {150, 150, 150}, {210, 160, 120},                  // swords
};

// Digits 1..9 as 3x4 bitmaps (rows top to bottom), scaled to the digit box.
constexpr const char* kDigits[9][4] = {
    {".#.", "##.", ".#.", "###"}, {"##.", "..#", ".#.", "###"}, {"###", ".##", "..#", "###"},
    {"#.#", "#.#", "###", "..#"}, {"###", "##.", "..#", "##."}, {"#..", "###", "#.#", "###"},
    {"###", "..#", ".#.", ".#."}, {"###", "###", "#.#", "###"}, {"###", "#.#", "###", "..#"},
};

// The local view being drawn: three planes (R, G, B) of [h][w] floats in
// 0..255, planar so that shading runs over contiguous rows.
struct Canvas {
  float* data;
  int w;
  size_t plane;  // w * h
};

void fill(const Canvas& canvas, int x, int y, int size_x, int size_y, Rgb c) {
  for (int j = 0; j < size_y; ++j) {
    float* r = canvas.data + static_cast<size_t>(y + j) * canvas.w + x;
    for (int i = 0; i < size_x; ++i) {
      r[i] = c.r;
      r[i + canvas.plane] = c.g;
      r[i + 2 * canvas.plane] = c.b;
    }
  }
}

// The same on an image in [0, 1].
void fill_unit(float* image, int w, int x, int y, int size_x, int size_y, Rgb c) {
  for (int j = 0; j < size_y; ++j) {
    for (int i = 0; i < size_x; ++i) {
      float* p = image + (static_cast<size_t>(y + j) * w + x + i) * 3;
      p[0] = c.r / 255.f;
      p[1] = c.g / 255.f;
      p[2] = c.b / 255.f;
    }
  }
}

// Night noise in [32, 127) for a pixel at a step: a hash, so the image
// needs no state of its own (the original draws it from the world's
// generator; the game skips those draws, crafter_game.h).
inline float night_noise(uint32_t x, uint32_t y, uint32_t step) {
  uint32_t h = x * 0x9E3779B1u ^ y * 0x85EBCA77u ^ step * 0xC2B2AE3Du;
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  return 32.f + 95.f * static_cast<float>(static_cast<int32_t>(h >> 8)) * (1.f / 16777216.f);
}

void draw_object(const Canvas& canvas, int x, int y, int unit, const Object& o,
                 const PlayerState& player) {
  const int inset = unit >= 5 ? 1 : 0;
  const int body = unit - 2 * inset;
  switch (o.kind) {
    case ObjectKind::kPlayer: {
      const Rgb colour = player.sleeping ? Rgb{70, 70, 140} : Rgb{245, 205, 160};
      fill(canvas, x + inset, y + inset, body, body, colour);
      if (!player.sleeping && body >= 3) {
        // A dark edge on the side the player faces.
        const Rgb mark{40, 30, 20};
        if (player.facing_x < 0) fill(canvas, x + inset, y + inset, 1, body, mark);
        if (player.facing_x > 0) fill(canvas, x + inset + body - 1, y + inset, 1, body, mark);
        if (player.facing_y < 0) fill(canvas, x + inset, y + inset, body, 1, mark);
        if (player.facing_y > 0) fill(canvas, x + inset, y + inset + body - 1, body, 1, mark);
      }
      break;
    }
    case ObjectKind::kCow:
      fill(canvas, x + inset, y + inset, body, body, {140, 85, 50});
      if (body >= 3) fill(canvas, x + unit / 2, y + unit / 2 - 1, 1, 2, {245, 245, 245});
      break;
    case ObjectKind::kZombie:
      fill(canvas, x + inset, y + inset, body, body, {150, 215, 140});
      if (body >= 3) fill(canvas, x + unit / 2 - 1, y + unit / 2 - 1, 3, 1, {200, 20, 20});
      break;
    case ObjectKind::kSkeleton:
      fill(canvas, x + inset, y + inset, body, body, {235, 235, 235});
      if (body >= 3) fill(canvas, x + unit / 2 - 1, y + unit / 2 - 1, 3, 1, {20, 20, 20});
      break;
    case ObjectKind::kArrow: {
      const Rgb colour{250, 235, 40};
      if (o.facing_x != 0) {
        fill(canvas, x + inset, y + unit / 2, body, 1, colour);
      } else {
        fill(canvas, x + unit / 2, y + inset, 1, body, colour);
      }
      break;
    }
    case ObjectKind::kPlant: {
      const int q = unit / 4;
      fill(canvas, x + q, y + q, unit - 2 * q, unit - 2 * q, {40, 200, 60});
      if (plant_ripe(o)) fill(canvas, x + unit / 2, y + unit / 2, 1, 1, {220, 30, 30});
      break;
    }
  }
}

}  // namespace

ImageRenderer::ImageRenderer(const GameSettings& settings) : settings_(settings) {
  const int w = settings.noise_width();
  const int h = settings.noise_height();
  vignette_.resize(static_cast<size_t>(w) * h);
  // 1 - exp(-0.5 * (X^2 + Y^2) / 0.5^2), X = linspace(-1, 1, w), Y = linspace(-1, 1, h).
  auto lin = [](int i, int n) { return n > 1 ? -1.0 + 2.0 * i / (n - 1) : -1.0; };
  for (int x = 0; x < w; ++x) {
    for (int y = 0; y < h; ++y) {
      const double X = lin(x, w), Y = lin(y, h);
      vignette_[static_cast<size_t>(y) * w + x] =
          static_cast<float>(1 - std::exp(-0.5 * (X * X + Y * Y) / (0.5 * 0.5)));
    }
  }
  canvas_.assign(static_cast<size_t>(w) * h * 3, 0.f);
}

void ImageRenderer::draw_local_view(const Game& game) const {
  const GameSettings& s = settings_;
  const World& world = game.world();
  const int unit = s.unit();
  const int w = s.noise_width();
  const int rows = s.local_rows();
  std::fill(canvas_.begin(), canvas_.end(), 127.f);
  const Object& self = game.player_object();
  const int x0 = self.x - s.view / 2;
  const int y0 = self.y - rows / 2;
  const Canvas canvas{canvas_.data(), w, static_cast<size_t>(w) * s.noise_height()};
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < s.view; ++c) {
      const int x = x0 + c, y = y0 + r;
      if (!world.inside(x, y)) continue;
      const Tile t = material_tile(world.material(x, y));
      fill(canvas, c * unit, r * unit, unit, unit, t.base);
      if (t.has_accent && unit >= 3) {
        const int q = unit / 3;
        fill(canvas, c * unit + q, r * unit + q, unit - 2 * q, unit - 2 * q, t.accent);
      }
      const int slot = world.object_at(x, y);
      if (slot != World::kNoObject) {
        draw_object(canvas, c * unit, r * unit, unit, world.object(slot), game.player());
      }
    }
  }
}

// The original's LocalView._light and ._sleep, in float: noise toward the
// edges at night, a desaturated (40%), blue-tinted night image mixed in by
// (1 - daylight), and a grey, dark-blue image while sleeping. Writes the
// local view into the image (0..1) at (border, border).
void ImageRenderer::shade(const Game& game, float* out) const {
  const GameSettings& s = settings_;
  const int w = s.noise_width();
  const int h = s.noise_height();
  const size_t plane = static_cast<size_t>(w) * h;
  const int size = s.size;
  const int border = (size - s.unit() * s.view) / 2;
  const float day = static_cast<float>(game.daylight());
  const float night = 1 - day;
  const float amount = day < 0.5f ? 2 * (0.5f - day) : 0.f;
  const bool sleeping = game.player().sleeping;
  const uint32_t step = static_cast<uint32_t>(game.step_count());
  constexpr float kScale = 1.f / 255.f;
  for (int y = 0; y < h; ++y) {
    const float* pr = canvas_.data() + static_cast<size_t>(y) * w;
    const float* vig = vignette_.data() + static_cast<size_t>(y) * w;
    float* o = out + (static_cast<size_t>(border + y) * size + border) * 3;
    for (int x = 0; x < w; ++x, o += 3) {
      float r = pr[x], g = pr[x + plane], b = pr[x + 2 * plane];
      float nr = r, ng = g, nb = b;
      if (amount > 0) {
        const float m = amount * vig[x];
        const float noise = night_noise(x, y, step);
        nr += m * (noise - nr);
        ng += m * (noise - ng);
        nb += m * (noise - nb);
      }
      const float grey = 0.299f * nr + 0.587f * ng + 0.114f * nb;
      nr = 0.5f * (grey + 0.4f * (nr - grey));
      ng = 0.5f * (grey + 0.4f * (ng - grey)) + 8.f;
      nb = 0.5f * (grey + 0.4f * (nb - grey)) + 32.f;
      r = day * r + night * nr;
      g = day * g + night * ng;
      b = day * b + night * nb;
      if (sleeping) {  // grey, darkened and tinted toward (0, 0, 16)
        const float grey2 = 0.5f * (0.299f * r + 0.587f * g + 0.114f * b);
        r = g = grey2;
        b = grey2 + 8.f;
      }
      o[0] = r * kScale;
      o[1] = g * kScale;
      o[2] = b * kScale;
    }
  }
}

void ImageRenderer::draw_inventory(const Game& game, float* out) const {
  const GameSettings& s = settings_;
  const int unit = s.unit();
  const int size = s.size;
  const int border = (size - unit * s.view) / 2;
  const int top = border + s.local_rows() * unit;
  const int icon = static_cast<int>(0.8 * unit);
  const int digit = static_cast<int>(0.6 * unit);
  const PlayerState& p = game.player();
  for (int i = 0; i < kNumItems; ++i) {
    const int amount = p.inventory[i];
    if (amount < 1) continue;
    const int sx = i % s.view;
    const int sy = i / s.view;
    const int ix = border + static_cast<int>(sx * unit + 0.1 * unit);
    const int iy = top + static_cast<int>(sy * unit + 0.1 * unit);
    fill_unit(out, size, ix, iy, icon, icon, kItemColours[i]);
    const int dx = border + static_cast<int>(sx * unit + 0.4 * unit);
    const int dy = top + static_cast<int>(sy * unit + 0.4 * unit);
    const char* const* glyph = kDigits[std::min(amount, 9) - 1];
    for (int j = 0; j < digit; ++j) {
      for (int k = 0; k < digit; ++k) {
        if (glyph[j * 4 / digit][k * 3 / digit] == '#') {
          fill_unit(out, size, dx + k, dy + j, 1, 1, {255, 255, 255});
        }
      }
    }
  }
}

void ImageRenderer::render(const Game& game, float* out) const {
  const int size = settings_.size;
  std::memset(out, 0, sizeof(float) * size * size * 3);
  draw_local_view(game);
  shade(game, out);
  draw_inventory(game, out);
}

}  // namespace disco::crafter
