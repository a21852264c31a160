#ifndef _STDDEF_H
#define _STDDEF_H
typedef unsigned long size_t;
typedef long ptrdiff_t;
typedef int wchar_t;
/* gcc's max_align_t holds a long double (16-byte aligned); no floating point here, so the same
   size and alignment come from two 16-byte aligned words. */
typedef struct {
  _Alignas(16) long long __max_align_ll;
  _Alignas(16) long long __max_align_ld;
} max_align_t;
#define NULL ((void *)0)
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif
