#include "loaders/jpeg_structure.h"

namespace tl {
namespace {

// Which Huffman tables DHT segments have defined so far: bit `id` of dc / ac.
struct DefinedTables {
  unsigned dc = 0, ac = 0;
};

// A DHT (define Huffman table) segment's payload [begin, end): tables of one class/id byte,
// 16 code counts and that many symbols. False when a table is cut off, names a class or id
// outside the baseline range (class 0/1, id 0-3), or has more than 256 codes.
bool read_huffman_tables(const uint8_t* d, size_t begin, size_t end, DefinedTables& defined) {
  size_t i = begin;
  while (i < end) {
    if (i + 17 > end) return false;
    const unsigned table_class = d[i] >> 4, id = d[i] & 15;
    if (table_class > 1 || id > 3) return false;
    size_t codes = 0;
    for (size_t k = 1; k <= 16; ++k) codes += d[i + k];
    if (codes > 256) return false;
    (table_class == 0 ? defined.dc : defined.ac) |= 1u << id;
    i += 17 + codes;
  }
  return i == end;
}

// A SOS (start of scan) header's payload [begin, end): Ns, Ns x (component id, DC/AC table
// ids), Ss, Se, Ah/Al. True when every Huffman table the scan decodes with is defined: in a
// sequential frame each component's DC and AC tables; in a progressive one the DC tables of
// a first DC scan (Ss = 0, Ah = 0; DC refinement reads raw bits) and the AC tables of an AC
// scan (Ss > 0). A malformed header is left to stb, which rejects it.
bool scan_tables_defined(const uint8_t* d, size_t begin, size_t end, bool progressive, const DefinedTables& defined) {
  if (begin >= end) return true;
  const size_t components = d[begin];
  if (begin + 1 + 2 * components + 3 > end) return true;
  const size_t params = begin + 1 + 2 * components;
  const unsigned spectral_start = d[params], approximation_high = d[params + 2] >> 4;
  const bool needs_dc = !progressive || (spectral_start == 0 && approximation_high == 0);
  const bool needs_ac = !progressive || spectral_start > 0;
  for (size_t c = 0; c < components; ++c) {
    const unsigned tables = d[begin + 2 + 2 * c], dc = tables >> 4, ac = tables & 15;
    if (needs_dc && (dc > 3 || !(defined.dc >> dc & 1))) return false;
    if (needs_ac && (ac > 3 || !(defined.ac >> ac & 1))) return false;
  }
  return true;
}

}  // namespace

JpegStructure check_jpeg_structure(const uint8_t* d, size_t n) {
  JpegStructure result;
  DefinedTables defined;
  bool progressive = false;
  size_t i = 2;  // after SOI (FF D8)
  while (i + 1 < n) {
    if (d[i] != 0xFF) {  // stray bytes between segments: skipped, as libjpeg does (with a warning)
      ++i;
      continue;
    }
    const uint8_t marker = d[i + 1];
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    i += 2;
    if (marker == 0xD9) {  // EOI
      result.complete = true;
      return result;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length field
    if (i + 1 >= n) return result;
    const size_t length = (static_cast<size_t>(d[i]) << 8) | d[i + 1];
    if (i + length > n) return result;  // the segment is cut off: truncated
    if (marker == 0xC2) progressive = true;
    if (marker == 0xC4 && (length < 2 || !read_huffman_tables(d, i + 2, i + length, defined))) {
      result.problem = "a Huffman table is malformed";
      return result;
    }
    if (marker == 0xDA && (length < 2 || !scan_tables_defined(d, i + 2, i + length, progressive, defined))) {
      result.problem = "a scan uses a Huffman table that was never defined";
      return result;
    }
    i += length;
    if (marker == 0xDA) {  // start of scan: skip the entropy-coded data up to the next marker
      // (in scan data 0xFF is always followed by 0x00 or a restart marker)
      while (i + 1 < n && !(d[i] == 0xFF && d[i + 1] != 0x00 && !(d[i + 1] >= 0xD0 && d[i + 1] <= 0xD7))) ++i;
    }
  }
  return result;
}

}  // namespace tl
