/*
 * Static glibc program exercising the Linux system calls `sel4ts machine exec` implements.
 * Its output must not depend on time, randomness, process ids or the host, so that it equals
 * qemu-aarch64's (run with an empty environment: env -i):
 *   libc malloc          malloc/calloc/realloc/free in a loop (brk and mmap), with a checksum
 *   libc cat FILE        read a host file: open/read/lseek/pread/fstat/close, and stdio
 *   libc syscalls        auxv and the initial stack, brk, mmap/mprotect/munmap/mremap, signals,
 *                        uname, getrandom, clock_gettime, ioctl, writev, futex
 *   libc segv            a write to a page made read-only: killed by SIGSEGV
 *   libc abort           abort(): killed by SIGABRT
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
extern const Elf64_Ehdr __ehdr_start;
extern char _start[];

static uint32_t lcg = 12345;
static uint32_t next(void) { return lcg = lcg * 1103515245u + 12345u; }

static int do_malloc(void) {
  enum { SLOTS = 64 };
  unsigned char *slot[SLOTS] = {0};
  size_t size[SLOTS] = {0};
  uint64_t sum = 0;
  for (int i = 0; i < 1000; i++) {
    int k = next() % SLOTS;
    if (slot[k]) {
      for (size_t j = 0; j < size[k]; j += 61) sum = sum * 31 + slot[k][j];
      if (next() % 4 == 0 && size[k] < 300000) {
        size_t grown = size[k] * 2 + 1;
        unsigned char *p = realloc(slot[k], grown);
        if (!p) return printf("realloc failed\n"), 1;
        /* Every new byte is written: realloc leaves them undefined, and the checksum reads them
           (undefined bytes made the output depend on the length of the program's path). */
        memset(p + size[k], (int)k, grown - size[k]);
        for (size_t j = size[k]; j < grown; j += 13) p[j] = (unsigned char)(j * 3 + k);
        slot[k] = p;
        size[k] = grown;
        continue;
      }
      free(slot[k]);
      slot[k] = 0;
    }
    /* Mostly small blocks (the brk heap), sometimes ones above the 128 KiB mmap threshold. */
    size_t n = next() % 10 == 0 ? 130000 + next() % 50000 : 1 + next() % 2000;
    unsigned char *p = (next() & 1) ? calloc(n, 1) : malloc(n);
    if (!p) return printf("malloc failed\n"), 1;
    memset(p, i, n);
    for (size_t j = 0; j < n; j += 29) p[j] = (unsigned char)(j + i);
    slot[k] = p;
    size[k] = n;
  }
  for (int k = 0; k < SLOTS; k++) free(slot[k]);
  printf("malloc/free checksum %016llx\n", (unsigned long long)sum);
  return 0;
}

static int do_cat(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return printf("open %s: %s\n", path, strerror(errno)), 1;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n < 0 ? 0 : n] = 0;
  printf("read %zd bytes:\n%s\n", n, buf);
  struct stat st;
  printf("fstat: %d, size %lld, regular %d\n", fstat(fd, &st), (long long)st.st_size, S_ISREG(st.st_mode));
  printf("lseek end %lld, set 4 %lld\n", (long long)lseek(fd, 0, SEEK_END), (long long)lseek(fd, 4, SEEK_SET));
  n = read(fd, buf, 5);
  printf("read at 4: %.*s\n", (int)n, buf);
  n = pread(fd, buf, 6, 11);
  printf("pread at 11: %.*s, offset still %lld\n", (int)n, buf, (long long)lseek(fd, 0, SEEK_CUR));
  printf("write to it: %zd (%s)\n", write(fd, "x", 1), strerror(errno));
  printf("close: %d, again: %d (%s)\n", close(fd), close(fd), strerror(errno));
  FILE *f = fopen(path, "r");
  int lines = 0;
  while (fgets(buf, sizeof buf, f)) lines++;
  fclose(f);
  printf("fgets lines: %d\n", lines);
  printf("missing: %s\n", fopen("no-such-file.txt", "r") ? "opened" : strerror(errno));
  return 0;
}

static volatile sig_atomic_t caught;
static void handler(int sig) { caught = sig; }

static int do_syscalls(int argc, char **argv) {
  /* The initial stack: argc, argv, NULL, envp, NULL, auxv; argc 16-byte aligned. */
  char **env = argv + argc + 1;
  printf("argv aligned %d, environ after argv %d, env empty %d\n", ((uintptr_t)argv & 15) == 8, environ == env, env[0] == NULL);
  Elf64_auxv_t *auxv = (Elf64_auxv_t *)(env + 1);
  int pairs = 0, pagesz_found = 0;
  for (; auxv->a_type != AT_NULL; auxv++, pairs++)
    if (auxv->a_type == AT_PAGESZ) pagesz_found = auxv->a_un.a_val == 4096;
  printf("auxv after environ: AT_PAGESZ %d, strings above it %d\n", pagesz_found, (char *)auxv < argv[0]);
  printf("AT_PAGESZ %lu AT_PHENT %lu AT_PHNUM ok %d AT_PHDR ok %d AT_ENTRY ok %d\n", getauxval(AT_PAGESZ), getauxval(AT_PHENT),
         getauxval(AT_PHNUM) == __ehdr_start.e_phnum, getauxval(AT_PHDR) == (uintptr_t)&__ehdr_start + __ehdr_start.e_phoff,
         getauxval(AT_ENTRY) == (uintptr_t)_start);
  printf("AT_PLATFORM %s AT_EXECFN is argv[0] %d AT_RANDOM set %d AT_SECURE %lu AT_BASE %lu\n", (char *)getauxval(AT_PLATFORM),
         strcmp((char *)getauxval(AT_EXECFN), argv[0]) == 0, getauxval(AT_RANDOM) != 0, getauxval(AT_SECURE), getauxval(AT_BASE));
  printf("AT_HWCAP fp %d asimd %d, AT_UID is getuid %d\n", !!(getauxval(AT_HWCAP) & 1), !!(getauxval(AT_HWCAP) & 2), getauxval(AT_UID) == getuid());

  /* brk: page-aligned after the program, grows and shrinks. */
  char *b0 = sbrk(0);
  char *b1 = sbrk(100000);
  memset(b1, 0x5a, 100000);
  printf("brk: aligned %d, grew %d, shrank %d\n", ((uintptr_t)b0 & 4095) == 0, (char *)sbrk(0) == b1 + 100000, sbrk(-100000) != (void *)-1 && sbrk(0) == b1);

  /* mmap, mprotect, munmap, MAP_FIXED, mremap. */
  long pg = sysconf(_SC_PAGESIZE);
  unsigned char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int zero = 1;
  for (long i = 0; i < 4 * pg; i++) zero &= m[i] == 0;
  memset(m, 7, 4 * pg);
  printf("mmap: zeroed %d, mprotect %d, munmap %d\n", zero, mprotect(m, pg, PROT_READ), munmap(m + pg, pg));
  unsigned char *fixed = mmap(m + pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("MAP_FIXED at the hole %d, zeroed %d, neighbours kept %d %d\n", fixed == m + pg, fixed[0] == 0 && fixed[pg - 1] == 0, m[0] == 7, m[2 * pg] == 7);
  unsigned char *r = mremap(m + 2 * pg, 2 * pg, 64 * pg, MREMAP_MAYMOVE);
  printf("mremap: kept %d, new zero %d\n", r != MAP_FAILED && r[0] == 7 && r[2 * pg - 1] == 7, r[63 * pg] == 0);
  printf("mmap len 0: %s; munmap unaligned: %s\n", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? strerror(errno) : "ok",
         munmap(m + 1, pg) ? strerror(errno) : "ok");

  /* Signals: dispositions and the mask are kept; an ignored signal does nothing. */
  struct sigaction sa = {0}, old;
  sa.sa_handler = handler;
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGUSR1, NULL, &old);
  sigset_t set, got;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, NULL);
  sigprocmask(SIG_BLOCK, NULL, &got);
  signal(SIGUSR2, SIG_IGN);
  printf("sigaction kept %d, sigprocmask kept %d, raise ignored %d, SIGKILL handler %s\n", old.sa_handler == handler, sigismember(&got, SIGUSR2),
         raise(SIGUSR2), sigaction(SIGKILL, &sa, NULL) ? strerror(errno) : "set");

  struct utsname u;
  uname(&u);
  printf("uname: %s %s\n", u.sysname, u.machine);
  unsigned char rnd[16];
  printf("getrandom: %zd\n", getrandom(rnd, sizeof rnd, 0));
  struct timespec t0, t1, res;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct timespec ten_ms = {0, 10000000};
  nanosleep(&ten_ms, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long elapsed = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  printf("clock_gettime: nanosleep of 10 ms took at least 10 ms %d, bad clock %s, getres %d\n", elapsed >= 10000000,
         clock_gettime(12345, &t1) ? strerror(errno) : "ok", clock_getres(CLOCK_MONOTONIC, &res));
  struct termios tio;
  printf("isatty(1) %d, TCGETS %s\n", isatty(1), tcgetattr(1, &tio) ? strerror(errno) : "ok");
  fflush(stdout);
  struct iovec iov[3] = {{"writev: ", 8}, {"two ", 4}, {"parts\n", 6}};
  printf("writev returned %zd\n", writev(1, iov, 3));
  int word = 5;
  long wake = syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  long again = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0);
  int again_errno = errno;
  struct timespec one_ms = {0, 1000000};
  long timeout = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 5, &one_ms, NULL, 0);
  printf("futex: wake %ld, wait on a changed word %ld %s, wait with timeout %ld %s\n", wake, again, strerror(again_errno), timeout, strerror(errno));
  printf("tid is pid %d\n", (pid_t)syscall(SYS_gettid) == getpid());
  return 7; /* exit_group(7) */
}

static int do_segv(void) {
  long pg = sysconf(_SC_PAGESIZE);
  volatile char *m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  m[0] = 1;
  mprotect((void *)m, pg, PROT_READ);
  printf("reading a read-only page: %d\n", m[0]);
  fflush(stdout);
  m[0] = 2;
  printf("wrote a read-only page\n");
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "malloc") == 0) return do_malloc();
  if (argc >= 3 && strcmp(argv[1], "cat") == 0) return do_cat(argv[2]);
  if (argc >= 2 && strcmp(argv[1], "syscalls") == 0) return do_syscalls(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "segv") == 0) return do_segv();
  if (argc >= 2 && strcmp(argv[1], "abort") == 0) {
    printf("aborting\n");
    fflush(stdout);
    abort();
  }
  fprintf(stderr, "usage: libc malloc | cat FILE | syscalls | segv | abort\n");
  return 2;
}
