// File descriptors: redirect stdout into a file with dup/dup2, restore it, read the file back.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/memscape-redirect-%d", (int)getpid());
  fflush(stdout);
  int saved = dup(1);
  int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
  dup2(fd, 1);
  close(fd);
  printf("this goes to the file (fd %d saved as %d)\n", 1, saved);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  printf("back on the original stdout\n");
  char buf[128] = {0};
  fd = open(path, O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  unlink(path);
  printf("the file held %zd bytes: %s", n, buf);
  int flags = fcntl(1, F_GETFD);
  int cloexec = fcntl(1, F_DUPFD_CLOEXEC, 10);
  printf("F_GETFD %d, F_DUPFD_CLOEXEC gave %d with FD_CLOEXEC %d\n", flags, cloexec, fcntl(cloexec, F_GETFD));
  return 0;
}
