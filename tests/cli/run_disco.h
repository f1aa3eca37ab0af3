// Runs the built `disco` binary (DISCO_BINARY) as a user would, with stdin
// from /dev/null (not a terminal), capturing stdout and stderr together.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace disco_test {

struct Result {
  int code;            // exit code, -1 if the process did not exit normally
  std::string output;  // stdout and stderr
};

// `prefix`: shell commands run before `disco` in the same shell.
inline Result run_disco(const std::string& args, const std::string& prefix = "") {
  const std::string cmd = prefix + std::string(DISCO_BINARY) + " " + args + " 2>&1 </dev/null";
  Result r{-1, ""};
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// As run_disco, with files limited to `max_bytes` (RLIMIT_FSIZE, SIGXFSZ
// ignored): writes beyond it fail as on a full disk, also for root, who
// ignores read-only permissions.
inline Result run_disco_on_a_small_disk(const std::string& args, long long max_bytes) {
  return run_disco(args, "trap '' XFSZ; ulimit -f " + std::to_string(max_bytes / 512) + "; ");
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace disco_test
