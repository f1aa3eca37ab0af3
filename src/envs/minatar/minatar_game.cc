#include "envs/minatar/minatar_game.h"

#include <sstream>
#include <stdexcept>

namespace disco {
namespace {

const char* const kActionNames[kMinAtarFullActions] = {"noop", "left", "up",
                                                        "right", "down", "fire"};

std::string format_prob(double p) {
  std::ostringstream out;
  out << p;
  return out.str();
}

}  // namespace

MinAtarSettings MinAtarSettings::from(EnvParams& p) {
  MinAtarSettings s;
  s.difficulty_ramping = p.get_bool("difficulty_ramping", s.difficulty_ramping);
  s.full_action_set = p.get_bool("full_action_set", s.full_action_set);
  s.sticky_action_prob = p.get_double("sticky_action_prob", s.sticky_action_prob);
  if (!(s.sticky_action_prob >= 0.0 && s.sticky_action_prob <= 1.0)) {
    throw std::invalid_argument(p.name() + ": sticky_action_prob must be in [0, 1], got " +
                                format_prob(s.sticky_action_prob));
  }
  return s;
}

MinAtarGame::MinAtarGame(const std::string& game, int channels,
                         const std::vector<int>& minimal_actions, float min_reward,
                         float max_reward, const MinAtarSettings& settings)
    : settings_(settings), channels_(channels) {
  if (!(settings.sticky_action_prob >= 0.0 && settings.sticky_action_prob <= 1.0)) {
    throw std::invalid_argument(game + ": sticky_action_prob must be in [0, 1], got " +
                                format_prob(settings.sticky_action_prob));
  }
  int n = 0;
  if (settings.full_action_set) {
    for (int a = 0; a < kMinAtarFullActions; ++a) action_map_[n++] = a;
  } else {
    for (int a : minimal_actions) action_map_[n++] = a;
  }
  // Canonical name: every parameter with its value, keys sorted (as
  // EnvParams::canonical() orders them), so the name rebuilds this game.
  spec_.name = game + "(difficulty_ramping=" + (settings.difficulty_ramping ? "true" : "false") +
               ",full_action_set=" + (settings.full_action_set ? "true" : "false") +
               ",sticky_action_prob=" + format_prob(settings.sticky_action_prob) + ")";
  spec_.observation_shape = {kMinAtarSize, kMinAtarSize, channels};
  spec_.num_actions = n;
  spec_.max_episode_steps = 0;  // no truncation; Freeway's limit is a termination
  spec_.min_reward = min_reward;
  spec_.max_reward = max_reward;
  spec_.min_observation = 0.f;
  spec_.max_observation = 1.f;
}

void MinAtarGame::reset(Rng& rng) {
  game_over_ = false;
  reset_game(rng);
}

StepOutcome MinAtarGame::step(int action, Rng& rng) {
  int executed = action_map_[action];
  if (rng.uniform() < settings_.sticky_action_prob) executed = previous_action_;
  previous_action_ = executed;
  if (game_over_) return StepOutcome{0.f, true, false};
  const StepOutcome out = act(executed, rng);
  game_over_ = out.terminal;
  return out;
}

void MinAtarGame::save(StateWriter& out) const {
  out.put<int32_t>(previous_action_);
  out.put<uint8_t>(game_over_ ? 1 : 0);
  save_game(out);
}

void MinAtarGame::load(StateReader& in) {
  const auto previous = in.get<int32_t>();
  if (previous < 0 || previous >= kMinAtarFullActions) {
    throw std::invalid_argument("saved MinAtar state has an invalid previous action " +
                                std::to_string(previous));
  }
  previous_action_ = previous;
  game_over_ = in.get<uint8_t>() != 0;
  load_game(in);
}

std::vector<std::string> MinAtarGame::action_names() const {
  std::vector<std::string> names;
  for (int i = 0; i < spec_.num_actions; ++i) names.emplace_back(kActionNames[action_map_[i]]);
  return names;
}

std::string MinAtarGame::channel_glyphs() const {
  std::string glyphs;
  for (int c = 0; c < channels_; ++c) glyphs += static_cast<char>(c < 10 ? '0' + c : 'a' + c - 10);
  return glyphs;
}

std::vector<std::string> MinAtarGame::channel_names() const {
  std::vector<std::string> names;
  for (int c = 0; c < channels_; ++c) names.push_back("channel " + std::to_string(c));
  return names;
}

std::string MinAtarGame::render() const {
  std::vector<float> obs(kMinAtarSize * kMinAtarSize * channels_);
  observe(obs.data());
  const std::string glyphs = channel_glyphs();
  std::string out;
  for (int r = 0; r < kMinAtarSize; ++r) {
    for (int col = 0; col < kMinAtarSize; ++col) {
      char cell = '.';
      for (int ch = 0; ch < channels_; ++ch) {
        if (obs[obs_index(r, col, ch, channels_)] != 0.f) {
          cell = glyphs[ch];
          break;
        }
      }
      out += cell;
    }
    out += '\n';
  }
  const auto names = channel_names();
  for (int ch = 0; ch < channels_; ++ch) {
    out += std::string(ch ? "  " : "") + glyphs[ch] + " " + names[ch];
  }
  return out + '\n';
}

}  // namespace disco
