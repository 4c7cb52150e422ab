// An SQLite VFS for the audit store's writer connection: the default (unix)
// VFS, except that the frames of a WAL commit reach the OS in one write.
//
// SQLite writes each WAL frame with two system calls (its 24-byte header,
// then the page), so recording one review (about 14 pages) cost 28 pwrite
// calls, which on this project's VM were the largest single cost of a
// commit (bench/README.md, `## audit`). This VFS holds frames back only in
// the exact shape SQLite writes them -- a frame header followed at once by
// its page, at the next offset -- and writes what it holds:
//   - together with the page of a commit frame (nonzero "database size
//     after commit" in its header), inside that xWrite call, so the commit
//     is in the file before SQLite publishes it in the WAL index and an
//     error (disk full) fails the commit as before;
//   - before any other write, read, sync, truncate, size query, lock, file
//     control or close of the WAL file, so the file sees the same writes in
//     the same order;
//   - when 1 MB is held (a transaction larger than that), in writes of up
//     to 64 KB (the unix VFS's limit is 128 KB).
// Anything else passes straight through, so a future SQLite writing frames
// differently is merely not sped up. Held frames belong to a transaction
// not yet committed: losing them in a crash is what losing an uncommitted
// transaction always was.
#pragma once

namespace reviewer::storage {

// The VFS's name for sqlite3_open_v2; registered (not as the default) on
// first use. Other connections to the same file may use any VFS.
const char* combining_wal_vfs();

}  // namespace reviewer::storage
