#include "storage/wal_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <new>
#include <string>

#include "storage/sqlite.h"

namespace reviewer::storage {

namespace {

constexpr const char* kName = "reviewer-audit-wal";
constexpr int kFrameHeader = 24;                // bytes, before each page of a WAL frame
constexpr std::size_t kMaxHeld = 1024 * 1024;  // bytes held before writing anyway
// The unix VFS writes at most 128 KB per call (it masks larger amounts).
constexpr std::size_t kMaxWrite = 64 * 1024;

sqlite3_vfs* real_vfs = nullptr;  // the default VFS this one wraps; set once

// Frames held back for one WAL file: contiguous bytes from `offset`.
struct Held {
  std::string bytes;
  sqlite3_int64 offset = 0;
  bool want_page = false;  // the last thing held is a frame header
  bool commit = false;     // ... of a commit frame
};

// Our file object: SQLite allocates szOsFile bytes, the real file follows.
struct File {
  sqlite3_file base;   // first: SQLite sees this
  sqlite3_file* real;  // the default VFS's file, in the same allocation
  Held* held;          // WAL files only; null for every other file
};

File* file_of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
sqlite3_file* real_of(sqlite3_file* f) { return file_of(f)->real; }

int write_held(File* f) {
  Held* h = f->held;
  if (!h || h->bytes.empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  for (std::size_t at = 0; at < h->bytes.size() && rc == SQLITE_OK; at += kMaxWrite) {
    std::size_t n = std::min(kMaxWrite, h->bytes.size() - at);
    rc = f->real->pMethods->xWrite(f->real, h->bytes.data() + at, static_cast<int>(n),
                                   h->offset + static_cast<sqlite3_int64>(at));
  }
  h->bytes.clear();
  h->want_page = false;
  h->commit = false;
  return rc;
}

int x_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  File* f = file_of(file);
  Held* h = f->held;
  if (!h) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  const auto* bytes = static_cast<const char*>(data);
  const sqlite3_int64 end = h->offset + static_cast<sqlite3_int64>(h->bytes.size());
  if (h->want_page && offset == end) {
    // The page of the frame whose header is held.
    h->bytes.append(bytes, static_cast<std::size_t>(amount));
    h->want_page = false;
    if (h->commit || h->bytes.size() >= kMaxHeld) return write_held(f);
    return SQLITE_OK;
  }
  const bool header = amount == kFrameHeader;
  const bool extends = header && !h->want_page && !h->bytes.empty() && offset == end;
  if (!extends) {
    if (int rc = write_held(f); rc != SQLITE_OK) return rc;
  }
  if (!header) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  if (h->bytes.empty()) h->offset = offset;
  h->bytes.append(bytes, kFrameHeader);
  h->want_page = true;
  // Bytes 4-7 of a frame header: the database size after a commit; zero
  // in every frame but a transaction's last.
  h->commit = bytes[4] != 0 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0;
  return SQLITE_OK;
}

// Every other call on a WAL file first writes what is held.
#define WRITE_HELD_FIRST(file)                                   \
  do {                                                           \
    if (int rc_ = write_held(file_of(file)); rc_ != SQLITE_OK) { \
      return rc_;                                                \
    }                                                            \
  } while (0)

int x_close(sqlite3_file* file) {
  File* f = file_of(file);
  int rc = write_held(f);
  int closed = f->real->pMethods->xClose(f->real);
  delete f->held;
  f->held = nullptr;
  return rc != SQLITE_OK ? rc : closed;
}

int x_read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xRead(real_of(file), data, amount, offset);
}

int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xTruncate(real_of(file), size);
}

int x_sync(sqlite3_file* file, int flags) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xSync(real_of(file), flags);
}

int x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xFileSize(real_of(file), size);
}

int x_lock(sqlite3_file* file, int level) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xLock(real_of(file), level);
}

int x_unlock(sqlite3_file* file, int level) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xUnlock(real_of(file), level);
}

int x_check_reserved_lock(sqlite3_file* file, int* out) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xCheckReservedLock(real_of(file), out);
}

int x_file_control(sqlite3_file* file, int op, void* arg) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xFileControl(real_of(file), op, arg);
}

int x_sector_size(sqlite3_file* file) { return real_of(file)->pMethods->xSectorSize(real_of(file)); }

int x_device_characteristics(sqlite3_file* file) {
  return real_of(file)->pMethods->xDeviceCharacteristics(real_of(file));
}

int x_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xShmMap(real_of(file), region, size, extend, out);
}

int x_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xShmLock(real_of(file), offset, n, flags);
}

void x_shm_barrier(sqlite3_file* file) {
  // Never holds anything here: the shm calls go to the database file, and
  // only WAL files hold frames.
  real_of(file)->pMethods->xShmBarrier(real_of(file));
}

int x_shm_unmap(sqlite3_file* file, int delete_flag) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xShmUnmap(real_of(file), delete_flag);
}

int x_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xFetch(real_of(file), offset, amount, out);
}

int x_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  WRITE_HELD_FIRST(file);
  return real_of(file)->pMethods->xUnfetch(real_of(file), offset, page);
}

#undef WRITE_HELD_FIRST

// One table per io_methods version, so a real file without shared memory
// (version 1) or memory mapping (version 2) is not offered them.
constexpr sqlite3_io_methods methods(int version) {
  return sqlite3_io_methods{version,
                            x_close,
                            x_read,
                            x_write,
                            x_truncate,
                            x_sync,
                            x_file_size,
                            x_lock,
                            x_unlock,
                            x_check_reserved_lock,
                            x_file_control,
                            x_sector_size,
                            x_device_characteristics,
                            version >= 2 ? x_shm_map : nullptr,
                            version >= 2 ? x_shm_lock : nullptr,
                            version >= 2 ? x_shm_barrier : nullptr,
                            version >= 2 ? x_shm_unmap : nullptr,
                            version >= 3 ? x_fetch : nullptr,
                            version >= 3 ? x_unfetch : nullptr};
}
constexpr sqlite3_io_methods kMethods[] = {methods(1), methods(2), methods(3)};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  File* f = file_of(file);
  f->base.pMethods = nullptr;  // SQLite's sign of a failed open
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->held = nullptr;
  int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK || !f->real->pMethods) return rc;
  if (flags & SQLITE_OPEN_WAL) {
    f->held = new (std::nothrow) Held;  // without it, writes pass straight through
  }
  int version = f->real->pMethods->iVersion;
  f->base.pMethods = &kMethods[version >= 3 ? 2 : version >= 2 ? 1 : 0];
  return SQLITE_OK;
}

sqlite3_vfs make_vfs() {
  sqlite3_vfs v = *real_vfs;  // every other method is the real VFS's own
  v.pNext = nullptr;
  v.zName = kName;
  v.szOsFile = static_cast<int>(sizeof(File)) + real_vfs->szOsFile;
  v.xOpen = x_open;
  return v;
}

}  // namespace

const char* combining_wal_vfs() {
  static const char* name = []() -> const char* {
    configure_sqlite();  // before sqlite3_vfs_find initializes SQLite
    real_vfs = sqlite3_vfs_find(nullptr);
    if (!real_vfs) return nullptr;
    static sqlite3_vfs vfs = make_vfs();
    return sqlite3_vfs_register(&vfs, 0) == SQLITE_OK ? kName : nullptr;
  }();
  return name;
}

}  // namespace reviewer::storage
