// The C program the -g tests build with Memscape's driver and with gcc: parameters of several
// types (int, long, struct pointer, enum), a 64-byte char buffer (the classic frame), a typedef,
// globals (external, static, array) and a non-void return type.
export const DRIVER_PROGRAM = `#include <stdio.h>
#include <string.h>

struct point { int x; int y; char tag[5]; };
typedef unsigned long counter_t;
enum color { RED, GREEN = 5, BLUE };

int total = 7;
static const char *greeting = "hello";
counter_t ticks[3] = { 1, 2, 3 };

long f(int a, long b, struct point *p, enum color c)
{
    char buf[64] = { 0 };
    int k = a * 2;
    counter_t n = ticks[1] + (counter_t)b;
    unsigned char small = 200;
    strcpy(buf, greeting);
    p->x += k;
    total += k;
    printf("%s %d %ld %lu %d\\n", buf, k, b, n, p->x);
    return (long)k + (long)n + small + c;
}

int main(int argc, char **argv)
{
    struct point pt = { 3, 4, "pt" };
    long r = f(5, 9L, &pt, GREEN);
    printf("%ld %d %s\\n", r, total, argv[0]);
    return (int)(r & 0x3f) + argc - 1;
}
`

/** The line of \`total += k;\`: every local of f holds its final value there. */
export const LINE_AFTER_LOCALS = 20
/** The first line of f's body (where gdb's \`break f\` stops, after the prologue). */
export const FIRST_BODY_LINE = 14
