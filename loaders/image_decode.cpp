#include "loaders/image_decode.h"

#include <cstring>
#include <fstream>
#include <memory>

#include "kernels/common/error.h"
#include "loaders/file_checks.h"
#include "loaders/jpeg_structure.h"

// The one translation unit that compiles stb_image, with only the formats tl reads.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO  // tl reads the bytes itself, so that errors can name the file
#if __has_include(<stb/stb_image.h>)
#include <stb/stb_image.h>
#else
#include <stb_image.h>
#endif

namespace tl {
namespace {

bool starts_with(const uint8_t* data, size_t size, const char* magic, size_t n) {
  return size >= n && std::memcmp(data, magic, n) == 0;
}

// A PNG ends with the empty IEND chunk: length 0, type 'IEND', CRC AE 42 60 82 (trailing
// bytes after it are tolerated, as PIL does).
bool png_has_end_chunk(const uint8_t* d, size_t n) {
  static const uint8_t kIend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  if (n < 12) return false;
  for (size_t at = n - 12;; --at) {  // from the end: IEND is normally the last 12 bytes
    if (std::memcmp(d + at, kIend, 12) == 0) return true;
    if (at == 0) return false;
  }
}

// An uncompressed BMP holds its pixel array at bfOffBits; the rows are padded to 4 bytes.
// Compressed (RLE) or bitfield BMPs are left to stb's own checks.
bool bmp_has_all_rows(const uint8_t* d, size_t n, int width, int height) {
  if (n < 34) return false;
  auto u32 = [&](size_t at) {
    return uint32_t{d[at]} | uint32_t{d[at + 1]} << 8 | uint32_t{d[at + 2]} << 16 | uint32_t{d[at + 3]} << 24;
  };
  const uint32_t offset = u32(10), header_size = u32(14);
  if (header_size < 40) return true;  // old OS/2 header: trust stb
  const uint32_t bits = d[28] | uint32_t{d[29]} << 8, compression = u32(30);
  if (compression != 0) return true;
  const uint64_t row_bytes = (static_cast<uint64_t>(width) * bits + 31) / 32 * 4;
  return offset + row_bytes * static_cast<uint64_t>(height) <= n;
}

}  // namespace

const char* image_format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::jpeg:
      return "JPEG";
    case ImageFormat::png:
      return "PNG";
    case ImageFormat::bmp:
      return "BMP";
    case ImageFormat::gif:
      return "GIF";
    case ImageFormat::tiff:
      return "TIFF";
    case ImageFormat::webp:
      return "WebP";
    case ImageFormat::unknown:
      return "unknown";
  }
  return "unknown";
}

ImageFormat sniff_image_format(const uint8_t* data, size_t size) {
  if (starts_with(data, size, "\xFF\xD8\xFF", 3)) return ImageFormat::jpeg;
  if (starts_with(data, size, "\x89PNG\r\n\x1A\n", 8)) return ImageFormat::png;
  if (starts_with(data, size, "BM", 2)) return ImageFormat::bmp;
  if (starts_with(data, size, "GIF8", 4)) return ImageFormat::gif;
  if (starts_with(data, size, "II*\0", 4) || starts_with(data, size, "MM\0*", 4)) return ImageFormat::tiff;
  if (size >= 12 && starts_with(data, size, "RIFF", 4) && std::memcmp(data + 8, "WEBP", 4) == 0)
    return ImageFormat::webp;
  return ImageFormat::unknown;
}

Image decode_image(const uint8_t* data, size_t size, const std::string& name, const DecodeOptions& options) {
  TL_CHECK(size > 0, "image '" << name << "': the file is empty (0 bytes)");
  TL_CHECK(size <= static_cast<size_t>(INT32_MAX),
           "image '" << name << "': " << size << " bytes, more than 2 GiB");
  const ImageFormat format = sniff_image_format(data, size);
  TL_CHECK(format != ImageFormat::unknown,
           "image '" << name << "': not an image tl can read (expected JPEG, PNG or BMP)");
  TL_CHECK(format == ImageFormat::jpeg || format == ImageFormat::png || format == ImageFormat::bmp,
           "image '" << name << "': " << image_format_name(format)
                     << " is not supported (tl reads JPEG, PNG and BMP); convert it first");

  // JPEG structure first: stbi_info already parses the Huffman tables before the frame header.
  if (format == ImageFormat::jpeg) {
    const JpegStructure jpeg = check_jpeg_structure(data, size);
    TL_CHECK(jpeg.problem.empty(), "image '" << name << "': corrupt JPEG (" << jpeg.problem << ")");
    TL_CHECK(jpeg.complete, "image '" << name << "': truncated JPEG (no end-of-image marker)");
  }
  const int len = static_cast<int>(size);
  int width = 0, height = 0, channels = 0;
  TL_CHECK(stbi_info_from_memory(data, len, &width, &height, &channels),
           "image '" << name << "': corrupt " << image_format_name(format) << " header ("
                     << stbi_failure_reason() << ")");
  TL_CHECK(width > 0 && height > 0,
           "image '" << name << "': has no pixels (" << width << "x" << height << ")");
  const int64_t pixels = int64_t{width} * height;
  TL_CHECK(pixels <= options.max_pixels, "image '" << name << "': " << width << "x" << height << " = "
                                                   << pixels << " pixels exceeds the limit of "
                                                   << options.max_pixels);
  if (format == ImageFormat::png)
    TL_CHECK(png_has_end_chunk(data, size),
             "image '" << name << "': truncated PNG (no IEND chunk at the end)");
  if (format == ImageFormat::bmp)
    TL_CHECK(bmp_has_all_rows(data, size, width, height),
             "image '" << name << "': truncated BMP (pixel rows missing)");

  std::unique_ptr<uint8_t, void (*)(void*)> decoded(
      stbi_load_from_memory(data, len, &width, &height, &channels, 3), stbi_image_free);
  TL_CHECK(decoded != nullptr, "image '" << name << "': cannot decode " << image_format_name(format) << " ("
                                         << stbi_failure_reason() << ")");
  Image image{height, width, {}};
  image.pixels.assign(decoded.get(), decoded.get() + static_cast<size_t>(pixels) * 3);
  return image;
}

std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& what) {
  require_readable_file(path, what);
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes(file_size_bytes(path));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  TL_CHECK(in.gcount() == static_cast<std::streamsize>(bytes.size()),
           what << " '" << path << "': read failed");
  return bytes;
}

Image read_image(const std::string& path, const DecodeOptions& options) {
  const std::vector<uint8_t> bytes = read_file_bytes(path, "image");
  return decode_image(bytes.data(), bytes.size(), path, options);
}

}  // namespace tl
