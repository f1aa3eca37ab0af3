// .npy/.npz reading and writing: round trips, Fortran order, compressed
// members, format versions, every malformed case, and the Disco103 weights.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <zip.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "io/npz.h"
#include "io/npz_tensors.h"

namespace disco {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "npz_test_" + std::to_string(::getpid()) + "_" + name;
}

// A .npy image with a header we control (version 1, 2 or 3).
std::vector<uint8_t> npy_image(const std::string& dict, const std::vector<uint8_t>& data, int version = 1) {
  std::string header = dict;
  const size_t prefix = version == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(version), 0};
  const size_t n = header.size();
  out.push_back(n & 0xff);
  out.push_back((n >> 8) & 0xff);
  if (version != 1) {
    out.push_back((n >> 16) & 0xff);
    out.push_back((n >> 24) & 0xff);
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  return std::vector<uint8_t>(p, p + v.size() * sizeof(T));
}

// Writes members (name -> .npy image) into a zip, optionally DEFLATEd.
void write_zip(const std::string& path, const std::vector<std::pair<std::string, std::vector<uint8_t>>>& members,
               bool deflate) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr);
  for (const auto& [name, image] : members) {
    zip_source_t* src = zip_source_buffer(z, image.data(), image.size(), 0);
    const auto idx = zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE);
    ASSERT_GE(idx, 0);
    zip_set_file_compression(z, idx, deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  }
  ASSERT_EQ(zip_close(z), 0);
}

std::string error_of(const std::string& path) {
  try {
    read_npz(path);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(Npz, RoundTripEveryDtypeAndRank) {
  ParamMap in;
  in["f32"] = torch::arange(24, torch::kFloat32).reshape({2, 3, 4}) * 0.5;
  in["f64"] = torch::linspace(-1, 1, 5, torch::kFloat64);
  in["i32"] = torch::tensor({-3, 0, 7}, torch::kInt32);
  in["i64"] = torch::tensor({int64_t{1} << 40, int64_t{-5}}, torch::kInt64).reshape({2, 1});
  in["b"] = torch::tensor({true, false, true});
  in["scalar"] = torch::tensor(3.25f);
  in["nested/name/w"] = torch::randn({3, 2});
  in["empty"] = torch::zeros({0, 3});
  for (bool compress : {false, true}) {
    const std::string path = temp_path(compress ? "rt_c.npz" : "rt.npz");
    save_tensors(path, in, compress);
    const ParamMap out = load_tensors(path);
    ASSERT_EQ(out.size(), in.size());
    for (const auto& [name, t] : in) {
      ASSERT_TRUE(out.count(name)) << name;
      EXPECT_EQ(out.at(name).scalar_type(), t.scalar_type()) << name;
      EXPECT_EQ(out.at(name).sizes(), t.sizes()) << name;
      EXPECT_TRUE(torch::equal(out.at(name), t)) << name;
    }
    std::remove(path.c_str());
  }
}

TEST(Npz, FortranOrderIsReorderedToLogicalLayout) {
  // Logical 2x3 matrix [[0,1,2],[3,4,5]] stored column-major: 0,3,1,4,2,5.
  const auto data = bytes_of(std::vector<float>{0, 3, 1, 4, 2, 5});
  const std::string path = temp_path("fortran.npz");
  write_zip(path,
            {{"m.npy", npy_image("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data)},
             {"t.npy", npy_image("{'descr': '<i8', 'fortran_order': True, 'shape': (2, 2, 2), }",
                                 bytes_of(std::vector<int64_t>{0, 4, 2, 6, 1, 5, 3, 7}))}},
            /*deflate=*/true);
  const ParamMap t = load_tensors(path);
  EXPECT_TRUE(torch::equal(t.at("m"), torch::arange(6, torch::kFloat32).reshape({2, 3})));
  EXPECT_TRUE(torch::equal(t.at("t"), torch::arange(8, torch::kInt64).reshape({2, 2, 2})));
  const NpzArchive raw = read_npz(path);
  EXPECT_TRUE(raw[0].second.fortran_order_on_disk);
  std::remove(path.c_str());
}

TEST(Npz, ReadsFormatVersionsTwoAndThree) {
  const auto data = bytes_of(std::vector<double>{1.5, -2.5});
  const std::string path = temp_path("versions.npz");
  write_zip(path,
            {{"v2.npy", npy_image("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data, 2)},
             {"v3.npy", npy_image("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data, 3)}},
            false);
  const ParamMap t = load_tensors(path);
  EXPECT_DOUBLE_EQ(t.at("v2")[1].item<double>(), -2.5);
  EXPECT_DOUBLE_EQ(t.at("v3")[0].item<double>(), 1.5);
  std::remove(path.c_str());
}

TEST(Npz, MalformedInputsAreClearErrors) {
  const auto four_floats = bytes_of(std::vector<float>{1, 2, 3, 4});
  const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
  struct Case {
    std::string name;
    std::vector<uint8_t> image;
    std::string expected;
  };
  std::vector<uint8_t> bad_magic = npy_image(ok_dict, four_floats);
  bad_magic[1] = 'X';
  std::vector<uint8_t> cut_header = npy_image(ok_dict, four_floats);
  cut_header.resize(30);
  const std::vector<Case> cases = {
      {"shape_mismatch", npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", four_floats),
       "needs 20 bytes but the data has 16"},
      {"big_endian", npy_image("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", four_floats),
       "unsupported dtype '>f4'"},
      {"float16", npy_image("{'descr': '<f2', 'fortran_order': False, 'shape': (8,), }", four_floats),
       "unsupported dtype '<f2'"},
      {"bad_magic", bad_magic, "bad magic"},
      {"cut_header", cut_header, "truncated .npy header"},
      {"no_shape", npy_image("{'descr': '<f4', 'fortran_order': False, }", four_floats), "no 'shape'"},
      {"bad_order", npy_image("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,), }", four_floats),
       "fortran_order"},
  };
  for (const Case& c : cases) {
    const std::string path = temp_path(c.name + ".npz");
    write_zip(path, {{"x.npy", c.image}}, false);
    const std::string msg = error_of(path);
    EXPECT_NE(msg.find(c.expected), std::string::npos) << c.name << ": got '" << msg << "'";
    EXPECT_NE(msg.find("x.npy"), std::string::npos) << c.name << " should name the member: " << msg;
    std::remove(path.c_str());
  }
}

TEST(Npz, HostileSizesAreRefusedBeforeAnyLargeAllocation) {
  const auto four_floats = bytes_of(std::vector<float>{1, 2, 3, 4});
  // 2^62 x 4 float32 = 2^66 bytes, which wraps to 0 in 64 bits: the empty
  // data would "match" without the overflow check.
  const std::vector<std::pair<std::string, std::string>> shapes = {
      {"(4611686018427387904, 4)", "too large to be real"},
      {"(99999999999999999999999,)", "too large to be real"},
      {"(3037000500, 3037000500, 3037000500)", "too large to be real"},
  };
  for (const auto& [shape, says] : shapes) {
    const std::string path = temp_path("huge.npz");
    write_zip(path, {{"x.npy", npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape +
                                             ", }",
                                         {})}},
              false);
    const std::string msg = error_of(path);
    EXPECT_NE(msg.find(says), std::string::npos) << shape << ": got '" << msg << "'";
    std::remove(path.c_str());
  }
  // A member whose directory entries claim ~4 GiB uncompressed: refused from
  // the claim, not by trying to allocate it.
  for (const bool deflate : {false, true}) {
    const std::string path = temp_path("forged.npz");
    write_zip(path, {{"x.npy", npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
                                         four_floats)}},
              deflate);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const char huge[4] = {'\xf0', '\xff', '\xff', '\xff'};
    int patched = 0;
    for (size_t i = 0; i + 30 < bytes.size(); ++i) {
      if (bytes.compare(i, 4, "PK\x03\x04") == 0) {  // local header: size at +22
        bytes.replace(i + 22, 4, huge, 4);
        ++patched;
      } else if (bytes.compare(i, 4, "PK\x01\x02") == 0) {  // central directory: size at +24
        bytes.replace(i + 24, 4, huge, 4);
        ++patched;
      }
    }
    ASSERT_EQ(patched, 2);
    f.seekp(0);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    const std::string msg = error_of(path);
    EXPECT_NE(msg.find("declares 4294967280 bytes"), std::string::npos)
        << (deflate ? "deflated" : "stored") << ": got '" << msg << "'";
    std::remove(path.c_str());
  }
}

TEST(Npz, ShapeThatDisagreesWithTheMemberIsRefusedBeforeItsDataIsRead) {
  // A member of 4096 data bytes whose header declares 2 floats, its last
  // byte then corrupted: reading the data would end in a CRC error, so the
  // shape's refusal shows the data was never read (a DEFLATE member of a few
  // KB can hold gigabytes).
  for (const bool deflate : {false, true}) {
    const std::string path = temp_path("mismatch.npz");
    write_zip(path, {{"x.npy", npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                                         std::vector<uint8_t>(4096, 7))}},
              deflate);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const size_t central = bytes.find("PK\x01\x02");
    ASSERT_NE(central, std::string::npos);
    bytes[central - 1] ^= 0x55;  // the member's last stored byte
    f.seekp(0);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    const std::string msg = error_of(path);
    EXPECT_NE(msg.find("needs 8 bytes but the data has 4096"), std::string::npos)
        << (deflate ? "deflated" : "stored") << ": got '" << msg << "'";
    std::remove(path.c_str());
  }
}

TEST(Npz, TruncatedOrNonZipArchivesAreClearErrors) {
  const std::string good = temp_path("good.npz");
  save_tensors(good, {{"a", torch::randn({64, 64})}}, /*compress=*/true);
  std::ifstream in(good, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t keep : {bytes.size() / 2, bytes.size() - 10, size_t{10}}) {
    const std::string cut = temp_path("cut.npz");
    std::ofstream(cut, std::ios::binary).write(bytes.data(), keep);
    EXPECT_NE(error_of(cut), "") << "truncated to " << keep;
    std::remove(cut.c_str());
  }
  const std::string text = temp_path("text.npz");
  std::ofstream(text) << "this is not a zip archive";
  EXPECT_NE(error_of(text).find("not a readable .npz"), std::string::npos);
  EXPECT_NE(error_of(temp_path("missing.npz")).find("cannot open"), std::string::npos);
  std::remove(text.c_str());
  std::remove(good.c_str());
}

TEST(Npz, WriteIsAtomicAndRejectsBadArrays) {
  const std::string path = temp_path("atomic.npz");
  save_tensors(path, {{"a", torch::ones({2})}});
  NpzArchive bad = {{"a", NpyArray{DType::kFloat32, {3}, std::vector<uint8_t>(4), false}}};
  EXPECT_THROW(write_npz(path, bad), std::invalid_argument);
  NpzArchive dup = {{"a", to_npy(torch::ones({1}))}, {"a", to_npy(torch::ones({1}))}};
  EXPECT_THROW(write_npz(path, dup), std::invalid_argument);
  // The earlier file is untouched.
  EXPECT_TRUE(torch::equal(load_tensors(path).at("a"), torch::ones({2})));
  std::remove(path.c_str());
}

TEST(Npz, NumPyReadsOurFilesBack) {
  if (std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
    GTEST_SKIP() << "Debian's python3-numpy is not installed";
  }
  const std::string path = temp_path("numpy.npz");
  save_tensors(path, {{"w", torch::arange(6, torch::kFloat32).reshape({2, 3})},
                      {"i", torch::tensor({4, 5}, torch::kInt64)},
                      {"b", torch::tensor({true, false})}});
  const std::string script =
      "import numpy as np; d = np.load('" + path + "');"
      "assert d['w'].shape == (2, 3) and d['w'].dtype == np.float32 and d['w'][1, 2] == 5;"
      "assert d['i'].tolist() == [4, 5] and d['b'].tolist() == [True, False]";
  EXPECT_EQ(std::system(("/usr/bin/python3 -c \"" + script + "\"").c_str()), 0);
  std::remove(path.c_str());
}

TEST(Npz, Disco103WeightsHave42ArraysAnd754778Values) {
  const std::string path = std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz";
  std::ifstream probe(path);
  if (!probe) GTEST_SKIP() << path << " not present";
  const NpzArchive archive = read_npz(path);
  EXPECT_EQ(archive.size(), 42u);
  int64_t total = 0;
  int fortran = 0;
  for (const auto& [name, a] : archive) {
    total += a.num_values();
    fortran += a.fortran_order_on_disk;
    EXPECT_EQ(a.dtype, DType::kFloat32) << name;
  }
  EXPECT_EQ(total, 754778);
  EXPECT_EQ(fortran, 12);
}

}  // namespace
}  // namespace disco
