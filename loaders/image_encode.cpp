#include "loaders/image_encode.h"


#include "kernels/common/error.h"
#include "loaders/atomic_write.h"

// The one translation unit that compiles stb_image_write.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#if __has_include(<stb/stb_image_write.h>)
#include <stb/stb_image_write.h>
#else
#include <stb_image_write.h>
#endif

namespace tl {
namespace {

void append(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* bytes = static_cast<const uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

void check_image(const Image& image, const char* format) {
  TL_CHECK(image.height > 0 && image.width > 0 &&
               image.pixels.size() == static_cast<size_t>(image.height) * image.width * 3,
           "encode " << format << ": image " << image.height << "x" << image.width << " holds "
                     << image.pixels.size() << " bytes, expected H * W * 3");
}

}  // namespace

std::vector<uint8_t> encode_png(const Image& image) {
  check_image(image, "PNG");
  return encode_png(image.pixels.data(), image.height, image.width, 3);
}

std::vector<uint8_t> encode_png(const uint8_t* pixels, int height, int width, int channels) {
  TL_CHECK(height > 0 && width > 0 && channels >= 1 && channels <= 4,
           "encode PNG: bad image " << height << "x" << width << "x" << channels);
  std::vector<uint8_t> out;
  TL_CHECK(stbi_write_png_to_func(append, &out, width, height, channels, pixels, width * channels),
           "encode PNG: stb_image_write failed");
  return out;
}

std::vector<uint8_t> encode_jpeg(const Image& image, int quality) {
  check_image(image, "JPEG");
  TL_CHECK(quality >= 1 && quality <= 100, "encode JPEG: quality must be 1..100, got " << quality);
  std::vector<uint8_t> out;
  TL_CHECK(stbi_write_jpg_to_func(append, &out, image.width, image.height, 3, image.pixels.data(), quality),
           "encode JPEG: stb_image_write failed");
  return out;
}

std::vector<uint8_t> encode_bmp(const Image& image) {
  check_image(image, "BMP");
  std::vector<uint8_t> out;
  TL_CHECK(stbi_write_bmp_to_func(append, &out, image.width, image.height, 3, image.pixels.data()),
           "encode BMP: stb_image_write failed");
  return out;
}

void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_bytes_atomically(path, {reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

}  // namespace tl
