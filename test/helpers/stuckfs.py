#!/usr/bin/python3
"""
A FUSE filesystem whose statfs blocks on demand, for the stuck-mount tests (a dead NFS server, as the agent sees it).

    stuckfs.py MOUNTPOINT CONTROL MAX_SECONDS

statfs blocks while the file CONTROL exists (the test creates it to stick the mount and removes it to unstick it),
and never for longer than MAX_SECONDS after the start, so a test that dies cannot leave a mount stuck for good. The
daemon also exits, unmounting, when its parent goes away. Everything else is an empty read-only directory.
Runs in the foreground; python3-fusepy (Debian) on libfuse2; root mounts without fusermount.
"""
import errno
import os
import stat
import sys
import threading
import time

sys.path.insert(0, '/usr/lib/python3/dist-packages')
from fusepy import FUSE, FuseOSError, Operations  # noqa: E402


class StuckFs(Operations):
    def __init__(self, control, deadline):
        self.control = control
        self.deadline = deadline

    def getattr(self, path, fh=None):
        if path != '/':
            raise FuseOSError(errno.ENOENT)
        now = time.time()
        return {'st_mode': stat.S_IFDIR | 0o755, 'st_nlink': 2, 'st_uid': 0, 'st_gid': 0, 'st_size': 0,
                'st_atime': now, 'st_mtime': now, 'st_ctime': now}

    def readdir(self, path, fh):
        return ['.', '..']

    def statfs(self, path):
        # The kernel holds the caller in statfs(2) until this returns: that is the stuck mount.
        while os.path.exists(self.control) and time.time() < self.deadline:
            time.sleep(0.02)
        return {'f_bsize': 4096, 'f_frsize': 4096, 'f_blocks': 1000, 'f_bfree': 600, 'f_bavail': 500,
                'f_files': 100, 'f_ffree': 60, 'f_favail': 60, 'f_namemax': 255}


def watch_parent(mountpoint, parent):
    # The test (or the namespace's init) died: unmount lazily and go, so that nothing is left mounted.
    while os.getppid() == parent:
        time.sleep(0.2)
    os.system(f"umount -l '{mountpoint}' 2>/dev/null")
    os._exit(0)


def main():
    mountpoint, control, max_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    threading.Thread(target=watch_parent, args=(mountpoint, os.getppid()), daemon=True).start()
    FUSE(StuckFs(control, time.time() + max_seconds), mountpoint, foreground=True, nothreads=False,
         ro=True, fsname='stuckfs', allow_other=True)


if __name__ == '__main__':
    main()
