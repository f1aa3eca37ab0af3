#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace disco {
namespace {

std::string folder_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw std::runtime_error("cannot open " + path + " to sync: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw std::runtime_error("fsync failed on " + path + ": " + std::strerror(errno));
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  temp_ = path_ + ".tmp." + std::to_string(::getpid());
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::commit() {
  fsync_path(temp_, O_RDONLY);
  if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + temp_ + " to " + path_ + ": " + std::strerror(errno));
  }
  committed_ = true;
  fsync_path(folder_of(path_), O_RDONLY | O_DIRECTORY);
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  AtomicFile file(path);
  FILE* f = std::fopen(file.temp_path().c_str(), "wb");
  if (!f) throw std::runtime_error("cannot create " + file.temp_path() + ": " + std::strerror(errno));
  const size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  // The reason of the first call that failed (a full disk often shows only
  // at fflush or fclose).
  int error = 0;
  if (written != bytes.size() || std::fflush(f) != 0) error = errno;
  if (std::fclose(f) != 0 && error == 0) error = errno;
  if (error != 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
  file.commit();
}

}  // namespace disco
