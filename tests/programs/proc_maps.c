// /proc/self/maps: the region names and permissions of a static program (addresses vary with ASLR).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  free(malloc(16)); /* creates [heap] */
  FILE *f = fopen("/proc/self/maps", "r");
  if (!f) { perror("fopen"); return 1; }
  char line[512];
  while (fgets(line, sizeof line, f)) {
    char perms[8] = "", name[256] = "";
    unsigned long start, end, offset, inode;
    unsigned major, minor;
    int fields = sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %255s", &start, &end, perms, &offset, &major, &minor, &inode, name);
    const char *base = strrchr(name, '/');
    printf("%s %s\n", perms, fields == 8 ? (base ? base + 1 : name) : "(anonymous)");
  }
  fclose(f);
  return 0;
}
