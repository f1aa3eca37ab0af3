#include "envs/deep_sea/deep_sea.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "envs/registry.h"

namespace disco {
namespace {

constexpr float kUnscaledMoveCost = 0.01f;

}  // namespace

DeepSeaSettings DeepSeaSettings::from(EnvParams& p) {
  DeepSeaSettings s;
  s.size = p.get_int("size", s.size);
  s.randomize_actions = p.get_bool("randomize_actions", s.randomize_actions);
  s.mapping_seed = p.get_int("mapping_seed", s.mapping_seed);
  return s;
}

DeepSea::DeepSea(const DeepSeaSettings& settings) : settings_(settings) {
  const int n = settings.size;
  if (n < 1 || n > DeepSeaSettings::kMaxSize) {
    throw std::invalid_argument("deep_sea: size must be in [1, " +
                                std::to_string(DeepSeaSettings::kMaxSize) + "], got " +
                                std::to_string(n));
  }
  if (settings.mapping_seed < -1) {
    throw std::invalid_argument("deep_sea: mapping_seed must be -1 (per environment) or >= 0, got " +
                                std::to_string(settings.mapping_seed));
  }
  right_action_.assign(n * n, 1);
  mapping_drawn_ = !settings.randomize_actions;
  if (settings.randomize_actions && settings.mapping_seed >= 0) {
    Rng coins(static_cast<uint64_t>(settings.mapping_seed));
    draw_mapping(coins);
  }
  spec_.name = "deep_sea(mapping_seed=" + std::to_string(settings.mapping_seed) +
               ",randomize_actions=" + (settings.randomize_actions ? "true" : "false") +
               ",size=" + std::to_string(n) + ")";
  spec_.observation_shape = {n, n};
  spec_.num_actions = 2;
  spec_.min_reward = -kUnscaledMoveCost / n;
  spec_.max_reward = 1.f - kUnscaledMoveCost / n;
}

void DeepSea::draw_mapping(Rng& rng) {
  for (uint8_t& a : right_action_) a = static_cast<uint8_t>(rng.uniform_int(2));
  mapping_drawn_ = true;
}

void DeepSea::reset(Rng& rng) {
  if (!mapping_drawn_) draw_mapping(rng);
  row_ = 0;
  column_ = 0;
}

StepOutcome DeepSea::step(int action, Rng& /*rng*/) {
  const int n = settings_.size;
  const bool right = action == right_action(row_, column_);
  StepOutcome out;
  if (right) {
    if (column_ == n - 1) out.reward += 1.f;
    out.reward -= kUnscaledMoveCost / n;
    column_ = std::min(column_ + 1, n - 1);
  } else {
    column_ = std::max(column_ - 1, 0);
  }
  ++row_;
  out.terminal = row_ == n;
  return out;
}

void DeepSea::observe(float* out) const {
  const int n = settings_.size;
  std::memset(out, 0, sizeof(float) * n * n);
  if (row_ < n) out[row_ * n + column_] = 1.f;
}

void DeepSea::save(StateWriter& out) const {
  out.put<int32_t>(row_);
  out.put<int32_t>(column_);
  out.put<uint8_t>(mapping_drawn_);
  for (uint8_t a : right_action_) out.put<uint8_t>(a);
}

void DeepSea::load(StateReader& in) {
  const int row = in.get<int32_t>();
  const int column = in.get<int32_t>();
  // Inside an episode the agent is above the bottom (row N ends it), where
  // step() reads that cell's action mapping.
  if (row < 0 || row >= settings_.size || column < 0 || column >= settings_.size) {
    throw std::invalid_argument("deep_sea: saved position out of range");
  }
  row_ = row;
  column_ = column;
  mapping_drawn_ = in.get<uint8_t>() != 0;
  for (uint8_t& a : right_action_) a = in.get<uint8_t>() != 0;
}

std::string DeepSea::render() const {
  std::string out;
  for (int r = 0; r < settings_.size; ++r) {
    for (int c = 0; c < settings_.size; ++c) {
      const bool goal = r == settings_.size - 1 && c == settings_.size - 1;
      out += r == row_ && c == column_ ? 'A' : goal ? '$' : '.';
    }
    out += '\n';
  }
  return out;
}

EnvEntry deep_sea_env_entry() {
  return {"deep_sea",
          "DeepSea (bsuite): deep exploration; +1 only at the bottom right, 0.01/N per right move.",
          {{"size", "int", "10", "N: rows and columns, and episode length"},
           {"randomize_actions", "bool", "true", "per-cell random mapping of actions to left/right"},
           {"mapping_seed", "int", "-1",
            "seed of the action mapping; -1: drawn per environment at its first reset"}},
          [](EnvParams& p) { return std::make_unique<DeepSea>(DeepSeaSettings::from(p)); }};
}

}  // namespace disco
