/* Declarations shared by the libc's own source files (not installed for programs). */
#ifndef _LIBC_INTERNAL_H
#define _LIBC_INTERNAL_H
#include <stddef.h>
#include <stdio.h>

long __syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6);
/* Turns a raw kernel result into the C convention: -1 and errno for -4095..-1. */
long __syscall_ret(long raw);

#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_fstat 5
#define SYS_lseek 8
#define SYS_mmap 9
#define SYS_mprotect 10
#define SYS_munmap 11
#define SYS_brk 12
#define SYS_rt_sigaction 13
#define SYS_rt_sigprocmask 14
#define SYS_ioctl 16
#define SYS_access 21
#define SYS_mremap 25
#define SYS_dup 32
#define SYS_dup2 33
#define SYS_nanosleep 35
#define SYS_pause 34
#define SYS_alarm 37
#define SYS_getpid 39
#define SYS_kill 62
#define SYS_time 201
#define SYS_clock_gettime 228
#define SYS_exit 60
#define SYS_getuid 102
#define SYS_getgid 104
#define SYS_geteuid 107
#define SYS_getegid 108
#define SYS_getppid 110
#define SYS_arch_prctl 158
#define SYS_gettid 186
#define SYS_exit_group 231
#define SYS_tgkill 234
#define SYS_unlink 87
#define SYS_getrandom 318

#define AT_PAGESZ 6
#define AT_RANDOM 25

extern unsigned long __libc_pagesize;
extern const char *__progname;

/* glibc's __libc_message(do_abort, "%s\n", text): the text on stderr, then abort(). */
void __libc_fatal(const char *message) __attribute__((noreturn));
/* Writes all of `text` to a file descriptor, retrying short writes. */
void __write_all(int fd, const char *text, size_t length);

/* stdio: flush every stream (exit) and the stdin/stdout interplay. */
void __stdio_flush_all(void);
#endif
