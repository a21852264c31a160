// Directories with opendir/readdir (getdents64): create entries, list them sorted, clean up.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  char dir[64], path[128];
  snprintf(dir, sizeof dir, "/tmp/memscape-list-%d", (int)getpid());
  mkdir(dir, 0700);
  const char *names[] = {"zeta.txt", "alpha.c", "middle", "b"};
  for (int i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (i == 2) mkdir(path, 0755);
    else fclose(fopen(path, "w"));
  }
  DIR *d = opendir(dir);
  char *seen[16];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 16) {
    char type = e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : '?';
    seen[n] = malloc(300);
    snprintf(seen[n++], 300, "%c %s", type, e->d_name);
  }
  closedir(d);
  qsort(seen, (size_t)n, sizeof *seen, by_name);
  for (int i = 0; i < n; i++) puts(seen[i]);
  for (int i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (i == 2) rmdir(path);
    else unlink(path);
  }
  printf("rmdir %d\n", rmdir(dir));
  return 0;
}
