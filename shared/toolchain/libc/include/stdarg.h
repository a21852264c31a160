#ifndef _STDARG_H
#define _STDARG_H
/* The System V x86-64 va_list (struct __va_list_tag[1]) is built into the compiler, as in gcc. */
typedef __builtin_va_list va_list;
typedef __builtin_va_list __gnuc_va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)
#define va_copy(dest, src) __builtin_va_copy(dest, src)
#endif
