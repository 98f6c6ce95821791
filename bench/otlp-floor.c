/*
 * The C floor for bench/otlp-processes.js: what reading one export's per-process files (stat, status, io, and the fd
 * count as the st_size of /proc/<pid>/fd) costs the kernel for every process, by strategy, with no parsing:
 *   path    open("/proc/PID/x"), read, close for stat, status and io; stat("/proc/PID/fd")
 *   dirfd   the same relative to an O_DIRECTORY fd of /proc/PID kept from pass to pass: openat, read, close;
 *           fstatat(dirfd, "fd")
 *   files   pread(2) at offset 0 of stat, status and io fds kept from pass to pass (offset 0 makes seq_file print the
 *           file afresh), fstat(2) of a kept O_PATH fd of /proc/PID/fd
 * Then the kernel memory the kept fds pin: the slab bytes in use (the sum of active_objs * objsize over
 * /proc/slabinfo) and Slab/SUnreclaim of /proc/meminfo, before the fds are opened and after they have been read once,
 * for the dirfd and the files strategies. Forks idle children up to `procs` processes (default 1000) and kills them
 * at the end. Prints one JSON object: the median CPU time (user + system, getrusage) and wall time of `passes`
 * passes per strategy, and the memory deltas per kept fd. Needs root for /proc/slabinfo (slab figures are -1
 * without it). The machine's other activity moves the memory figures: they are the median of `rounds` rounds.
 * Usage: otlp-floor [procs] [passes] [rounds]      Build: cc -O2 -o /tmp/otlp-floor bench/otlp-floor.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];
static const char *files[] = {"stat", "status", "io"};
#define NFILES 3

#include "floor.h"

static int *pids;
static int npids;

static void list_pids(void) {
  DIR *d = opendir("/proc");
  if (!d) {
    perror("opendir /proc");
    exit(1);
  }
  struct dirent *e;
  npids = 0;
  int cap = 4096;
  pids = realloc(pids, cap * sizeof *pids);
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    if (npids == cap) pids = realloc(pids, (cap *= 2) * sizeof *pids);
    pids[npids++] = atoi(e->d_name);
  }
  closedir(d);
}

/* Reads to a short read, as the agent does (a short read ends a per-process seq_file). */
static void drain(int fd) {
  while (read(fd, buf, sizeof buf) == (ssize_t)sizeof buf) {
  }
}

static long sink;

static void pass_path(void) {
  char path[64];
  struct stat st;
  for (int i = 0; i < npids; i++) {
    for (int f = 0; f < NFILES; f++) {
      snprintf(path, sizeof path, "/proc/%d/%s", pids[i], files[f]);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      drain(fd);
      close(fd);
    }
    snprintf(path, sizeof path, "/proc/%d/fd", pids[i]);
    if (stat(path, &st) == 0) sink += st.st_size;
  }
}

static int *dirfds;

static void open_dirfds(int flags) {
  char path[64];
  for (int i = 0; i < npids; i++) {
    snprintf(path, sizeof path, "/proc/%d", pids[i]);
    dirfds[i] = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags);
  }
}

static void close_dirfds(void) {
  for (int i = 0; i < npids; i++)
    if (dirfds[i] >= 0) close(dirfds[i]);
}

static void pass_dirfd(void) {
  struct stat st;
  for (int i = 0; i < npids; i++) {
    if (dirfds[i] < 0) continue;
    for (int f = 0; f < NFILES; f++) {
      int fd = openat(dirfds[i], files[f], O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      drain(fd);
      close(fd);
    }
    if (fstatat(dirfds[i], "fd", &st, 0) == 0) sink += st.st_size;
  }
}

/* Per process: stat, status, io, then an O_PATH fd of fd/. */
static int *filefds;

static void open_filefds(void) {
  char path[64];
  for (int i = 0; i < npids; i++) {
    for (int f = 0; f < NFILES; f++) {
      snprintf(path, sizeof path, "/proc/%d/%s", pids[i], files[f]);
      filefds[i * 4 + f] = open(path, O_RDONLY | O_CLOEXEC);
    }
    snprintf(path, sizeof path, "/proc/%d/fd", pids[i]);
    filefds[i * 4 + 3] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  }
}

static void close_filefds(void) {
  for (int i = 0; i < npids * 4; i++)
    if (filefds[i] >= 0) close(filefds[i]);
}

static void pass_files(void) {
  struct stat st;
  for (int i = 0; i < npids; i++) {
    for (int f = 0; f < NFILES; f++) {
      int fd = filefds[i * 4 + f];
      if (fd < 0) continue;
      off_t off = 0;
      ssize_t n;
      while ((n = pread(fd, buf, sizeof buf, off)) == (ssize_t)sizeof buf) off += n;
    }
    int fd = filefds[i * 4 + 3];
    if (fd >= 0 && fstat(fd, &st) == 0) sink += st.st_size;
  }
}

/* The slab bytes in use: sum of active_objs * objsize over /proc/slabinfo; -1 where it cannot be read. */
static long long slab_bytes(void) {
  FILE *f = fopen("/proc/slabinfo", "r");
  if (!f) return -1;
  char line[512];
  long long total = 0;
  while (fgets(line, sizeof line, f)) {
    char name[128];
    long long active, num, size;
    if (sscanf(line, "%127s %lld %lld %lld", name, &active, &num, &size) == 4) total += active * size;
  }
  fclose(f);
  return total;
}

/* A /proc/meminfo figure in kB. */
static long long meminfo_kb(const char *key) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f) return -1;
  char line[256];
  long long v = -1;
  size_t k = strlen(key);
  while (fgets(line, sizeof line, f))
    if (strncmp(line, key, k) == 0 && line[k] == ':') {
      v = atoll(line + k + 1);
      break;
    }
  fclose(f);
  return v;
}

struct mem {
  long long slab, slab_kb, sunreclaim_kb;
};

static struct mem mem_now(void) {
  struct mem m = {slab_bytes(), meminfo_kb("Slab"), meminfo_kb("SUnreclaim")};
  return m;
}

/* Bytes per kept fd: {slabinfo in use, meminfo Slab, meminfo SUnreclaim}, medians over rounds. */
static void measure_mem(int files, int rounds, double out[3], int *kept) {
  double *d[3];
  for (int k = 0; k < 3; k++) d[k] = calloc(rounds, sizeof(double));
  for (int r = 0; r < rounds; r++) {
    struct mem a = mem_now();
    int n = 0;
    if (files) {
      open_filefds();
      pass_files();
      for (int i = 0; i < npids * 4; i++) n += filefds[i] >= 0;
    } else {
      open_dirfds(0);
      pass_dirfd();
      for (int i = 0; i < npids; i++) n += dirfds[i] >= 0;
    }
    struct mem b = mem_now();
    if (files)
      close_filefds();
    else
      close_dirfds();
    *kept = n;
    d[0][r] = a.slab < 0 ? -1 : (double)(b.slab - a.slab) / n;
    d[1][r] = (double)(b.slab_kb - a.slab_kb) * 1024 / n;
    d[2][r] = (double)(b.sunreclaim_kb - a.sunreclaim_kb) * 1024 / n;
    usleep(200000); /* let the deferred fput work of the closes finish between rounds */
  }
  for (int k = 0; k < 3; k++) {
    qsort(d[k], rounds, sizeof(double), cmp);
    out[k] = d[k][rounds / 2];
    free(d[k]);
  }
}

static void time_passes(void (*pass)(void), int passes, double *cpu_out, double *ms_out) {
  double *cpu = calloc(passes, sizeof *cpu), *ms = calloc(passes, sizeof *ms);
  pass(); /* warm */
  for (int i = 0; i < passes; i++) {
    double t0 = now_ms(), c0 = cpu_ms();
    pass();
    ms[i] = now_ms() - t0;
    cpu[i] = cpu_ms() - c0;
  }
  qsort(cpu, passes, sizeof *cpu, cmp);
  qsort(ms, passes, sizeof *ms, cmp);
  *cpu_out = cpu[passes / 2];
  *ms_out = ms[passes / 2];
  free(cpu);
  free(ms);
}

int main(int argc, char **argv) {
  int want = argc > 1 ? atoi(argv[1]) : 1000;
  int passes = argc > 2 ? atoi(argv[2]) : 21;
  int rounds = argc > 3 ? atoi(argv[3]) : 5;
  if (passes < 1) passes = 21;
  if (rounds < 1) rounds = 5;
  list_pids();
  int nkids = want > npids ? want - npids : 0;
  pid_t *kids = calloc(nkids + 1, sizeof *kids);
  for (int i = 0; i < nkids; i++) {
    pid_t c = fork();
    if (c == 0) {
      pause();
      _exit(0);
    }
    if (c < 0) {
      perror("fork");
      nkids = i;
      break;
    }
    kids[i] = c;
  }
  usleep(300000);
  list_pids();
  dirfds = calloc(npids, sizeof *dirfds);
  filefds = calloc(npids * 4, sizeof *filefds);

  /* Interleaved: path, dirfd, files, three times, the median of the medians kept per strategy. */
  double cpu[3][3], ms[3][3];
  for (int r = 0; r < 3; r++) {
    time_passes(pass_path, passes, &cpu[0][r], &ms[0][r]);
    open_dirfds(0);
    time_passes(pass_dirfd, passes, &cpu[1][r], &ms[1][r]);
    close_dirfds();
    open_filefds();
    time_passes(pass_files, passes, &cpu[2][r], &ms[2][r]);
    close_filefds();
  }
  for (int s = 0; s < 3; s++) {
    qsort(cpu[s], 3, sizeof(double), cmp);
    qsort(ms[s], 3, sizeof(double), cmp);
  }
  /* The cost of opening the kept fds once (a process's first pass) */
  double t0 = cpu_ms();
  open_dirfds(0);
  double open_dir = cpu_ms() - t0;
  close_dirfds();
  t0 = cpu_ms();
  open_filefds();
  double open_files = cpu_ms() - t0;
  close_filefds();

  double dmem[3], fmem[3];
  int dkept = 0, fkept = 0;
  measure_mem(0, rounds, dmem, &dkept);
  measure_mem(1, rounds, fmem, &fkept);

  printf("{\"processes\": %d, \"cpuMsPerPass\": {\"path\": %.3f, \"dirfd\": %.3f, \"files\": %.3f}, "
         "\"wallMsPerPass\": {\"path\": %.3f, \"dirfd\": %.3f, \"files\": %.3f}, "
         "\"cpuMsToOpenKept\": {\"dirfd\": %.3f, \"files\": %.3f}, "
         "\"bytesPerKeptFd\": {\"dirfd\": {\"fds\": %d, \"slabinfo\": %.0f, \"Slab\": %.0f, \"SUnreclaim\": %.0f}, "
         "\"files\": {\"fds\": %d, \"slabinfo\": %.0f, \"Slab\": %.0f, \"SUnreclaim\": %.0f}}}\n",
         npids, cpu[0][1], cpu[1][1], cpu[2][1], ms[0][1], ms[1][1], ms[2][1], open_dir, open_files, dkept, dmem[0],
         dmem[1], dmem[2], fkept, fmem[0], fmem[1], fmem[2]);
  for (int i = 0; i < nkids; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < nkids; i++) waitpid(kids[i], NULL, 0);
  return sink == 42 ? 1 : 0;
}
