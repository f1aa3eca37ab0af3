#include "envs/gridworld/gridworld.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "envs/registry.h"

namespace disco {
namespace {

constexpr int kAgentChannel = 0;
constexpr int kWallChannel = 1;
constexpr int kFirstObjectChannel = 2;
constexpr float kTimeScale = 1000.f;  // GROOVE's time / 1000

}  // namespace

GridWorldSettings GridWorldSettings::from(EnvParams& p) {
  GridWorldSettings s;
  s.layout = p.get_string("layout", s.layout);
  s.layout_seed = p.get_int("layout_seed", s.layout_seed);
  s.time_feature = p.get_bool("time_feature", s.time_feature);
  return s;
}

GridWorld::GridWorld(const GridWorldSettings& settings)
    : settings_(settings), layout_(make_grid_layout(settings.layout, settings.layout_seed)) {
  const int cells = layout_.rows * layout_.columns;
  for (int cell = 0; cell < cells; ++cell) {
    if (!layout_.walls[cell]) floor_cells_.push_back(cell);
  }
  if (static_cast<int>(floor_cells_.size()) < num_objects() + 1) {
    throw std::invalid_argument("gridworld: layout " + layout_.name + " has too few free cells");
  }
  object_cell_.assign(layout_.objects.size(), 0);
  object_present_.assign(layout_.objects.size(), 0);
  absent_before_.assign(layout_.objects.size(), 0);

  // The default (time feature on) keeps the name it had before the option.
  spec_.name = "gridworld(layout=" + settings.layout +
               ",layout_seed=" + std::to_string(settings.layout_seed) +
               (settings.time_feature ? "" : ",time_feature=false") + ")";
  spec_.observation_shape = {layout_.rows, layout_.columns,
                             kFirstObjectChannel + static_cast<int>(layout_.types.size()) +
                                 (settings.time_feature ? 1 : 0)};
  spec_.max_observation = std::max(1.f, static_cast<float>(layout_.max_steps) / kTimeScale);
  spec_.num_actions = 5;
  spec_.max_episode_steps = layout_.max_steps;
  // Objects never share a cell, so a step picks at most one.
  for (const GridObjectType& t : layout_.types) {
    spec_.min_reward = std::min(spec_.min_reward, t.reward);
    spec_.max_reward = std::max(spec_.max_reward, t.reward);
  }
}

void GridWorld::set_object(int i, int cell, bool present) {
  object_cell_.at(i) = cell;
  object_present_.at(i) = present;
}

bool GridWorld::cell_taken(int cell) const {
  if (cell == agent_) return true;
  for (int i = 0; i < num_objects(); ++i) {
    if (object_present_[i] && object_cell_[i] == cell) return true;
  }
  return false;
}

int GridWorld::draw_vacant_cell(Rng& rng) const {
  // Rejection sampling: the layouts leave most floor cells vacant.
  for (;;) {
    const int cell = floor_cells_[rng.uniform_int(static_cast<int>(floor_cells_.size()))];
    if (!cell_taken(cell)) return cell;
  }
}

void GridWorld::reset(Rng& rng) {
  agent_ = layout_.start_cell;
  steps_ = 0;
  std::fill(object_present_.begin(), object_present_.end(), 0);
  for (int i = 0; i < num_objects(); ++i) {
    const int fixed = layout_.objects[i].cell;
    object_cell_[i] = fixed >= 0 ? fixed : draw_vacant_cell(rng);
    object_present_[i] = 1;
  }
}

StepOutcome GridWorld::step(int action, Rng& rng) {
  // 1. Move.
  const int row = agent_ / layout_.columns;
  const int column = agent_ % layout_.columns;
  int next = agent_;
  if (action == 0 && row > 0) next -= layout_.columns;
  if (action == 1 && row < layout_.rows - 1) next += layout_.columns;
  if (action == 2 && column > 0) next -= 1;
  if (action == 3 && column < layout_.columns - 1) next += 1;
  if (!layout_.walls[next]) agent_ = next;

  // 2. Pick.
  StepOutcome out;
  double p_terminate = 0.0;
  for (int i = 0; i < num_objects(); ++i) {
    absent_before_[i] = !object_present_[i];
    if (object_present_[i] && object_cell_[i] == agent_) {
      const GridObjectType& type = layout_.types[layout_.objects[i].type];
      out.reward += type.reward;
      p_terminate += type.p_terminate;
      object_present_[i] = 0;
    }
  }
  // 3. Respawn.
  for (int i = 0; i < num_objects(); ++i) {
    if (!absent_before_[i]) continue;
    const GridObjectType& type = layout_.types[layout_.objects[i].type];
    if (!rng.bernoulli(type.p_respawn)) continue;
    if (layout_.random_positions) object_cell_[i] = draw_vacant_cell(rng);
    object_present_[i] = 1;
  }
  // 4. Terminate; 5. truncate.
  if (p_terminate > 0.0) out.terminal = p_terminate >= 1.0 || rng.bernoulli(p_terminate);
  ++steps_;
  out.truncated = !out.terminal && steps_ >= layout_.max_steps;
  return out;
}

void GridWorld::observe(float* out) const {
  const int channels = spec_.observation_shape[2];
  const int cells = layout_.rows * layout_.columns;
  std::memset(out, 0, sizeof(float) * cells * channels);
  for (int cell = 0; cell < cells; ++cell) {
    if (layout_.walls[cell]) out[cell * channels + kWallChannel] = 1.f;
  }
  out[agent_ * channels + kAgentChannel] = 1.f;
  for (int i = 0; i < num_objects(); ++i) {
    if (!object_present_[i]) continue;
    out[object_cell_[i] * channels + kFirstObjectChannel + layout_.objects[i].type] = 1.f;
  }
  if (settings_.time_feature) {
    const float time = static_cast<float>(steps_) / kTimeScale;
    for (int cell = 0; cell < cells; ++cell) out[cell * channels + channels - 1] = time;
  }
}

void GridWorld::save(StateWriter& out) const {
  out.put<int32_t>(agent_);
  out.put<int32_t>(steps_);
  for (int i = 0; i < num_objects(); ++i) {
    out.put<int32_t>(object_cell_[i]);
    out.put<uint8_t>(object_present_[i]);
  }
}

void GridWorld::load(StateReader& in) {
  const int cells = layout_.rows * layout_.columns;
  auto read_cell = [&] {
    const auto cell = in.get<int32_t>();
    if (cell < 0 || cell >= cells) throw std::invalid_argument("gridworld: saved cell out of range");
    return static_cast<int>(cell);
  };
  agent_ = read_cell();
  steps_ = in.get<int32_t>();
  for (int i = 0; i < num_objects(); ++i) {
    object_cell_[i] = read_cell();
    object_present_[i] = in.get<uint8_t>() != 0;
  }
}

std::string GridWorld::render() const {
  std::string out;
  for (int r = 0; r < layout_.rows; ++r) {
    for (int c = 0; c < layout_.columns; ++c) {
      const int cell = r * layout_.columns + c;
      char ch = layout_.walls[cell] ? '#' : '.';
      for (int i = 0; i < num_objects(); ++i) {
        if (object_present_[i] && object_cell_[i] == cell) ch = static_cast<char>('a' + layout_.objects[i].type);
      }
      if (cell == agent_) ch = 'A';
      out += ch;
    }
    out += '\n';
  }
  return out;
}

EnvEntry gridworld_env_entry() {
  return {"gridworld",
          "LPG grid worlds (Oh et al. 2020; GROOVE layouts): collect objects with rewards, "
          "termination and respawn probabilities.",
          {{"layout", "string", "dense",
            "dense, sparse, long, longer, long_dense, rand_dense, rand_long, rand_small, rand_sparse, "
            "rand_very_dense, rand_tiny, small, medium, large, all, rand_all"},
           {"layout_seed", "int", "0", "draws the sampled layouts (small, medium, large, all, rand_all)"},
           {"time_feature", "bool", "true", "a channel with the episode's step count / 1000 (GROOVE)"}},
          [](EnvParams& p) { return std::make_unique<GridWorld>(GridWorldSettings::from(p)); }};
}

}  // namespace disco
