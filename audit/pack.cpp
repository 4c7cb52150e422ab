#include "audit/pack.h"

#include <openssl/evp.h>
#include <sqlite3.h>
#include <zlib.h>

#include <vector>

#include "reviewer/core/error.h"

namespace reviewer::audit {

namespace {

std::string base64(const unsigned char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  return out;
}

std::optional<std::vector<unsigned char>> unbase64(std::string_view s) {
  if (s.size() % 4 != 0) return std::nullopt;
  std::vector<unsigned char> out(3 * s.size() / 4);
  int len = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (len < 0) return std::nullopt;
  std::size_t pad = 0;
  if (!s.empty() && s.back() == '=') ++pad;
  if (s.size() > 1 && s[s.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(len) - pad);  // EVP_DecodeBlock counts padding as zero bytes
  return out;
}

}  // namespace

std::string pack_text(std::string_view text) {
  if (text.empty()) return {};
  uLongf bound = compressBound(static_cast<uLong>(text.size()));
  std::vector<unsigned char> z(bound);
  if (compress2(z.data(), &bound, reinterpret_cast<const Bytef*>(text.data()), static_cast<uLong>(text.size()),
                Z_BEST_SPEED) != Z_OK) {
    throw Error(Error::Code::internal, "zlib could not compress an audit text");
  }
  return base64(z.data(), bound);
}

std::optional<std::string> unpack_text(std::string_view packed) {
  if (packed.empty()) return std::string();
  auto z = unbase64(packed);
  if (!z) return std::nullopt;
  z_stream s{};
  if (inflateInit(&s) != Z_OK) return std::nullopt;
  s.next_in = z->data();
  s.avail_in = static_cast<uInt>(z->size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof buf;
    rc = inflate(&s, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - s.avail_out);
    if (out.size() > kMaxUnpacked) rc = Z_MEM_ERROR;
  }
  inflateEnd(&s);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

namespace {

void unpack_sql(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  auto text = unpack_text(std::string_view(p ? p : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  if (!text) return sqlite3_result_null(ctx);
  sqlite3_result_text(ctx, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
}

}  // namespace

void register_unpack_function(sqlite3* db) {
  sqlite3_create_function(db, "unpack", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                          unpack_sql, nullptr, nullptr);
}

}  // namespace reviewer::audit
