// Structs by value and by pointer, nested structs, arrays of structs, unions, bit-fields, padding.
#include <stdio.h>
#include <stddef.h>
#include <string.h>

struct point { int x, y; };
struct rect { struct point min, max; const char *name; };
struct big { long a[6]; char tag; };
struct bits { unsigned a : 3, b : 5, c : 12; signed d : 4; };
union value { long i; double d; unsigned char bytes[8]; };
struct padded { char c; int i; char d; long l; short s; };

static struct point add(struct point a, struct point b) { return (struct point){a.x + b.x, a.y + b.y}; }
static int area(const struct rect *r) { return (r->max.x - r->min.x) * (r->max.y - r->min.y); }
static struct big make_big(char tag) {
  struct big b;
  for (int i = 0; i < 6; i++) b.a[i] = (long)tag * (i + 1);
  b.tag = tag;
  return b;
}

int main(void) {
  struct point p = add((struct point){1, 2}, (struct point){30, 40});
  printf("p = (%d, %d)\n", p.x, p.y);
  struct rect rects[3] = {{{0, 0}, {4, 5}, "small"}, {{-2, -2}, {10, 3}, "wide"}, {{1, 1}, {2, 100}, "tall"}};
  for (int i = 0; i < 3; i++) printf("%-6s area %d\n", rects[i].name, area(&rects[i]));
  struct big b = make_big('z');
  printf("big: %ld %ld %c\n", b.a[0], b.a[5], b.tag);
  struct bits f = {5, 17, 1000, -3};
  f.b += 20;
  printf("bits: %u %u %u %d sizeof=%zu\n", f.a, f.b, f.c, f.d, sizeof f);
  union value v;
  v.d = 1.5;
  printf("union: 0x%016lx first byte %u last byte 0x%02x\n", v.i, v.bytes[0], v.bytes[7]);
  printf("padded: sizeof=%zu offsets c=%zu i=%zu d=%zu l=%zu s=%zu\n", sizeof(struct padded),
         offsetof(struct padded, c), offsetof(struct padded, i), offsetof(struct padded, d),
         offsetof(struct padded, l), offsetof(struct padded, s));
  struct rect copy;
  memcpy(&copy, &rects[1], sizeof copy);
  copy.max.x = 0;
  printf("copy %s area %d, original area %d\n", copy.name, area(&copy), area(&rects[1]));
  return 0;
}
