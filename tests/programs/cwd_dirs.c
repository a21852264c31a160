// Directories: mkdir, chdir, getcwd, relative paths, rmdir, and the errors for each misuse.
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
  char dir[64], cwd[256];
  snprintf(dir, sizeof dir, "/tmp/memscape-dir-%d", (int)getpid());
  printf("mkdir %d\n", mkdir(dir, 0755));
  printf("mkdir again %d %s\n", mkdir(dir, 0755), strerror(errno));
  printf("chdir %d\n", chdir(dir));
  printf("getcwd matches %d\n", getcwd(cwd, sizeof cwd) && strcmp(cwd, dir) == 0);
  int fd = open("relative.txt", O_CREAT | O_WRONLY, 0644);
  printf("create relative %d\n", fd >= 0);
  write(fd, "x", 1);
  close(fd);
  struct stat st;
  int stat_result = stat(strcat(strcpy(cwd, dir), "/relative.txt"), &st);
  printf("stat via absolute path %d size %lld\n", stat_result, (long long)st.st_size);
  printf("rmdir non-empty %d %s\n", rmdir(dir), strerror(errno));
  printf("unlink %d\n", unlink("relative.txt"));
  printf("chdir .. %d\n", chdir(".."));
  printf("rmdir %d\n", rmdir(dir));
  printf("chdir missing %d %s\n", chdir(dir), strerror(errno));
  printf("chdir to a file %d %s\n", chdir("/proc/self/maps"), strerror(errno));
  return 0;
}
