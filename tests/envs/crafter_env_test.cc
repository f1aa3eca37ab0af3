// Crafter as an environment: parameters, the symbolic and image layouts,
// seeds, save/load, and hand cases of the rules (crafting near the map's
// border, collecting, placing, time limit).
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "envs/crafter/crafter.h"
#include "envs/crafter/crafter_objects.h"
#include "envs/crafter/crafter_trace.h"
#include "envs/crafter/crafter_trace_json.h"
#include "envs/registry.h"

namespace disco {
namespace {

using crafter::Action;
using crafter::Game;
using crafter::GameSettings;
using crafter::Item;
using crafter::Material;

std::string golden_path() { return std::string(DISCO_SHARED_DIR) + "/golden/crafter_traces.json"; }

TEST(Crafter, SpecAndName) {
  auto env = make_env("crafter");
  const EnvSpec& s = env->spec();
  EXPECT_EQ(s.name,
            "crafter(area=64,length=10000,obs=symbolic,reward=true,seed=-1,size=64,view=9)");
  EXPECT_EQ(s.observation_shape, std::vector<int>({1345}));
  EXPECT_EQ(s.num_actions, 17);
  EXPECT_EQ(s.max_episode_steps, 10000);
  EXPECT_FLOAT_EQ(s.min_reward, -0.9f);
  EXPECT_FLOAT_EQ(s.max_reward, 1.1f);
  EXPECT_EQ(env->action_names().front(), "noop");
  EXPECT_EQ(env->action_names().back(), "make_iron_sword");
  EXPECT_EQ(make_env("crafter(obs=image)")->spec().observation_shape,
            std::vector<int>({64, 64, 3}));
  EXPECT_EQ(make_env("crafter(obs=image,size=90,view=7)")->spec().observation_shape,
            std::vector<int>({90, 90, 3}));
  // view 7: 7 - ceil(16 / 7) = 4 local rows of 7 cells.
  EXPECT_EQ(make_env("crafter(view=7)")->spec().observation_shape,
            std::vector<int>({4 * 7 * 21 + 22}));
  EXPECT_FLOAT_EQ(make_env("crafter(reward=false)")->spec().max_reward, 0.f);
}

TEST(Crafter, BadParametersAreOneClearLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"crafter(area=5)", "area must be in [12, 256], got 5"},
      {"crafter(view=3)", "view must be in [5, 64], got 3"},
      {"crafter(size=8)", "size must be in [view, 1024]"},
      {"crafter(length=-1)", "length must be >= 0"},
      {"crafter(obs=rgb)", "obs must be 'symbolic' or 'image', got 'rgb'"},
      {"crafter(seed=-2)", "seed must be >= 0, or -1"},
      {"crafter(lenght=3)", "unknown parameter 'lenght'"},
  };
  for (const auto& [name, message] : cases) {
    try {
      make_env(name);
      ADD_FAILURE() << name << " did not throw";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(message), std::string::npos) << name << ": " << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

// The symbolic observation at the first reset of Env(seed=0), cell by cell
// against the golden world: the Craftax block of each material, the mobs,
// then the 22 extras.
TEST(Crafter, SymbolicObservationLayout) {
  const auto file = crafter::read_json_file(golden_path());
  const crafter::Trace t = crafter::trace_from_json(file.at("traces").at(0));
  ASSERT_EQ(t.seed, 0);
  Crafter env{CrafterSettings{}};
  env.reset_episode(0, 1);
  std::vector<float> obs(1345, -1.f);
  env.observe(obs.data());
  const int block_of[13] = {0, 3, 2, 4, 7, 13, 5, 14, 8, 9, 10, 11, 12};  // by material id
  for (int r = 0; r < 7; ++r) {
    for (int c = 0; c < 9; ++c) {
      const int x = 32 + c - 4, y = 32 + r - 3;
      const float* cell = obs.data() + (r * 9 + c) * 21;
      int block = block_of[t.mat_map[x * 64 + y]];
      int mob = -1;
      for (const crafter::TraceObject& o : t.objects) {
        if (o.x != x || o.y != y) continue;
        if (o.kind == crafter::ObjectKind::kZombie) mob = 17;
        if (o.kind == crafter::ObjectKind::kCow) mob = 18;
        if (o.kind == crafter::ObjectKind::kSkeleton) mob = 19;
        if (o.kind == crafter::ObjectKind::kArrow) mob = 20;
        if (o.kind == crafter::ObjectKind::kPlant) block = 15;
      }
      for (int ch = 0; ch < 21; ++ch) {
        const float want = (ch == block || ch == mob) ? 1.f : 0.f;
        EXPECT_EQ(cell[ch], want) << "row " << r << " column " << c << " channel " << ch;
      }
    }
  }
  const float* extra = obs.data() + 1323;
  for (int i = 0; i < 12; ++i) EXPECT_EQ(extra[i], 0.f) << "inventory " << i;
  for (int i = 12; i < 16; ++i) EXPECT_EQ(extra[i], 0.89990234375f) << "intrinsic " << i - 12;
  EXPECT_EQ(extra[16], 0.f);             // facing left
  EXPECT_EQ(extra[17], 0.f);             // right
  EXPECT_EQ(extra[18], 0.f);             // up
  EXPECT_EQ(extra[19], 1.f);             // down: the start
  EXPECT_NEAR(extra[20], 0.7966, 1e-3);  // daylight at step 0
  EXPECT_EQ(extra[21], 0.f);
}

// A game whose player stands at (x, y) on grass, nothing around.
Game flat_game(int x, int y) {
  Game game(GameSettings{});
  game.reset(11);
  crafter::World& w = game.world();
  for (int s = 1; s < w.num_slots(); ++s) w.remove(s);
  std::vector<uint8_t> grass(w.cells(), static_cast<uint8_t>(Material::kGrass));
  w.set_all_materials(grass);
  w.move(crafter::World::kPlayerSlot, x, y);
  return game;
}

TEST(Crafter, OutOfTheMapIsMarked) {
  Game game = flat_game(0, 0);
  std::vector<float> obs(1345);
  crafter::write_symbolic(game, obs.data());
  // Columns 0-3 (x < 0) and rows 0-2 (y < 0) are out of bounds.
  for (int r = 0; r < 7; ++r) {
    for (int c = 0; c < 9; ++c) {
      const bool outside = c < 4 || r < 3;
      EXPECT_EQ(obs[(r * 9 + c) * 21 + 1], outside ? 1.f : 0.f) << r << "," << c;
    }
  }
}

TEST(Crafter, SeedParameterIsTheOriginalsEnvSeed) {
  const auto file = crafter::read_json_file(golden_path());
  const crafter::Trace t = crafter::trace_from_json(file.at("traces").at(1));
  auto env = make_env("crafter(seed=" + std::to_string(t.seed) + ")");
  auto& crafter_env = dynamic_cast<Crafter&>(*env);
  Rng rng(99);
  env->reset(rng);
  EXPECT_EQ(crafter_env.game().world().materials(), t.mat_map);
  env->reset(rng);
  EXPECT_EQ(crafter_env.game().world().materials(), t.episode2_mat_map);
  EXPECT_EQ(crafter_env.episode(), 2);
}

TEST(Crafter, WorldSeedsComeFromTheRng) {
  Crafter a{CrafterSettings{}}, b{CrafterSettings{}};
  Rng ra(5), rb(5), rc(6);
  a.reset(ra);
  b.reset(rb);
  EXPECT_EQ(a.game().world().materials(), b.game().world().materials());
  b.reset(rc);
  EXPECT_NE(a.game().world().materials(), b.game().world().materials());
}

// The image observation changes nothing in the game: both observations see
// the same world step for step, whatever the night noise.
TEST(Crafter, ObservationModeDoesNotChangeTheGame) {
  CrafterSettings image;
  image.obs = CrafterSettings::Observation::kImage;
  Crafter a{CrafterSettings{}}, b{image};
  a.reset_episode(3, 1);
  b.reset_episode(3, 1);
  std::vector<float> obs_a(a.spec().observation_size()), obs_b(b.spec().observation_size());
  Rng actions(1), unused(0);
  for (int t = 0; t < 400; ++t) {
    const int action = t % 7 == 0 ? 6 : actions.uniform_int(17);
    const StepOutcome oa = a.step(action, unused);
    const StepOutcome ob = b.step(action, unused);
    a.observe(obs_a.data());
    b.observe(obs_b.data());
    ASSERT_EQ(oa.reward, ob.reward) << t;
    ASSERT_EQ(oa.terminal, ob.terminal) << t;
    ASSERT_TRUE(a.game().world().random().state() == b.game().world().random().state()) << t;
    if (oa.terminal) break;
  }
  for (float v : obs_b) {
    ASSERT_GE(v, 0.f);
    ASSERT_LE(v, 1.f);
  }
}

TEST(Crafter, SaveLoadIsExactAtNightInBothObservations) {
  for (const char* name : {"crafter", "crafter(obs=image)"}) {
    auto env = make_env(name);
    Rng rng(4);
    env->reset(rng);
    Rng actions(8);
    // Mostly noop so the player lives into the night (daylight < 0.5 from ~150).
    for (int t = 0; t < 200; ++t) {
      const StepOutcome out = env->step(actions.uniform() < 0.8 ? 0 : actions.uniform_int(17), rng);
      if (out.terminal) env->reset(rng);
    }
    StateWriter w;
    env->save(w);
    const std::vector<uint8_t> bytes = w.take();
    auto copy = make_env(name);
    Rng other(1);
    copy->reset(other);
    StateReader r(bytes);
    copy->load(r);
    r.expect_end();
    StateWriter w2;
    copy->save(w2);
    EXPECT_EQ(w2.bytes(), bytes) << name;
    std::vector<float> oa(env->spec().observation_size()), ob(oa.size());
    Rng ra = rng, rb = rng;
    for (int t = 0; t < 150; ++t) {
      const int a = actions.uniform_int(17);
      const StepOutcome sa = env->step(a, ra), sb = copy->step(a, rb);
      env->observe(oa.data());
      copy->observe(ob.data());
      ASSERT_EQ(oa, ob) << name << " step " << t;
      ASSERT_EQ(sa.reward, sb.reward);
      if (sa.terminal) break;
    }
    // A damaged state is refused.
    std::vector<uint8_t> bad = bytes;
    bad.resize(bad.size() / 2);
    StateReader rbad(bad);
    EXPECT_THROW(copy->load(rbad), std::invalid_argument) << name;
  }
}

TEST(Crafter, LengthTruncatesWithoutEnding) {
  auto env = make_env("crafter(length=5)");
  Rng rng(2);
  env->reset(rng);
  for (int t = 1; t <= 5; ++t) {
    const StepOutcome out = env->step(0, rng);
    EXPECT_FALSE(out.terminal);
    EXPECT_EQ(out.truncated, t == 5) << t;
  }
}

// --- hand cases of the rules -------------------------------------------------

TEST(CrafterRules, TablesOnTheLeftOrTopBorderAreNotNearby) {
  // The original's numpy slice [x-1:x+2] is empty when x == 0.
  for (const auto& [x, y, works] : std::vector<std::tuple<int, int, bool>>{
           {0, 10, false}, {10, 0, false}, {1, 10, true}, {63, 63, true}}) {
    Game game = flat_game(x, y);
    crafter::World& w = game.world();
    w.set_material(x == 63 ? 62 : x + 1, y, Material::kTable);
    w.player.item(Item::kWood) = 1;
    const crafter::GameStep out = game.step(Action::kMakeWoodPickaxe);
    EXPECT_EQ(w.player.item(Item::kWoodPickaxe), works ? 1 : 0) << x << "," << y;
    EXPECT_EQ(out.reward, works ? 1.0 : 0.0) << x << "," << y;
  }
}

TEST(CrafterRules, CollectPlaceAndTheirRewards) {
  Game game = flat_game(20, 20);
  crafter::World& w = game.world();
  w.player.facing_x = 1;
  w.player.facing_y = 0;
  w.set_material(21, 20, Material::kTree);
  crafter::GameStep out = game.step(Action::kDo);
  EXPECT_EQ(w.player.item(Item::kWood), 1);
  EXPECT_EQ(w.material(21, 20), Material::kGrass);  // the tree becomes grass
  EXPECT_EQ(out.reward, 1.0);                       // collect_wood, first time
  w.set_material(21, 20, Material::kTree);
  out = game.step(Action::kDo);
  EXPECT_EQ(w.player.item(Item::kWood), 2);
  EXPECT_EQ(out.reward, 0.0);  // not the first time
  // Stone needs a wood pickaxe; it leaves a path.
  w.set_material(21, 20, Material::kStone);
  game.step(Action::kDo);
  EXPECT_EQ(w.player.item(Item::kStone), 0);
  w.player.item(Item::kWoodPickaxe) = 1;
  game.step(Action::kDo);
  EXPECT_EQ(w.player.item(Item::kStone), 1);
  EXPECT_EQ(w.material(21, 20), Material::kPath);
  // Stone goes onto water; a table takes two wood and needs land.
  w.set_material(21, 20, Material::kWater);
  game.step(Action::kPlaceStone);
  EXPECT_EQ(w.material(21, 20), Material::kStone);
  EXPECT_EQ(w.player.item(Item::kStone), 0);
  game.step(Action::kPlaceTable);
  EXPECT_EQ(w.material(21, 20), Material::kStone) << "no table on stone";
  w.set_material(21, 20, Material::kSand);
  game.step(Action::kPlaceTable);
  EXPECT_EQ(w.material(21, 20), Material::kTable);
  EXPECT_EQ(w.player.item(Item::kWood), 0);
}

TEST(CrafterRules, SleepingWakesAtFullEnergy) {
  Game game = flat_game(20, 20);
  crafter::World& w = game.world();
  w.player.item(Item::kEnergy) = 8;
  game.step(Action::kSleep);
  EXPECT_TRUE(w.player.sleeping);
  // Asleep, energy +1 every 11 steps; any action is sleep until it is 9.
  int steps = 0;
  while (w.player.sleeping && steps < 100) {
    game.step(Action::kMoveLeft);
    ++steps;
  }
  EXPECT_FALSE(w.player.sleeping);
  EXPECT_EQ(w.player.achievements[static_cast<int>(crafter::Achievement::kWakeUp)], 1);
  // Energy reaches 9 on the 11th sleeping step (fatigue below -10); the
  // next update wakes the player and runs its action: the first move.
  EXPECT_EQ(steps, 11);
  EXPECT_EQ(game.player_object().x, 19);
}

// Dropping the removed objects' slots (World::compact, done when holes
// outnumber the objects) keeps world order: a game compacted before every
// step plays exactly as one compacted only when needed.
TEST(CrafterRules, CompactionKeepsWorldOrder) {
  Game a(GameSettings{}), b(GameSettings{});
  a.reset(123);
  b.reset(123);
  Rng actions(9);
  for (int t = 0; t < 1500; ++t) {  // on past the player's death: arrows come and go
    const auto action = static_cast<Action>(actions.uniform_int(17));
    b.world().compact();
    const crafter::GameStep sa = a.step(action);
    const crafter::GameStep sb = b.step(action);
    ASSERT_EQ(sa.reward, sb.reward) << t;
    ASSERT_EQ(crafter::trace_objects(a.world()), crafter::trace_objects(b.world())) << t;
    ASSERT_EQ(a.world().materials(), b.world().materials()) << t;
  }
  EXPECT_GT(a.world().num_slots(), a.world().num_objects()) << "no holes were left";
}

TEST(CrafterRules, RenderShowsTheView) {
  auto env = make_env("crafter");
  Rng rng(3);
  env->reset(rng);
  const std::string text = env->render();
  EXPECT_NE(text.find('v'), std::string::npos) << text;  // the player, facing down
  EXPECT_NE(text.find("health 9 food 9 drink 9 energy 9"), std::string::npos) << text;
}

}  // namespace
}  // namespace disco
