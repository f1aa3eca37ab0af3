// Writes the seeds that are states of this code, for fuzz targets whose
// inputs change when the code's state layouts do:
//
//   fuzz_make_seeds OUT_DIR     (OUT_DIR: fuzz/corpus)
//
//   OUT_DIR/env_state/<i>_<name>  byte i, then the saved state of a batch of
//                                 environment i of env_states.h, a few steps in
//   OUT_DIR/checkpoint/stored.npz, deflate.npz
//                                 the checkpoint of checkpoint_run.h's run after
//                                 three learner steps, stored and compressed
#include <torch/torch.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/trainer.h"
#include "checkpoint_run.h"
#include "env_states.h"
#include "envs/registry.h"
#include "io/npz_tensors.h"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
  std::printf("%s (%zu bytes)\n", path.c_str(), bytes.size());
}

// "catch(rows=5,columns=3)" -> "catch_rows_5_columns_3"
std::string file_name(std::string name) {
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds OUT_DIR\n");
    return 2;
  }
  const fs::path out = argv[1];
  torch::set_num_threads(1);

  fs::create_directories(out / "env_state");
  const auto& names = disco::fuzz::env_state_names();
  for (size_t i = 0; i < names.size(); ++i) {
    disco::BatchedEnv env = disco::make_batched_env(names[i], disco::fuzz::kEnvStateBatch);
    env.reset(/*seed=*/i);
    std::vector<int> actions(env.batch_size());
    for (int t = 0; t < 5; ++t) {
      for (int b = 0; b < env.batch_size(); ++b) actions[b] = (t + b) % env.spec().num_actions;
      env.step(actions);
    }
    std::vector<uint8_t> bytes = {static_cast<uint8_t>(i)};
    const auto state = env.save_state();
    bytes.insert(bytes.end(), state.begin(), state.end());
    char prefix[8];
    std::snprintf(prefix, sizeof(prefix), "%02zu_", i);
    write(out / "env_state" / (prefix + file_name(names[i])), bytes);
  }

  fs::create_directories(out / "checkpoint");
  const fs::path run = disco::fuzz::checkpoint_run_dir("make_seeds");
  fs::remove_all(run);
  {
    disco::TrainSettings s = disco::fuzz::checkpoint_run_settings();
    s.steps = 3;
    disco::Trainer trainer(s, run.string(), /*disco103_weights=*/"");
    trainer.run();
  }
  const auto checkpoint = disco::load_tensors((run / "checkpoint.npz").string());
  disco::save_tensors((out / "checkpoint" / "stored.npz").string(), checkpoint, /*compress=*/false);
  disco::save_tensors((out / "checkpoint" / "deflate.npz").string(), checkpoint, /*compress=*/true);
  for (const char* name : {"stored.npz", "deflate.npz"}) {
    std::printf("%s (%ju bytes)\n", (out / "checkpoint" / name).c_str(),
                static_cast<uintmax_t>(fs::file_size(out / "checkpoint" / name)));
  }
  fs::remove_all(run);
  return 0;
}
