// Fuzz target: restoring a training checkpoint (Trainer::resume, which reads
// checkpoint.npz in load_checkpoint, src/agent/trainer.cc): the input is the
// run's checkpoint.npz, beside a fixed settings.json (checkpoint_run.h). A
// checkpoint that restores must then train on: one more learner step, from
// the restored parameters, optimiser state, replay, environments and
// generators. With libFuzzer, npz_mutator.cc mutates the checkpoint's arrays.
#include <torch/torch.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "agent/trainer.h"
#include "checkpoint_run.h"
#include "fuzz_support.h"
#include "io/atomic_file.h"

namespace {

namespace fs = std::filesystem;

// The run folder, with its settings.json; removed when the process exits.
const fs::path& run_dir() {
  static const fs::path dir = [] {
    torch::set_num_threads(1);
    const fs::path d = disco::fuzz::checkpoint_run_dir("checkpoint");
    fs::create_directories(d);
    disco::write_file_atomically(
        (d / "settings.json").string(),
        disco::settings_to_json(disco::fuzz::checkpoint_run_settings()).dump(2) + "\n");
    std::atexit([] { std::error_code ignored; fs::remove_all(run_dir(), ignored); });
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path& dir = run_dir();
  // Nothing of the previous input's run may remain.
  for (const char* name : {"metrics.csv", "metrics.jsonl"}) fs::remove(dir / name);
  {
    std::ofstream out(dir / "checkpoint.npz", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  disco::fuzz::expect_clean_refusals([&] {
    try {
      auto trainer = disco::Trainer::resume(dir.string(), std::nullopt, /*disco103_weights=*/"");
      trainer->run({}, /*stop_after=*/1);
    } catch (const c10::Error& e) {  // LibTorch's checks refuse too
      throw std::runtime_error(e.what_without_backtrace());
    }
  });
  return 0;
}
