#include "eval/sample_efficiency.h"

#include <stdexcept>
#include <string>

namespace disco {

std::vector<CurvePoint> sample_efficiency_curve(const std::vector<int64_t>& frames,
                                                const std::vector<TaskScores>& scores,
                                                const BootstrapSettings& settings) {
  if (frames.size() != scores.size()) {
    throw std::invalid_argument("sample efficiency: " + std::to_string(frames.size()) +
                                " checkpoints but scores for " + std::to_string(scores.size()));
  }
  if (frames.empty()) throw std::invalid_argument("sample efficiency: no checkpoints");
  for (size_t c = 1; c < frames.size(); ++c) {
    if (frames[c] <= frames[c - 1]) {
      throw std::invalid_argument("sample efficiency: checkpoint frames must increase, got " +
                                  std::to_string(frames[c - 1]) + " then " +
                                  std::to_string(frames[c]));
    }
  }
  if (settings.reps < 1) {
    throw std::invalid_argument("bootstrap reps must be positive, got " +
                                std::to_string(settings.reps));
  }
  if (!(settings.confidence > 0 && settings.confidence < 1)) {
    throw std::invalid_argument("bootstrap confidence must lie in (0, 1), got " +
                                std::to_string(settings.confidence));
  }
  const double tail = 100.0 * (1.0 - settings.confidence) / 2.0;
  Rng rng(settings.seed);
  std::vector<double> sample, iqms(settings.reps);
  std::vector<CurvePoint> out;
  for (size_t c = 0; c < frames.size(); ++c) {
    CurvePoint p;
    p.frames = frames[c];
    try {
      p.iqm = interquartile_mean(scores[c]);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("sample efficiency at " + std::to_string(frames[c]) +
                                  " frames: " + e.what());
    }
    const StratifiedResampler resampler(scores[c]);
    for (int r = 0; r < settings.reps; ++r) {
      resampler.resample(rng, &sample);
      iqms[r] = trimmed_mean_25(sample);
    }
    p.ci.low = percentile(iqms, tail);
    p.ci.high = percentile(iqms, 100.0 - tail);
    out.push_back(p);
  }
  return out;
}

}  // namespace disco
