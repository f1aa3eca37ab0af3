// Crafter against the original: NumPy's RandomState, CPython's tuple hash,
// OpenSimplex noise, and every golden trace of the original
// (../shared/golden/crafter_traces.json) replayed and compared exactly.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "envs/crafter/crafter_trace.h"
#include "envs/crafter/crafter_trace_json.h"
#include "envs/crafter/numpy_random.h"
#include "envs/crafter/opensimplex.h"
#include "envs/crafter/python_hash.h"

namespace disco::crafter {
namespace {

// Expected numbers below were made with /usr/bin/python3 (CPython 3.11,
// NumPy 1.24.2), e.g.
//   r = numpy.random.RandomState(0); [r.random_sample() for _ in range(3)]
TEST(CrafterNumpyRandom, RandomSampleMatchesNumpy) {
  NumpyRandomState r(0);
  EXPECT_EQ(r.random_sample(), 0.5488135039273248);
  EXPECT_EQ(r.random_sample(), 0.7151893663724195);
  EXPECT_EQ(r.random_sample(), 0.6027633760716439);
  // RandomState(2**32 - 1).random_sample()
  NumpyRandomState top(0xffffffffu);
  EXPECT_EQ(top.random_sample(), 0.0976320289940138);
}

TEST(CrafterNumpyRandom, RandintAndUniformMatchNumpy) {
  // r = RandomState(12345); 10 x r.randint(0, 17); 10 x r.randint(0, 4);
  // r.randint(0, 2**31 - 1); r.randint(0, 1); r.uniform(32, 127)
  NumpyRandomState r(12345);
  const std::vector<int64_t> a17 = {2, 5, 1, 4, 9, 5, 2, 1, 14, 9};
  const std::vector<int64_t> a4 = {3, 3, 2, 0, 2, 1, 3, 1, 2, 1};
  for (int64_t v : a17) EXPECT_EQ(r.randint(0, 17), v);
  for (int64_t v : a4) EXPECT_EQ(r.randint(0, 4), v);
  EXPECT_EQ(r.randint(0, 2147483647), 1712592594);
  const auto before = r.state();
  EXPECT_EQ(r.randint(0, 1), 0);
  EXPECT_TRUE(r.state() == before) << "randint(0, 1) draws nothing";
  EXPECT_EQ(r.uniform(32, 127), 60.37685280809124);
  // The world of hash((0, 1)) % (2**31 - 1): its noise seed, then a uniform.
  NumpyRandomState w(1256191933);
  EXPECT_EQ(w.randint(0, 2147483647), 487388145);
  EXPECT_EQ(w.uniform(), 0.7164088685589098);
  EXPECT_THROW(w.randint(3, 3), std::invalid_argument);
}

TEST(CrafterNumpyRandom, DiscardSkipsTheNightNoise) {
  // r = RandomState(7); r.uniform(32, 127, (63, 49)); r.random_sample()
  NumpyRandomState r(7);
  r.discard(2 * 63 * 49);
  EXPECT_EQ(r.random_sample(), 0.5337797889172178);
  NumpyRandomState drawn(7), skipped(7);
  for (int i = 0; i < 5000; ++i) drawn.next_u32();
  skipped.discard(1234);
  skipped.discard(5000 - 1234);
  EXPECT_TRUE(drawn.state() == skipped.state());
}

TEST(CrafterNumpyRandom, SameStreamAsStdMt19937) {
  NumpyRandomState r(5489);
  std::mt19937 reference(5489);
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(r.next_u32(), reference()) << i;
}

// hash(t) and hash(t) % (2**31 - 1) from CPython 3.11 (64-bit).
TEST(CrafterPythonHash, TupleHashMatchesCPython) {
  EXPECT_EQ(python_tuple_hash(0, 1), -1950498447580522560);
  EXPECT_EQ(python_tuple_hash(1, 1), 8389048192121911274);
  EXPECT_EQ(python_tuple_hash(42, 1), -5900542410020355268);
  EXPECT_EQ(python_tuple_hash(-7, -9), -1266633721653892244);
  EXPECT_EQ(python_tuple_hash(int64_t{1} << 62, 5), -8422800446983873125);
  EXPECT_EQ(crafter_world_seed(0, 1), 1256191933u);
  EXPECT_EQ(crafter_world_seed(1, 1), 535231920u);
  EXPECT_EQ(crafter_world_seed(42, 1), 550904604u);
  EXPECT_EQ(crafter_world_seed(0, 2), 744553801u);
  EXPECT_EQ(crafter_world_seed(-1, 3), 1467372159u);
  EXPECT_EQ(crafter_world_seed(123456789012, 1), 1914678182u);
  // hash(v) for ints: modulo 2^61 - 1 with the sign, -1 -> -2.
  EXPECT_EQ(python_int_hash(-1), -2);
  EXPECT_EQ(python_int_hash(-2), -2);
  EXPECT_EQ(python_int_hash((int64_t{1} << 61) - 1), 0);
  EXPECT_EQ(python_int_hash(int64_t{1} << 61), 1);
  EXPECT_EQ(python_int_hash(INT64_MAX), 3);
  EXPECT_EQ(python_int_hash(INT64_MIN), -4);
}

// OpenSimplex(seed=0).noise3d(x, y, z): samples from lmas/opensimplex v0.3
// tests/samples.json.gz, which that port's own test asserts exactly.
TEST(CrafterOpenSimplex, Noise3MatchesThePort) {
  struct Sample {
    double x, y, z, value;
  };
  const Sample samples[] = {
      {-577.5505952497637, -10.33001006176737, -478.37779980963967, 0.22498992324975825},
      {-674.0648174093989, -439.41605828159516, -401.7679086050969, -0.069857572321462},
      {-302.8011296546276, -277.68552370757527, 564.7037077326094, 0.02131307355801019},
      {-719.1033485936107, -742.8790656319649, -147.14278588192477, 0.43018124166325244},
      {-326.69751048770723, -471.34080244106815, 312.914219918099, 0.11795868413800775},
      {746.9917323291546, -964.989600717278, -717.5576304328995, 0.43782533194164364},
      {293.6272556178281, 554.580247709054, 906.8301703327663, -0.13803811648706715},
      {766.5192951803897, 583.7099397375382, -819.3440862071978, 0.561207698910241},
      {-794.2297784650141, -938.5432512237679, -681.7955890224132, -0.28399233357103865},
      {-35.460052840369904, 346.69753885333887, 283.8796576322211, -0.14420306341032926},
  };
  const OpenSimplex noise(0);
  for (const Sample& s : samples) EXPECT_EQ(noise.noise3(s.x, s.y, s.z), s.value) << s.x;
}

// The batch (AVX2 where the CPU has it) is noise3 to the last bit, on grids
// like world generation's and on scattered points in every region.
TEST(CrafterOpenSimplex, BatchIsNoise3BitForBit) {
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> coord(-60.0, 60.0);
  for (int64_t seed : {int64_t{0}, int64_t{487388145}, int64_t{2147483646}}) {
    const OpenSimplex noise(seed);
    for (double z : {0.0, 3.0, 8.0, -5.5, 17.25}) {
      std::vector<double> x, y;
      for (int i = 0; i < 64; ++i) {
        for (int j = 0; j < 64; ++j) {
          x.push_back(i / 3.0);
          y.push_back(j / 7.0);
        }
      }
      for (int i = 0; i < 20003; ++i) {
        x.push_back(coord(gen));
        y.push_back(coord(gen));
      }
      std::vector<double> out(x.size());
      noise.noise3_batch(x.data(), y.data(), z, static_cast<int>(x.size()), out.data());
      for (size_t i = 0; i < x.size(); ++i) {
        ASSERT_EQ(out[i], noise.noise3(x[i], y[i], z))
            << "seed " << seed << " at (" << x[i] << ", " << y[i] << ", " << z << ")";
      }
    }
  }
  std::printf("noise3_batch vectorised: %s\n", OpenSimplex::batch_vectorised() ? "yes" : "no");
}

TEST(CrafterTrace, Crc32IsZlibs) {
  const std::string text = "123456789";
  EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0xcbf43926u);
}

// --- the golden traces -----------------------------------------------------

std::string golden_path() { return std::string(DISCO_SHARED_DIR) + "/golden/crafter_traces.json"; }

std::vector<Trace> golden_traces() {
  const nlohmann::ordered_json file = read_json_file(golden_path());
  std::vector<Trace> out;
  for (const auto& t : file.at("traces")) out.push_back(trace_from_json(t));
  return out;
}

std::string describe(const std::vector<TraceObject>& objects, size_t i) {
  if (i >= objects.size()) return "(none)";
  const TraceObject& o = objects[i];
  return std::string(object_kind_name(o.kind)) + " (" + std::to_string(o.x) + ", " +
         std::to_string(o.y) + ") health " + std::to_string(o.health);
}

// Objects equal, or the first difference named.
void expect_objects(const std::vector<TraceObject>& want, const std::vector<TraceObject>& got,
                    const std::string& where) {
  for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    if (i >= want.size() || i >= got.size() || !(want[i] == got[i])) {
      ADD_FAILURE() << where << ": object " << i << " is " << describe(got, i) << ", expected "
                    << describe(want, i) << " (" << got.size() << " objects, expected "
                    << want.size() << ")";
      return;
    }
  }
}

void expect_map(const std::vector<uint8_t>& want, const std::vector<uint8_t>& got,
                const std::string& where) {
  ASSERT_EQ(want.size(), got.size()) << where;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] != got[i]) {
      const int side = 64;
      ADD_FAILURE() << where << ": cell (" << i / side << ", " << i % side << ") is " << int(got[i])
                    << ", expected " << int(want[i]);
      return;
    }
  }
}

TEST(CrafterGolden, EveryTraceReplaysExactly) {
  const std::vector<Trace> golden = golden_traces();
  ASSERT_FALSE(golden.empty()) << golden_path();
  for (const Trace& want : golden) {
    const std::string name = "seed " + std::to_string(want.seed) + " (" + want.policy + ")";
    SCOPED_TRACE(name);
    // The policy gives the recorded actions.
    TracePolicy policy(want.seed, want.policy);
    for (size_t i = 0; i < want.steps.size(); ++i) {
      ASSERT_EQ(policy.next(), want.steps[i].action) << "policy action at step " << i + 1;
    }
    const Trace got = replay_trace(want.seed, want.policy, trace_actions(want), 0);
    expect_map(want.mat_map, got.mat_map, "map at reset");
    expect_objects(want.objects, got.objects, "objects at reset");
    ASSERT_EQ(got.steps.size(), want.steps.size()) << "the episode's length";
    for (size_t i = 0; i < want.steps.size(); ++i) {
      const TraceStep& w = want.steps[i];
      const TraceStep& g = got.steps[i];
      const std::string at = "step " + std::to_string(i + 1);
      EXPECT_NEAR(g.reward, w.reward, 5e-7) << at;
      EXPECT_EQ(g.done, w.done) << at;
      EXPECT_EQ(g.pos_x, w.pos_x) << at;
      EXPECT_EQ(g.pos_y, w.pos_y) << at;
      EXPECT_EQ(g.facing_x, w.facing_x) << at;
      EXPECT_EQ(g.facing_y, w.facing_y) << at;
      EXPECT_EQ(g.sleeping, w.sleeping) << at;
      for (int k = 0; k < kNumItems; ++k) {
        EXPECT_EQ(g.inventory[k], w.inventory[k]) << at << " " << item_name(static_cast<Item>(k));
      }
      EXPECT_EQ(g.achievements, w.achievements) << at;
      expect_objects(w.objects, g.objects, at);
      EXPECT_EQ(g.mat_crc32, w.mat_crc32) << at;
      if (testing::Test::HasFailure()) return;  // the first differing step is the story
    }
    EXPECT_EQ(got.exact_until, want.exact_until);
    expect_map(want.final_mat_map, got.final_mat_map, "final map");
    expect_map(want.episode2_mat_map, got.episode2_mat_map, "episode 2 map");
    expect_objects(want.episode2_objects, got.episode2_objects, "episode 2 objects");
    EXPECT_EQ(first_difference(want, got), "");
  }
}

TEST(CrafterGolden, JsonRoundTrip) {
  const std::vector<Trace> golden = golden_traces();
  ASSERT_FALSE(golden.empty());
  const Trace got = replay_trace(golden[0].seed, golden[0].policy, trace_actions(golden[0]), 0);
  const Trace back = trace_from_json(nlohmann::ordered_json::parse(trace_to_json(got).dump()));
  EXPECT_EQ(back.mat_map, got.mat_map);
  EXPECT_EQ(back.objects, got.objects);
  ASSERT_EQ(back.steps.size(), got.steps.size());
  EXPECT_EQ(back.steps.back().mat_crc32, got.steps.back().mat_crc32);
  EXPECT_EQ(back.steps.back().objects, got.steps.back().objects);
  EXPECT_EQ(back.episode2_objects, got.episode2_objects);
  // Without actions the policy drives the episode to its end: the same trace.
  const Trace driven = replay_trace(golden[0].seed, golden[0].policy, {}, 1000);
  ASSERT_EQ(driven.steps.size(), got.steps.size());
  EXPECT_EQ(driven.steps.back().objects, got.steps.back().objects);
}

}  // namespace
}  // namespace disco::crafter
