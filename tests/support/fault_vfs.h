// A SQLite VFS over the default one for fault injection and for seeing what
// waits for the disk. Registered as the default VFS for its lifetime, so
// every database opened meanwhile uses it. Knobs:
//  - set_full(true): a write that would grow a file fails with SQLITE_FULL
//    (as ENOSPC does); writes inside a file's present size still succeed;
//  - fail_write(n): the n-th write from now (1 = the next) fails with
//    SQLITE_IOERR_WRITE, once;
//  - syncs(): how many xSync calls (fsync, fdatasync) reached the disk.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace mdtc::test {

class FaultVfs {
 public:
  FaultVfs() {
    base_ = sqlite3_vfs_find(nullptr);
    vfs_ = *base_;
    vfs_.zName = "fault-test";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
    vfs_.pAppData = this;
    vfs_.xOpen = &FaultVfs::open;
    sqlite3_vfs_register(&vfs_, 1);
  }
  ~FaultVfs() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(base_, 1);
  }
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;

  void set_full(bool full) { full_ = full; }
  void fail_write(int nth) { fail_in_ = nth; }
  int refused_writes() const { return refused_; }
  int syncs() const { return syncs_; }

 private:
  struct File {
    sqlite3_file base;  // must come first: SQLite sees this
    sqlite3_io_methods methods;
    FaultVfs* owner;
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };

  // Whether this write is refused, and with what.
  int verdict(sqlite3_file* real, int n, sqlite3_int64 offset) {
    if (fail_in_ > 0 && --fail_in_ == 0) {
      ++refused_;
      return SQLITE_IOERR_WRITE;
    }
    if (full_) {
      sqlite3_int64 size = 0;
      real->pMethods->xFileSize(real, &size);
      if (offset + n > size) {
        ++refused_;
        return SQLITE_FULL;
      }
    }
    return SQLITE_OK;
  }

  static int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* opened, int flags, int* out_flags) {
    auto* self = static_cast<FaultVfs*>(vfs->pAppData);
    auto* f = reinterpret_cast<File*>(opened);
    std::memset(f, 0, sizeof(File));
    const int rc = self->base_->xOpen(self->base_, name, f->real(), flags, out_flags);
    if (rc != SQLITE_OK || !f->real()->pMethods) return rc;
    f->owner = self;
    f->methods = *f->real()->pMethods;
    // Every call goes to the real file; writes and syncs are looked at.
#define MDTC_FORWARD(name, sig, args)                                                     \
  f->methods.name = [] sig { auto* me = reinterpret_cast<File*>(file); return me->real()->pMethods->name args; };
    MDTC_FORWARD(xClose, (sqlite3_file * file), (me->real()))
    MDTC_FORWARD(xRead, (sqlite3_file * file, void* p, int n, sqlite3_int64 o), (me->real(), p, n, o))
    MDTC_FORWARD(xTruncate, (sqlite3_file * file, sqlite3_int64 s), (me->real(), s))
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
    f->methods.xSync = [](sqlite3_file* file, int fl) {
      auto* me = reinterpret_cast<File*>(file);
      ++me->owner->syncs_;
      return me->real()->pMethods->xSync(me->real(), fl);
    };
    f->methods.xWrite = [](sqlite3_file* file, const void* p, int n, sqlite3_int64 o) {
      auto* me = reinterpret_cast<File*>(file);
      if (const int refused = me->owner->verdict(me->real(), n, o); refused != SQLITE_OK) return refused;
      return me->real()->pMethods->xWrite(me->real(), p, n, o);
    };
    f->base.pMethods = &f->methods;
    return rc;
  }

  sqlite3_vfs* base_ = nullptr;
  sqlite3_vfs vfs_{};
  std::atomic<bool> full_{false};
  std::atomic<int> fail_in_{0};
  std::atomic<int> refused_{0};
  std::atomic<int> syncs_{0};
};

}  // namespace mdtc::test
