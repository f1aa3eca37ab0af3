#include "agent/replay.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace disco {
namespace {

// A rollout [T+1=3, B] whose every entry of trajectory b holds `first + b`.
Rollout marked(int batch, float first) {
  Rollout r;
  const auto mark = (torch::arange(batch).to(torch::kFloat) + first).expand({3, batch});
  r.observations = mark.unsqueeze(-1).expand({3, batch, 2}).contiguous();
  r.actions = mark.to(torch::kLong).contiguous();
  r.rewards = mark.contiguous();
  r.discounts = torch::ones({3, batch});
  r.agent_outs["logits"] = mark.unsqueeze(-1).expand({3, batch, 4}).contiguous();
  return r;
}

TEST(ReplayBuffer, KeepsTheNewestTrajectoriesUpToCapacity) {
  ReplayBuffer replay(3);
  replay.add(marked(2, 0));   // trajectories 0, 1
  replay.add(marked(2, 10));  // 10, 11: 0 drops out
  EXPECT_EQ(replay.size(), 3);
  Rng rng(1);
  const auto s = replay.sample(200, rng);
  EXPECT_EQ(s.observations.sizes(), (std::vector<int64_t>{3, 200, 2}));
  EXPECT_EQ(s.agent_outs.at("logits").sizes(), (std::vector<int64_t>{3, 200, 4}));
  const auto seen = std::get<0>(torch::_unique(s.rewards[0]));
  EXPECT_TRUE(torch::equal(std::get<0>(seen.sort()), torch::tensor({1.f, 10.f, 11.f})));
  // Whole trajectories stay together: every field of column j agrees.
  EXPECT_TRUE(torch::equal(s.rewards[2], s.observations.select(2, 1)[0]));
  EXPECT_TRUE(torch::equal(s.actions[1].to(torch::kFloat), s.rewards[1]));
}

TEST(ReplayBuffer, SaveAndLoadRoundTrip) {
  ReplayBuffer replay(4);
  replay.add(marked(3, 5));
  ParamMap saved;
  replay.save(saved, "replay/");
  ReplayBuffer copy(4);
  copy.load(saved, "replay/");
  EXPECT_EQ(copy.size(), 3);
  Rng a(7), b(7);
  const auto x = replay.sample(16, a), y = copy.sample(16, b);
  EXPECT_TRUE(torch::equal(x.observations, y.observations));
  ReplayBuffer wrong(5);
  EXPECT_THROW(wrong.load(saved, "replay/"), std::invalid_argument);
}

}  // namespace
}  // namespace disco
