// The C floor of a cgroups collector pass on a v1/hybrid host (bench/cgroups.js runs it): walk each hierarchy under
// /sys/fs/cgroup (not into 64-hex container directories), and in every cgroup directory read the files the collector
// reads with every part (mode 0) or cpu and memory only (mode 1): open the directory, openat + one read + close each
// file. Modes 2 and 3: the same files kept open from the first pass and read again with pread(2), the walk still done.
// Modes 4 and 5: as the collector reads now, each directory kept open from the first pass and not listed again (its
// inotify watch saw no change), openat + one read + close of each file relative to it. Modes 6 and 7: every file kept
// open and read again with pread(2), no walk: the least a pass of these files costs the kernel.
// 100 passes after 5 of warm-up; CPU per pass from getrusage. Usage: cgroups-floor MODE
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
static char buf[65536];
static const char *files_memory[] = {"memory.stat","memory.usage_in_bytes","memory.memsw.usage_in_bytes","memory.max_usage_in_bytes","memory.failcnt","memory.oom_control",0};
static const char *files_cpuacct[] = {"cpuacct.usage","cpuacct.usage_all",0};
static const char *files_blkio[] = {"blkio.throttle.io_service_bytes_recursive",0};
static const char *files_pids[] = {"pids.current",0};
static const char *files_unified[] = {"cpu.pressure","memory.pressure","io.pressure",0};
static const char *files_none[] = {0};
static long nfiles; static int keep; static int kept[20000]; static int nkept;
static int dirs[20000]; static const char **dirfiles[20000]; static int ndirs; static int keepdirs;
static int is_hex64(const char *n){ if (strlen(n)!=64) return 0; for(int i=0;i<64;i++){char c=n[i]; if(!((c>='0'&&c<='9')||(c>='a'&&c<='f'))) return 0;} return 1; }
static void visit(const char *path, const char **files, int descend) {
  int dfd = open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC); if (dfd<0) return;
  if (keepdirs && ndirs < 20000) { dirs[ndirs] = dfd; dirfiles[ndirs++] = files; }
  for (const char **f = files; *f; f++) { if (keep == 2) break; int fd = openat(dfd, *f, O_RDONLY|O_CLOEXEC); if (fd<0) continue; read(fd, buf, sizeof buf); if (keep == 1 && nkept < 20000) kept[nkept++] = fd; else close(fd); nfiles++; }
  if (descend) {
    DIR *d = fdopendir(dup(dfd)); struct dirent *e; char sub[4096];
    while ((e = readdir(d))) { if (e->d_type!=DT_DIR || e->d_name[0]=='.') continue; snprintf(sub, sizeof sub, "%s/%s", path, e->d_name); visit(sub, files, !is_hex64(e->d_name)); }
    closedir(d);
  }
  if (!keepdirs) close(dfd);
}
static void keptpass(void) {
  for (int k = 0; k < ndirs; k++)
    for (const char **f = dirfiles[k]; *f; f++) { int fd = openat(dirs[k], *f, O_RDONLY|O_CLOEXEC); if (fd<0) continue; read(fd, buf, sizeof buf); close(fd); nfiles++; }
}
static void pass(void) {
  visit("/sys/fs/cgroup/memory", files_memory, 1); visit("/sys/fs/cgroup/cpuacct", files_cpuacct, 1);
  visit("/sys/fs/cgroup/cpu", files_none, 1); visit("/sys/fs/cgroup/blkio", files_blkio, 1);
  visit("/sys/fs/cgroup/pids", files_pids, 1); visit("/sys/fs/cgroup/unified", files_unified, 1);
  visit("/sys/fs/cgroup/systemd", files_none, 1);
}
int main(int argc, char **argv) {
  int mode = argc > 1 ? atoi(argv[1]) : 0; // odd: cpu and memory only
  if (mode % 2 == 1) { files_blkio[0]=0; files_pids[0]=0; files_unified[0]=0; }
  int n = 100;
  if (mode == 2 || mode == 3 || mode >= 6) { keep = 1; pass(); keep = 2; }
  if (mode == 4 || mode == 5) { keepdirs = 1; pass(); }
  for (int i=0;i<5;i++) if (mode >= 4) keptpass(); else pass();
  struct rusage a, b; getrusage(RUSAGE_SELF, &a); nfiles = 0;
  for (int i=0;i<n;i++) {
    if (mode >= 4) keptpass(); else pass();
    if (keep) for (int k=0;k<nkept;k++) { pread(kept[k], buf, sizeof buf, 0); nfiles++; }
  }
  getrusage(RUSAGE_SELF, &b);
  double u = (b.ru_utime.tv_sec-a.ru_utime.tv_sec)*1e3 + (b.ru_utime.tv_usec-a.ru_utime.tv_usec)/1e3;
  double s = (b.ru_stime.tv_sec-a.ru_stime.tv_sec)*1e3 + (b.ru_stime.tv_usec-a.ru_stime.tv_usec)/1e3;
  printf("C floor mode %d: %ld files per pass, user %.1f ms, system %.1f ms per pass\n", mode, nfiles/n, u/n, s/n);
}
