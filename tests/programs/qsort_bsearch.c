// qsort on integers and on structs with a two-key comparison; bsearch for present and absent keys.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct person { char name[12]; int age; };

static int by_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
static int by_age_then_name(const void *a, const void *b) {
  const struct person *p = a, *q = b;
  if (p->age != q->age) return p->age - q->age;
  return strcmp(p->name, q->name);
}

int main(void) {
  int v[500];
  for (int i = 0; i < 500; i++) v[i] = (i * 7907) % 1009 - 500;
  qsort(v, 500, sizeof *v, by_int);
  for (int i = 0; i < 500; i += 50) printf("%d ", v[i]);
  putchar('\n');
  int keys[] = {-500, 0, 17, 508, 9999};
  for (int i = 0; i < 5; i++) {
    int *hit = bsearch(&keys[i], v, 500, sizeof *v, by_int);
    printf("key %d: %s\n", keys[i], hit ? "found" : "absent");
  }
  struct person people[] = {{"mallory", 35}, {"alice", 30}, {"bob", 25}, {"carol", 30}, {"dave", 25}, {"eve", 41}};
  qsort(people, 6, sizeof *people, by_age_then_name);
  for (int i = 0; i < 6; i++) printf("%s(%d) ", people[i].name, people[i].age);
  putchar('\n');
  return 0;
}
