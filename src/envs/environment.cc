#include "envs/environment.h"

#include <sstream>

namespace disco {

std::string Environment::render() const {
  // Default: the observation as a grid of its last-but-one and last axes
  // collapsed to "occupied or not"; families override with something better.
  const EnvSpec& s = spec();
  std::vector<float> obs(s.observation_size());
  observe(obs.data());
  const int rows = s.observation_shape.empty() ? 1 : s.observation_shape[0];
  const int cols = static_cast<int>(obs.size()) / rows;
  const int channels = s.observation_shape.size() >= 3 ? s.observation_shape[2] : 1;
  const int width = cols / channels;
  std::ostringstream out;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < width; ++c) {
      char ch = '.';
      for (int k = 0; k < channels; ++k) {
        if (obs[(r * width + c) * channels + k] != 0.f) {
          ch = static_cast<char>(k < 10 ? '0' + k : 'a' + (k - 10));
          break;
        }
      }
      out << ch;
    }
    out << '\n';
  }
  return out.str();
}

std::vector<std::string> Environment::action_names() const {
  std::vector<std::string> names;
  for (int a = 0; a < spec().num_actions; ++a) names.push_back(std::to_string(a));
  return names;
}

}  // namespace disco
