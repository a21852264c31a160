/* System-call wrappers: the kernel's -errno results become -1 with errno set, as in glibc. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"

long __syscall_ret(long raw) {
  if (raw < 0 && raw > -4096) {
    errno = (int)-raw;
    return -1;
  }
  return raw;
}

long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a1 = va_arg(ap, long);
  long a2 = va_arg(ap, long);
  long a3 = va_arg(ap, long);
  long a4 = va_arg(ap, long);
  long a5 = va_arg(ap, long);
  long a6 = va_arg(ap, long);
  va_end(ap);
  return __syscall_ret(__syscall6(number, a1, a2, a3, a4, a5, a6));
}

ssize_t read(int fd, void *buf, size_t count) { return __syscall_ret(__syscall6(SYS_read, fd, (long)buf, (long)count, 0, 0, 0)); }
ssize_t write(int fd, const void *buf, size_t count) { return __syscall_ret(__syscall6(SYS_write, fd, (long)buf, (long)count, 0, 0, 0)); }
int close(int fd) { return (int)__syscall_ret(__syscall6(SYS_close, fd, 0, 0, 0, 0, 0)); }
off_t lseek(int fd, off_t offset, int whence) { return __syscall_ret(__syscall6(SYS_lseek, fd, offset, whence, 0, 0, 0)); }
pid_t getpid(void) { return (pid_t)__syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0); }
pid_t getppid(void) { return (pid_t)__syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0); }
uid_t getuid(void) { return (uid_t)__syscall6(SYS_getuid, 0, 0, 0, 0, 0, 0); }
uid_t geteuid(void) { return (uid_t)__syscall6(SYS_geteuid, 0, 0, 0, 0, 0, 0); }
gid_t getgid(void) { return (gid_t)__syscall6(SYS_getgid, 0, 0, 0, 0, 0, 0); }
gid_t getegid(void) { return (gid_t)__syscall6(SYS_getegid, 0, 0, 0, 0, 0, 0); }
int dup(int fd) { return (int)__syscall_ret(__syscall6(SYS_dup, fd, 0, 0, 0, 0, 0)); }
int dup2(int fd, int fd2) { return (int)__syscall_ret(__syscall6(SYS_dup2, fd, fd2, 0, 0, 0, 0)); }
int unlink(const char *path) { return (int)__syscall_ret(__syscall6(SYS_unlink, (long)path, 0, 0, 0, 0, 0)); }
int access(const char *path, int mode) { return (int)__syscall_ret(__syscall6(SYS_access, (long)path, mode, 0, 0, 0, 0)); }
int remove(const char *path) { return unlink(path); }

int open(const char *path, int flags, ...) {
  long mode = 0;
  if (flags & O_CREAT) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, int);
    va_end(ap);
  }
  return (int)__syscall_ret(__syscall6(SYS_open, (long)path, flags, mode, 0, 0, 0));
}

int creat(const char *path, mode_t mode) { return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode); }

unsigned int sleep(unsigned int seconds) {
  long request[2] = {(long)seconds, 0};
  long remaining[2] = {0, 0};
  if (__syscall6(SYS_nanosleep, (long)request, (long)remaining, 0, 0, 0, 0) < 0) return (unsigned int)remaining[0];
  return 0;
}

#define TCGETS 0x5401

/* glibc's isatty is tcgetattr, i.e. ioctl(TCGETS); ENOTTY means "not a terminal". */
int isatty(int fd) {
  unsigned char termios[60];
  return __syscall_ret(__syscall6(SYS_ioctl, fd, TCGETS, (long)termios, 0, 0, 0)) == 0;
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
  return (void *)__syscall_ret(__syscall6(SYS_mmap, (long)addr, (long)length, prot, flags, fd, offset));
}
int munmap(void *addr, size_t length) { return (int)__syscall_ret(__syscall6(SYS_munmap, (long)addr, (long)length, 0, 0, 0, 0)); }
int mprotect(void *addr, size_t length, int prot) { return (int)__syscall_ret(__syscall6(SYS_mprotect, (long)addr, (long)length, prot, 0, 0, 0)); }

void *mremap(void *old_address, size_t old_size, size_t new_size, int flags, ...) {
  long new_address = 0;
  if (flags & MAP_FIXED) {
    va_list ap;
    va_start(ap, flags);
    new_address = (long)va_arg(ap, void *);
    va_end(ap);
  }
  return (void *)__syscall_ret(__syscall6(SYS_mremap, (long)old_address, (long)old_size, (long)new_size, flags, new_address, 0));
}

/* glibc keeps the current break in __curbrk, learned from brk(0) on first use. */
void *__curbrk;

int brk(void *addr) {
  void *reached = (void *)__syscall6(SYS_brk, (long)addr, 0, 0, 0, 0, 0);
  __curbrk = reached;
  if ((unsigned long)reached < (unsigned long)addr) {
    errno = ENOMEM;
    return -1;
  }
  return 0;
}

void *sbrk(long increment) {
  if (__curbrk == NULL && brk(NULL) < 0) return (void *)-1;
  if (increment == 0) return __curbrk;
  char *old = __curbrk;
  if (increment > 0 ? (unsigned long)old + (unsigned long)increment < (unsigned long)old
                    : (unsigned long)old < (unsigned long)-increment) {
    errno = ENOMEM;
    return (void *)-1;
  }
  if (brk(old + increment) < 0) return (void *)-1;
  return old;
}
