// System calls that fail, and the errno Linux gives for each (raw calls, no libc checks).
//! glibc-only (strerrorname_np)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *what, long result) {
  printf("%-40s %ld %s\n", what, result, result < 0 ? strerrorname_np(errno) : "");
}

int main(void) {
  char buf[16];
  report("write to a closed fd", syscall(SYS_write, 42, "x", 1));
  report("write from an unmapped buffer", syscall(SYS_write, 1, (void *)0x10, 4));
  report("read into read-only memory", syscall(SYS_read, 0, (void *)"literal", 4));
  report("read of stdin at end of file", syscall(SYS_read, 0, buf, sizeof buf));
  report("lseek on a pipe", syscall(SYS_lseek, 0, 0, SEEK_SET));
  report("open a missing file", syscall(SYS_openat, AT_FDCWD, "/no/such/file", O_RDONLY));
  report("open a path through a file", syscall(SYS_openat, AT_FDCWD, "/proc/self/maps/x", O_RDONLY));
  report("open a file as a directory", syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_DIRECTORY));
  report("open with a bad path pointer", syscall(SYS_openat, AT_FDCWD, (void *)0x10, O_RDONLY));
  int fd = open("/dev/null", O_WRONLY);
  report("read from a write-only fd", syscall(SYS_read, fd, buf, sizeof buf));
  report("write to /dev/null", syscall(SYS_write, fd, "abc", 3));
  report("dup2 onto fd 100", syscall(SYS_dup2, fd, 100));
  report("fcntl F_GETFD after dup2", syscall(SYS_fcntl, 100, F_GETFD));
  report("close twice", (close(100), syscall(SYS_close, 100)));
  report("fstat of a closed fd", syscall(SYS_fstat, 100, buf));
  report("sigaction on SIGKILL", syscall(SYS_rt_sigaction, SIGKILL, &(struct sigaction){0}, NULL, 8));
  report("sigaction with a bad sigset size", syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4));
  report("sigaction on signal 65", syscall(SYS_rt_sigaction, 65, NULL, NULL, 8));
  report("sigprocmask with a bad how", syscall(SYS_rt_sigprocmask, 7, &(sigset_t){0}, NULL, 8));
  report("mprotect of an unaligned address", syscall(SYS_mprotect, (void *)0x1001, 4096, PROT_READ));
  report("munmap of length 0", syscall(SYS_munmap, (void *)0x100000, 0));
  report("mmap of length 0", syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  report("mmap of a closed fd", syscall(SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE, 55, 0));
  report("getrandom with bad flags", syscall(SYS_getrandom, buf, 4, 0x100));
  report("getrandom of 8 bytes", syscall(SYS_getrandom, buf, 8, 0));
  report("clock_gettime of clock 99", syscall(SYS_clock_gettime, 99, buf));
  report("arch_prctl with a bad code", syscall(SYS_arch_prctl, 0x9999, 0));
  report("readlink of a regular file", syscall(SYS_readlink, "/dev/null", buf, sizeof buf));
  report("readlink with size 0", syscall(SYS_readlink, "/proc/self/exe", buf, 0));
  report("unlink a missing file", syscall(SYS_unlink, "/tmp/memscape-surely-missing"));
  report("mkdir in a missing directory", syscall(SYS_mkdir, "/no/such/dir", 0755));
  report("getcwd into 1 byte", syscall(SYS_getcwd, buf, 1));
  report("tgkill with a bad tgid", syscall(SYS_tgkill, -5, 1, 0));
  report("kill with signal 0 to self", syscall(SYS_kill, getpid(), 0));
  report("ioctl TCGETS on a pipe", syscall(SYS_ioctl, 0, 0x5401, buf));
  report("prlimit of resource 99", syscall(SYS_prlimit64, 0, 99, NULL, buf));
  return 0;
}
