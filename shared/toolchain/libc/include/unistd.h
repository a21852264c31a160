#ifndef _UNISTD_H
#define _UNISTD_H
#include <sys/types.h>
#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
extern char **environ;
ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);
int close(int fd);
off_t lseek(int fd, off_t offset, int whence);
int brk(void *addr);
void *sbrk(long increment);
pid_t getpid(void);
pid_t getppid(void);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int dup(int fd);
int dup2(int fd, int fd2);
int unlink(const char *path);
int access(const char *path, int mode);
unsigned int sleep(unsigned int seconds);
unsigned int alarm(unsigned int seconds);
int pause(void);
int isatty(int fd);
long syscall(long number, ...);
void _exit(int status) __attribute__((noreturn));
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4
#endif
