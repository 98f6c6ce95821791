// The kernel's cost of each cgroup file the cgroups collector reads (or could read), per file kind, on a v1/hybrid
// host (bench/cgroups.js runs it after the collector's passes and the C floor): walk each hierarchy under
// /sys/fs/cgroup as the collector does (not into 64-hex container directories), keep every directory open, then for
// each file kind time PASSES rounds of openat + one read + close over every directory that has it, and the same file
// kept open and read again with pread(2). Also the walk (lseek + getdents64 of every directory the collector lists,
// which it skips where an inotify watch saw no change) and openat +
// close alone (no read: what opening costs). CPU from CLOCK_PROCESS_CPUTIME_ID; user and system apart from getrusage.
// Prints one line per file kind: directories, µs per read (open/read/close and pread), ms per pass over them.
// Usage: cgroups-files [PASSES]
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];
#define MAXD 8192
struct hier {
  const char *name;
  const char *files[24];
  int dirs[MAXD];
  /** Whether the collector lists the directory's children (not a container's). */
  char listed[MAXD];
  int ndirs;
};
// The collector's every-pass reads first, then its limits (every 30 s), then files it could read instead.
static struct hier hs[] = {
    {"memory",
     {"memory.stat", "memory.usage_in_bytes", "memory.memsw.usage_in_bytes", "memory.max_usage_in_bytes",
      "memory.failcnt", "memory.oom_control", "memory.limit_in_bytes", "memory.soft_limit_in_bytes",
      "memory.memsw.limit_in_bytes", "memory.numa_stat", 0}},
    {"cpuacct", {"cpuacct.usage", "cpuacct.usage_all", "cpuacct.usage_user", "cpuacct.usage_sys", "cpuacct.stat", 0}},
    {"cpu", {"cpu.stat", "cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.shares", 0}},
    {"blkio",
     {"blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_serviced_recursive",
      "blkio.throttle.io_service_bytes", "blkio.throttle.io_serviced", 0}},
    {"pids", {"pids.current", "pids.max", 0}},
    {"unified", {"cpu.pressure", "memory.pressure", "io.pressure", "cpu.stat", "cgroup.stat", 0}},
    {"systemd", {0}},
};
#define NH (sizeof hs / sizeof hs[0])

static int is_hex64(const char *n) {
  if (strlen(n) != 64) return 0;
  for (int i = 0; i < 64; i++) {
    char c = n[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
  }
  return 1;
}

static void collect(struct hier *h, const char *path, int descend) {
  int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || h->ndirs >= MAXD) return;
  h->listed[h->ndirs] = (char)descend;
  h->dirs[h->ndirs++] = dfd;
  if (!descend) return;
  DIR *d = fdopendir(dup(dfd));
  struct dirent *e;
  char sub[4096];
  while ((e = readdir(d))) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
    snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
    collect(h, sub, !is_hex64(e->d_name));
  }
  closedir(d);
}

struct cost {
  double cpu, user, sys;
};
static struct timespec t0;
static struct rusage r0;
static void start(void) {
  getrusage(RUSAGE_SELF, &r0);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
}
static struct cost stop(int per) {
  struct timespec t1;
  struct rusage r1;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  getrusage(RUSAGE_SELF, &r1);
  struct cost c;
  c.cpu = ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / per;
  c.user = ((r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1e3 + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e3) / per;
  c.sys = ((r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e3 + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e3) / per;
  return c;
}

int main(int argc, char **argv) {
  int passes = argc > 1 ? atoi(argv[1]) : 50;
  for (size_t i = 0; i < NH; i++) {
    char p[256];
    snprintf(p, sizeof p, "/sys/fs/cgroup/%s", hs[i].name);
    collect(&hs[i], p, 1);
  }
  static int kept[MAXD];
  printf("%-9s %-42s %5s %8s %8s %9s %9s\n", "hierarchy", "file", "dirs", "us/read", "us/pread", "ms/pass", "pread ms");
  double total_walk = 0;
  for (size_t i = 0; i < NH; i++) {
    struct hier *h = &hs[i];
    // The walk: lseek + getdents64 of every kept directory the collector lists (not the containers'), as it lists
    // child cgroups without inotify.
    int nl = 0;
    for (int k = 0; k < h->ndirs; k++) nl += h->listed[k];
    start();
    for (int r = 0; r < passes; r++)
      for (int k = 0; k < h->ndirs; k++) {
        if (!h->listed[k]) continue;
        lseek(h->dirs[k], 0, SEEK_SET);
        syscall(SYS_getdents64, h->dirs[k], buf, 65536);
      }
    struct cost w = stop(passes);
    total_walk += w.cpu;
    printf("%-9s %-42s %5d %8.2f %8s %9.3f %9s  (user %.3f, system %.3f)\n", h->name, "(walk: lseek+getdents64)", nl,
           nl ? w.cpu * 1e3 / nl : 0, "-", w.cpu, "-", w.user, w.sys);
    for (const char **f = h->files; *f; f++) {
      int n = 0;
      for (int k = 0; k < h->ndirs; k++) {
        int fd = openat(h->dirs[k], *f, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) kept[n++] = fd;
      }
      if (n == 0) continue;
      for (int r = 0; r < 3; r++)
        for (int k = 0; k < h->ndirs; k++) {
          int fd = openat(h->dirs[k], *f, O_RDONLY | O_CLOEXEC);
          if (fd >= 0) { read(fd, buf, sizeof buf); close(fd); }
        }
      start();
      for (int r = 0; r < passes; r++)
        for (int k = 0; k < h->ndirs; k++) {
          int fd = openat(h->dirs[k], *f, O_RDONLY | O_CLOEXEC);
          if (fd >= 0) {
            read(fd, buf, sizeof buf);
            close(fd);
          }
        }
      struct cost o = stop(passes);
      start();
      for (int r = 0; r < passes; r++)
        for (int k = 0; k < n; k++) pread(kept[k], buf, sizeof buf, 0);
      struct cost pr = stop(passes);
      for (int k = 0; k < n; k++) close(kept[k]);
      printf("%-9s %-42s %5d %8.2f %8.2f %9.3f %9.3f  (user %.3f, system %.3f)\n", h->name, *f, n, o.cpu * 1e3 / n,
             pr.cpu * 1e3 / n, o.cpu, pr.cpu, o.user, o.sys);
    }
  }
  // openat + close alone, of a file whose open does nothing special (memory.failcnt): the open's share of a read.
  struct hier *m = &hs[0];
  start();
  for (int r = 0; r < passes; r++)
    for (int k = 0; k < m->ndirs; k++) {
      int fd = openat(m->dirs[k], "memory.failcnt", O_RDONLY | O_CLOEXEC);
      if (fd >= 0) close(fd);
    }
  struct cost oc = stop(passes);
  printf("%-9s %-42s %5d %8.2f %8s %9.3f %9s\n", "memory", "(openat+close, no read: memory.failcnt)", m->ndirs,
         oc.cpu * 1e3 / m->ndirs, "-", oc.cpu, "-");
  printf("walk of every hierarchy: %.3f ms per pass\n", total_walk);
  return 0;
}
