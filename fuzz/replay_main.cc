// Replays inputs through a fuzz target without libFuzzer, so that any
// compiler builds it and CI runs the seed corpus and every regression input:
//
//   replay_<target> PATH...
//
// feeds each PATH that is a file, and each file of each PATH that is a folder
// (sorted by name, not recursive), to LLVMFuzzerTestOneInput once. A folder
// that does not exist holds nothing to replay (a target with no regressions
// yet has none); replaying nothing at all fails. A bug aborts (the target
// itself, or a sanitizer, reports it), so reaching the end means every input
// passed.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path path = argv[i];
    if (fs::is_directory(path)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else if (fs::exists(path)) {
      inputs.push_back(path);
    } else {
      std::printf("replay: no %s (nothing to replay there)\n", path.c_str());
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs found\n");
    return 1;
  }
  for (const fs::path& path : inputs) {
    std::printf("replay: %s\n", path.c_str());
    std::fflush(stdout);  // names the input if the target aborts on it
    const std::vector<uint8_t> bytes = read_file(path);  // exactly its size: ASan sees overreads
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::printf("replay: %zu inputs passed\n", inputs.size());
  return 0;
}
