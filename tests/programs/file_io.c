// Files: create, write with stdio, seek, read back, append, stat, unlink; errno for missing files.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

int main(void) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/memscape-file-io-%d.txt", (int)getpid());
  FILE *f = fopen(path, "w");
  if (!f) { perror("fopen"); return 1; }
  for (int i = 0; i < 100; i++) fprintf(f, "line %03d\n", i);
  fclose(f);
  struct stat st;
  stat(path, &st);
  printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  f = fopen(path, "r+");
  fseek(f, 9 * 50, SEEK_SET);
  char line[32];
  fgets(line, sizeof line, f);
  printf("line 50: %s", line);
  printf("ftell %ld\n", ftell(f));
  fseek(f, -9, SEEK_END);
  fgets(line, sizeof line, f);
  printf("last: %s", line);
  fclose(f);
  int fd = open(path, O_WRONLY | O_APPEND);
  write(fd, "appended\n", 9);
  close(fd);
  fd = open(path, O_RDONLY);
  printf("lseek end %ld\n", (long)lseek(fd, 0, SEEK_END));
  lseek(fd, -9, SEEK_END);
  char tail[16] = {0};
  printf("read %zd: %s", read(fd, tail, 9), tail);
  close(fd);
  printf("unlink %d\n", unlink(path));
  errno = 0;
  printf("open missing: %d %s\n", open(path, O_RDONLY), strerror(errno));
  printf("open dir for writing: %d %s\n", open("/tmp", O_WRONLY), strerror(errno));
  printf("close bad fd: %d %s\n", close(99), strerror(errno));
  FILE *missing = fopen("/no/such/dir/file", "r");
  printf("fopen missing: %s %s\n", missing ? "opened" : "NULL", strerror(errno));
  return 0;
}
