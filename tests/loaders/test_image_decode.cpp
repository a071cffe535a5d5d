// Decoding of images the test writes itself with stb_image_write (every channel layout tl
// converts to RGB), and every kind of bad input: each a tl::Error naming the file, never a
// crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "loaders/image_decode.h"
#include "loaders/image_encode.h"
#include "tests/common/data_dir.h"
#include "tests/common/tolerance.h"
#include "tests/loaders/image_test_util.h"

namespace tl {
namespace {

using test::all_close;
using test::expect_error;
using test::image_fixture;
using test::Tolerance;

// A smooth pattern with an odd size (JPEG-friendly: little high-frequency content).
std::vector<uint8_t> smooth_pixels(int h, int w, int channels) {
  std::vector<uint8_t> out(static_cast<size_t>(h) * w * channels);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c)
        out[(static_cast<size_t>(y) * w + x) * channels + c] =
            static_cast<uint8_t>((x * 5 + y * 3 + c * 60) % 256);
  return out;
}

constexpr uint8_t kStartOfScan[] = {0xFF, 0xDA};

Image decode(const std::vector<uint8_t>& bytes, const DecodeOptions& options = {}) {
  return decode_image(bytes.data(), bytes.size(), "memory", options);
}

TEST(ImageDecode, PngOfEveryChannelLayoutBecomesRgb) {
  const int h = 13, w = 21;
  for (int channels : {1, 2, 3, 4}) {
    const std::vector<uint8_t> src = smooth_pixels(h, w, channels);
    const Image image = decode(encode_png(src.data(), h, w, channels));
    ASSERT_EQ(image.height, h);
    ASSERT_EQ(image.width, w);
    // Expected by the PIL convert("RGB") rules: grey replicated, alpha dropped.
    std::vector<uint8_t> expected(static_cast<size_t>(h) * w * 3);
    for (size_t p = 0; p < static_cast<size_t>(h) * w; ++p)
      for (int c = 0; c < 3; ++c) expected[3 * p + c] = src[p * channels + (channels <= 2 ? 0 : c)];
    EXPECT_TRUE(all_close(image.pixels, expected, Tolerance{0, 0})) << channels << " channels";
  }
}

TEST(ImageDecode, BmpIsLosslessAndJpegClose) {
  const int h = 31, w = 45;
  const Image src{h, w, smooth_pixels(h, w, 3)};
  EXPECT_TRUE(all_close(decode(encode_bmp(src)).pixels, src.pixels, Tolerance{0, 0}));
  // Quality 100 keeps full-resolution chroma in stb's encoder; on this smooth pattern the
  // round trip is off by a few levels (quantisation and colour conversion rounding), while a
  // broken decoder is off by tens.
  EXPECT_TRUE(all_close(decode(encode_jpeg(src, 100)).pixels, src.pixels, Tolerance{8, 0}));
}

TEST(ImageDecode, BytesAfterTheEndAreTolerated) {
  // Cameras and editors append data after JPEG's EOI / PNG's IEND; PIL ignores it, so do we.
  const Image src{9, 13, smooth_pixels(9, 13, 3)};
  for (std::vector<uint8_t> bytes : {encode_jpeg(src, 95), encode_png(src)}) {
    const Image clean = decode(bytes);
    bytes.insert(bytes.end(), {'t', 'r', 'a', 'i', 'l', 0xFF, 0x00, 0x42});
    EXPECT_EQ(decode(bytes).pixels, clean.pixels);
  }
}

TEST(ImageDecode, SniffsFormatsFromMagicBytes) {
  const auto sniff = [](const std::string& s) {
    return sniff_image_format(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  EXPECT_EQ(sniff("\xFF\xD8\xFF\xE0"), ImageFormat::jpeg);
  EXPECT_EQ(sniff("\x89PNG\r\n\x1A\n"), ImageFormat::png);
  EXPECT_EQ(sniff("BM...."), ImageFormat::bmp);
  EXPECT_EQ(sniff("GIF89a"), ImageFormat::gif);
  EXPECT_EQ(sniff(std::string("II*\0", 4)), ImageFormat::tiff);
  EXPECT_EQ(sniff(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), ImageFormat::webp);
  EXPECT_EQ(sniff("hello"), ImageFormat::unknown);
  EXPECT_EQ(sniff(""), ImageFormat::unknown);
}

class BadImageFiles : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::scratch_dir("bad"); }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::string path = (dir_ / name).string();
    write_file_bytes(path, bytes);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(BadImageFiles, EachIsAClearErrorNamingTheFile) {
  const std::string empty = write("empty.jpg", {});
  expect_error([&] { read_image(empty); }, {empty, "empty (0 bytes)"});
  const std::string text = write("notes.png", {'h', 'e', 'l', 'l', 'o', '\n'});
  expect_error([&] { read_image(text); }, {text, "not an image"});
  for (const char* file : {"unsupported.gif", "unsupported.tif"}) {
    const std::string path = image_fixture(file);
    expect_error([&] { read_image(path); }, {path, "is not supported", "JPEG, PNG and BMP"});
  }
  const std::string missing = (dir_ / "missing.png").string();
  expect_error([&] { read_image(missing); }, {missing, "no such file"});
  expect_error([&] { read_image(dir_.string()); }, {dir_.string(), "is a directory"});
}

TEST_F(BadImageFiles, TruncationAtAnyPointIsAnError) {
  const Image src{23, 37, smooth_pixels(23, 37, 3)};
  const std::pair<const char*, std::vector<uint8_t>> files[] = {
      {"JPEG", encode_jpeg(src, 90)}, {"PNG", encode_png(src)}, {"BMP", encode_bmp(src)}};
  for (const auto& [format, bytes] : files) {
    ASSERT_NO_THROW(decode(bytes)) << format;
    for (size_t cut = 1; cut < bytes.size(); cut += 1 + bytes.size() / 97) {
      const std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
      EXPECT_THROW(decode(truncated), Error) << format << " cut at " << cut << " of " << bytes.size();
    }
  }
  // The message says what happened.
  const std::vector<uint8_t> jpeg = encode_jpeg(src, 90);
  const std::string path =
      write("half.jpg", {jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(jpeg.size() / 2)});
  expect_error([&] { read_image(path); }, {path, "truncated JPEG"});
}

TEST_F(BadImageFiles, RandomlyCorruptedFilesNeverCrash) {
  // Bytes overwritten at random positions (headers, tables, entropy-coded data): each decode
  // either succeeds (the damage hit pixel data only) or is a tl::Error; nothing else escapes.
  const Image src{29, 41, smooth_pixels(29, 41, 3)};
  std::mt19937 gen(11);
  for (const std::vector<uint8_t>& original :
       {encode_jpeg(src, 85), encode_png(src), encode_bmp(src),
        read_file_bytes(image_fixture("progressive_83x67.jpg"), "fixture")}) {
    for (int trial = 0; trial < 300; ++trial) {
      std::vector<uint8_t> bytes = original;
      const int hits = 1 + static_cast<int>(gen() % 4);
      for (int k = 0; k < hits; ++k) bytes[gen() % bytes.size()] = static_cast<uint8_t>(gen());
      try {
        const Image image = decode(bytes);
        EXPECT_EQ(image.pixels.size(), static_cast<size_t>(image.height) * image.width * 3);
      } catch (const Error&) {
      }
    }
  }
}

TEST_F(BadImageFiles, CorruptDataIsAnError) {
  const Image src{23, 37, smooth_pixels(23, 37, 3)};
  std::vector<uint8_t> png = encode_png(src);
  png[24] = 7;  // IHDR bit depth 7: no such PNG
  const std::string path = write("bad_depth.png", png);
  expect_error([&] { read_image(path); }, {path, "PNG"});
}

// stb_image 2.28 decodes a scan with whatever its (uninitialised) table slots hold when the
// scan names a Huffman table no DHT segment defined: tl rejects such files first
// (loaders/jpeg_structure.h). stb_image_write defines DC and AC tables 0 and 1; pointing the
// first component at table 2 must be a clear error, in a sequential and a progressive file.
TEST_F(BadImageFiles, ScanNamingAnUndefinedHuffmanTableIsAnError) {
  const Image src{23, 37, smooth_pixels(23, 37, 3)};
  std::vector<uint8_t> jpeg = encode_jpeg(src, 90);
  ASSERT_NO_THROW(decode(jpeg));
  const auto sos = std::search(jpeg.begin(), jpeg.end(), std::begin(kStartOfScan), std::end(kStartOfScan));
  ASSERT_NE(sos, jpeg.end());
  sos[6] = 0x22;  // FF DA, length (2), Ns, component id, DC/AC table ids <- DC 2, AC 2
  const std::string path = write("undefined_table.jpg", jpeg);
  expect_error([&] { read_image(path); }, {path, "corrupt JPEG", "Huffman table that was never defined"});

  // The fuzz finding: a progressive file whose third scan decodes AC coefficients with AC
  // table 1, never defined (its DC scans use DC tables 0 and 1, which are).
  const std::string finding = test::data_path("fuzz_regressions/image/progressive_undefined_ac_table.jpg");
  expect_error([&] { read_image(finding); }, {finding, "Huffman table that was never defined"});
}

TEST(ImageDecode, PixelLimitIsCheckedBeforeDecoding) {
  const std::string path = image_fixture("rgb_97x61.png");
  expect_error([&] { read_image(path, DecodeOptions{97 * 61 - 1}); },
               {path, "97x61", "exceeds the limit of 5916"});
  EXPECT_EQ(read_image(path, DecodeOptions{97 * 61}).width, 97);
}

}  // namespace
}  // namespace tl
