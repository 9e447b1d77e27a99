// A SQLite VFS over the default one that behaves like a full disk on
// demand: while full, a write that would grow a file fails with SQLITE_FULL
// (as ENOSPC does), writes inside a file's present size still succeed.
// Registered as the default VFS, so a Cache opened meanwhile uses it.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace mdtc::cache::test {

class FullDiskVfs {
 public:
  FullDiskVfs() {
    base_ = sqlite3_vfs_find(nullptr);
    vfs_ = *base_;
    vfs_.zName = "full-disk-test";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
    vfs_.pAppData = this;
    vfs_.xOpen = &FullDiskVfs::open;
    sqlite3_vfs_register(&vfs_, 1);
  }
  ~FullDiskVfs() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(base_, 1);
  }
  FullDiskVfs(const FullDiskVfs&) = delete;
  FullDiskVfs& operator=(const FullDiskVfs&) = delete;

  void set_full(bool full) { full_ = full; }
  int refused_writes() const { return refused_; }

 private:
  struct File {
    sqlite3_file base;  // must come first: SQLite sees this
    sqlite3_io_methods methods;
    FullDiskVfs* owner;
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };

  static int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* opened, int flags, int* out_flags) {
    auto* self = static_cast<FullDiskVfs*>(vfs->pAppData);
    auto* f = reinterpret_cast<File*>(opened);
    std::memset(f, 0, sizeof(File));
    const int rc = self->base_->xOpen(self->base_, name, f->real(), flags, out_flags);
    if (rc != SQLITE_OK || !f->real()->pMethods) return rc;
    f->owner = self;
    f->methods = *f->real()->pMethods;
    // Every call goes to the real file; only writes are looked at.
#define MDTC_FORWARD(name, sig, args)                                                     \
  f->methods.name = [] sig { auto* me = reinterpret_cast<File*>(file); return me->real()->pMethods->name args; };
    MDTC_FORWARD(xClose, (sqlite3_file * file), (me->real()))
    MDTC_FORWARD(xRead, (sqlite3_file * file, void* p, int n, sqlite3_int64 o), (me->real(), p, n, o))
    MDTC_FORWARD(xTruncate, (sqlite3_file * file, sqlite3_int64 s), (me->real(), s))
    MDTC_FORWARD(xSync, (sqlite3_file * file, int fl), (me->real(), fl))
    MDTC_FORWARD(xFileSize, (sqlite3_file * file, sqlite3_int64 * s), (me->real(), s))
    MDTC_FORWARD(xLock, (sqlite3_file * file, int l), (me->real(), l))
    MDTC_FORWARD(xUnlock, (sqlite3_file * file, int l), (me->real(), l))
    MDTC_FORWARD(xCheckReservedLock, (sqlite3_file * file, int* r), (me->real(), r))
    MDTC_FORWARD(xFileControl, (sqlite3_file * file, int op, void* a), (me->real(), op, a))
    MDTC_FORWARD(xSectorSize, (sqlite3_file * file), (me->real()))
    MDTC_FORWARD(xDeviceCharacteristics, (sqlite3_file * file), (me->real()))
    MDTC_FORWARD(xShmMap, (sqlite3_file * file, int i, int sz, int ext, void volatile** pp), (me->real(), i, sz, ext, pp))
    MDTC_FORWARD(xShmLock, (sqlite3_file * file, int off, int n, int fl), (me->real(), off, n, fl))
    MDTC_FORWARD(xShmUnmap, (sqlite3_file * file, int del), (me->real(), del))
    MDTC_FORWARD(xFetch, (sqlite3_file * file, sqlite3_int64 o, int n, void** pp), (me->real(), o, n, pp))
    MDTC_FORWARD(xUnfetch, (sqlite3_file * file, sqlite3_int64 o, void* p), (me->real(), o, p))
#undef MDTC_FORWARD
    f->methods.xShmBarrier = [](sqlite3_file* file) {
      auto* me = reinterpret_cast<File*>(file);
      me->real()->pMethods->xShmBarrier(me->real());
    };
    f->methods.xWrite = [](sqlite3_file* file, const void* p, int n, sqlite3_int64 o) {
      auto* me = reinterpret_cast<File*>(file);
      if (me->owner->full_) {
        sqlite3_int64 size = 0;
        me->real()->pMethods->xFileSize(me->real(), &size);
        if (o + n > size) {
          ++me->owner->refused_;
          return SQLITE_FULL;
        }
      }
      return me->real()->pMethods->xWrite(me->real(), p, n, o);
    };
    f->base.pMethods = &f->methods;
    return rc;
  }

  sqlite3_vfs* base_ = nullptr;
  sqlite3_vfs vfs_{};
  std::atomic<bool> full_{false};
  std::atomic<int> refused_{0};
};

}  // namespace mdtc::cache::test
