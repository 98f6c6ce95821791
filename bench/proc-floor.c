/*
 * The C floor for bench/process.js: one walk of /proc that opens, reads and closes stat, status, cmdline and statm of
 * every process (no parsing), the least any library can do for processIter with pid, name, cmdline, cpuTimes,
 * memoryInfo, numThreads, username and status. Prints the median of `walks` timed walks in milliseconds, the median
 * CPU time (user + system, getrusage) of a walk, then the process count, as one JSON line. bench/process.js compiles it with `cc -O2` when a C compiler is present.
 * Usage: proc-floor [walks]
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

#include "floor.h"

/* One walk; returns the number of processes seen. A process that exits mid-walk just fails its opens. */
static int walk(void) {
  static const char *files[] = {"stat", "status", "cmdline", "statm"};
  char path[300]; /* "/proc/" + a d_name of up to 255 bytes + "/cmdline" */
  int count = 0;
  DIR *d = opendir("/proc");
  if (!d) {
    perror("opendir /proc");
    exit(1);
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    count++;
    for (int f = 0; f < 4; f++) {
      snprintf(path, sizeof path, "/proc/%s/%s", e->d_name, files[f]);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      /* One read(2) unless it fills the buffer: a short read ends these files, as in the Node walk (readView). */
      while (read(fd, buf, sizeof buf) == (ssize_t)sizeof buf) {
      }
      close(fd);
    }
  }
  closedir(d);
  return count;
}

int main(int argc, char **argv) {
  int walks = argc > 1 ? atoi(argv[1]) : 5;
  if (walks < 1 || walks > 1000) walks = 5;
  double *ms = calloc(walks, sizeof *ms);
  double *cpu = calloc(walks, sizeof *cpu);
  int count = walk(); /* warm: dentries, first reads */
  for (int i = 0; i < walks; i++) {
    double t0 = now_ms(), c0 = cpu_ms();
    count = walk();
    ms[i] = now_ms() - t0;
    cpu[i] = cpu_ms() - c0;
  }
  qsort(ms, walks, sizeof *ms, cmp);
  qsort(cpu, walks, sizeof *cpu, cmp);
  printf("{\"ms\": %.3f, \"cpuMs\": %.3f, \"count\": %d}\n", ms[walks / 2], cpu[walks / 2], count);
  free(ms);
  free(cpu);
  return 0;
}
