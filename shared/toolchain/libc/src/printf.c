/*
 * The printf family over one formatter. Conversions: d i u o x X c s p n %, flags - + space # 0,
 * width and precision (numbers or *), lengths hh h l ll j z t, and glibc's positional
 * arguments (%3$d, *2$) so format-string exercises behave as on Linux.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

int __stdio_write(FILE *f, const char *data, size_t length);
int __stdio_unbuffered(FILE *f);

/* Where formatted text goes: a string (bounded by `capacity`), a buffered stream piece by
   piece (`piecewise`), or an unbuffered stream or a descriptor through `chunk`. */
struct output {
  char *string;
  size_t capacity;
  FILE *stream;
  int piecewise;
  int fd;
  char *chunk;
  size_t chunk_size;
  size_t chunk_used;
  size_t count; /* characters produced so far, written or not */
  int failed;
  int invalid; /* the format ended inside a conversion: glibc returns -1 with EINVAL */
};

static void flush_chunk(struct output *out) {
  if (out->chunk_used == 0) return;
  if (out->stream != NULL) {
    if (__stdio_write(out->stream, out->chunk, out->chunk_used) != 0) out->failed = 1;
  } else {
    __write_all(out->fd, out->chunk, out->chunk_used);
  }
  out->chunk_used = 0;
}

static void emit(struct output *out, const char *text, size_t length) {
  if (out->chunk == NULL) {
    for (size_t i = 0; i < length; i++) {
      if (out->count + i + 1 < out->capacity) out->string[out->count + i] = text[i];
    }
  } else {
    for (size_t i = 0; i < length; i++) {
      if (out->chunk_used == out->chunk_size) flush_chunk(out);
      out->chunk[out->chunk_used++] = text[i];
    }
  }
  out->count += length;
}

static void emit_repeated(struct output *out, char c, long times) {
  for (long i = 0; i < times; i++) emit(out, &c, 1);
}

/* glibc 2.36's vfprintf hands a buffered stream its output in pieces, and those pieces decide
   when a small or nearly full buffer is written out (so how stdout interleaves with stderr):
   text runs and converted digits or strings go through the stream's xsputn (put_text), single
   characters such as signs, "0x" and %c through putc (put_char), and padding through _IO_padn,
   16 characters per xsputn (put_padding). */
static void put_text(struct output *out, const char *text, size_t length) {
  if (!out->piecewise) {
    emit(out, text, length);
    return;
  }
  if (length > 0 && __stdio_write(out->stream, text, length) != 0) out->failed = 1;
  out->count += length;
}

static void put_char(struct output *out, char c) {
  if (!out->piecewise) {
    emit(out, &c, 1);
    return;
  }
  if (fputc(c, out->stream) == EOF) out->failed = 1;
  out->count++;
}

static void put_padding(struct output *out, char c, long count) {
  if (!out->piecewise) {
    emit_repeated(out, c, count);
    return;
  }
  char block[16];
  memset(block, c, sizeof block);
  for (; count >= (long)sizeof block; count -= (long)sizeof block) put_text(out, block, sizeof block);
  if (count > 0) put_text(out, block, (size_t)count);
}

enum length_modifier { LENGTH_NONE, LENGTH_CHAR, LENGTH_SHORT, LENGTH_LONG, LENGTH_LONG_LONG, LENGTH_SIZE };

struct arguments {
  va_list *sequential;
  va_list *start; /* for positional arguments: a copy taken before the first one was read */
};

/* Every argument this printf reads is an integer or pointer, so each occupies one 8-byte slot
   and the n-th one is found by skipping n-1 slots of a fresh copy of the list. */
static unsigned long positional_slot(struct arguments *args, int position) {
  va_list walk;
  va_copy(walk, *args->start);
  for (int i = 1; i < position; i++) (void)va_arg(walk, unsigned long);
  unsigned long value = va_arg(walk, unsigned long);
  va_end(walk);
  return value;
}

static int int_argument(struct arguments *args, int position) {
  if (position > 0) return (int)positional_slot(args, position);
  return va_arg(*args->sequential, int);
}

static unsigned long long integer_argument(struct arguments *args, int position, enum length_modifier length) {
  if (position > 0) return positional_slot(args, position);
  if (length == LENGTH_LONG || length == LENGTH_LONG_LONG || length == LENGTH_SIZE) return va_arg(*args->sequential, unsigned long long);
  return va_arg(*args->sequential, unsigned int);
}

static void *pointer_argument(struct arguments *args, int position) {
  if (position > 0) return (void *)positional_slot(args, position);
  return va_arg(*args->sequential, void *);
}

/* Reads "123$" at *p: a position (1-based) if the digits end with '$', else 0 and *p unchanged. */
static int parse_position(const char **p) {
  const char *s = *p;
  int value = 0;
  if (*s < '1' || *s > '9') return 0;
  while (*s >= '0' && *s <= '9') value = value * 10 + (*s++ - '0');
  if (*s != '$') return 0;
  *p = s + 1;
  return value;
}

struct spec {
  int left;
  int plus;
  int space;
  int alternate;
  int zero;
  int group;
  long width;
  long precision; /* -1: none */
};

/* A string (%s, %m, "(nil)") or one character (%c), padded to the width. */
static void emit_padded(struct output *out, const struct spec *spec, const char *text, size_t length, int is_char) {
  long padding = spec->width - (long)length;
  if (!spec->left) put_padding(out, ' ', padding);
  if (is_char) put_char(out, text[0]);
  else put_text(out, text, length);
  if (spec->left) put_padding(out, ' ', padding);
}

/* A number, in the order glibc writes its parts: spaces, sign, 0x, zeros, digits (or, left
   aligned: sign, 0x, zeros, digits, spaces). The octal marker of %#o is part of the digits. */
static void emit_number(struct output *out, const struct spec *spec, unsigned long long magnitude, int negative, int is_signed,
                        int base, int upper, int is_pointer) {
  const char *alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char digits[32];
  char *end = digits + sizeof digits;
  char *string = end;
  long precision = spec->precision < 0 ? 1 : spec->precision;
  char pad = spec->zero && !spec->left && spec->precision < 0 ? '0' : ' ';
  if (precision == 0 && magnitude == 0) {
    if (base == 8 && spec->alternate) *--string = '0';
  } else {
    unsigned long long rest = magnitude;
    do {
      *--string = alphabet[rest % (unsigned)base];
      rest /= (unsigned)base;
    } while (rest != 0);
  }
  long length = end - string;
  if (precision <= length && magnitude != 0 && spec->alternate && base == 8) {
    *--string = '0';
    length++;
  }
  long zeros = precision > length ? precision - length : 0;
  char sign = 0;
  if (is_signed || is_pointer) sign = negative ? '-' : spec->plus ? '+' : spec->space ? ' ' : 0;
  int hex_prefix = magnitude != 0 && spec->alternate && base == 16;
  long width = spec->width;
  if (!spec->left) {
    width -= length + zeros + (hex_prefix ? 2 : 0) + (sign != 0);
    if (pad == ' ') {
      put_padding(out, ' ', width);
      width = 0;
    }
    if (sign) put_char(out, sign);
    if (hex_prefix) {
      put_char(out, '0');
      put_char(out, upper ? 'X' : 'x');
    }
    put_padding(out, '0', width + zeros);
    put_text(out, string, (size_t)length);
  } else {
    width -= length + zeros + (hex_prefix ? 2 : 0) + (sign != 0);
    if (sign) put_char(out, sign);
    if (hex_prefix) {
      put_char(out, '0');
      put_char(out, upper ? 'X' : 'x');
    }
    put_padding(out, '0', zeros);
    put_text(out, string, (size_t)length);
    put_padding(out, ' ', width);
  }
}

/* glibc's printf_unknown: an unknown conversion is printed from what was parsed — '%', the
   flags, the width and precision, the conversion character — without its length modifier. */
static void emit_unknown(struct output *out, const struct spec *spec, char conversion) {
  put_char(out, '%');
  if (spec->alternate) put_char(out, '#');
  if (spec->group) put_char(out, '\'');
  if (spec->plus) put_char(out, '+');
  else if (spec->space) put_char(out, ' ');
  if (spec->left) put_char(out, '-');
  if (spec->zero && !spec->left) put_char(out, '0');
  char digits[24];
  int n;
  if (spec->width != 0) {
    n = 0;
    for (long w = spec->width; w != 0; w /= 10) digits[n++] = (char)('0' + w % 10);
    while (n > 0) put_char(out, digits[--n]);
  }
  if (spec->precision != -1) {
    put_char(out, '.');
    n = 0;
    long w = spec->precision;
    do {
      digits[n++] = (char)('0' + w % 10);
      w /= 10;
    } while (w != 0);
    while (n > 0) put_char(out, digits[--n]);
  }
  put_char(out, conversion);
}

static void format(struct output *out, const char *fmt, va_list ap) {
  va_list start;
  va_list sequential;
  va_copy(start, ap);
  va_copy(sequential, ap);
  struct arguments args;
  args.sequential = &sequential;
  args.start = &start;
  for (const char *p = fmt; *p != '\0'; p++) {
    if (*p != '%') {
      const char *run = p;
      while (p[1] != '\0' && p[1] != '%') p++;
      put_text(out, run, (size_t)(p - run + 1));
      continue;
    }
    p++;
    if (*p == '%') {
      put_char(out, '%');
      continue;
    }
    struct spec spec;
    memset(&spec, 0, sizeof spec);
    spec.precision = -1;
    int position = parse_position(&p);
    for (;; p++) {
      if (*p == '-') spec.left = 1;
      else if (*p == '+') spec.plus = 1;
      else if (*p == ' ') spec.space = 1;
      else if (*p == '#') spec.alternate = 1;
      else if (*p == '0') spec.zero = 1;
      else if (*p == '\'') spec.group = 1; /* thousands grouping: none in the C locale */
      else break;
    }
    if (*p == '*') {
      p++;
      int width_position = parse_position(&p);
      int width = int_argument(&args, width_position);
      if (width < 0) {
        spec.left = 1;
        spec.width = -(long)width;
      } else {
        spec.width = width;
      }
    } else {
      while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
    }
    if (*p == '.') {
      p++;
      if (*p == '*') {
        p++;
        int precision_position = parse_position(&p);
        int precision = int_argument(&args, precision_position);
        spec.precision = precision < 0 ? -1 : precision;
      } else {
        spec.precision = 0;
        while (*p >= '0' && *p <= '9') spec.precision = spec.precision * 10 + (*p++ - '0');
      }
    }
    enum length_modifier length = LENGTH_NONE;
    if (*p == 'h') {
      p++;
      length = LENGTH_SHORT;
      if (*p == 'h') {
        p++;
        length = LENGTH_CHAR;
      }
    } else if (*p == 'l') {
      p++;
      length = LENGTH_LONG;
      if (*p == 'l') {
        p++;
        length = LENGTH_LONG_LONG;
      }
    } else if (*p == 'q' || *p == 'L') {
      p++;
      length = LENGTH_LONG_LONG;
    } else if (*p == 'j' || *p == 'z' || *p == 'Z' || *p == 't') {
      p++;
      length = LENGTH_SIZE;
    }
    char conversion = *p;
    switch (conversion) {
      case 'd':
      case 'i': {
        unsigned long long raw = integer_argument(&args, position, length);
        long long value;
        if (length == LENGTH_CHAR) value = (signed char)raw;
        else if (length == LENGTH_SHORT) value = (short)raw;
        else if (length == LENGTH_NONE) value = (int)raw;
        else value = (long long)raw;
        unsigned long long magnitude = value < 0 ? 0 - (unsigned long long)value : (unsigned long long)value;
        emit_number(out, &spec, magnitude, value < 0, 1, 10, 0, 0);
        break;
      }
      case 'u':
      case 'o':
      case 'x':
      case 'X': {
        unsigned long long value = integer_argument(&args, position, length);
        if (length == LENGTH_CHAR) value = (unsigned char)value;
        else if (length == LENGTH_SHORT) value = (unsigned short)value;
        else if (length == LENGTH_NONE) value = (unsigned int)value;
        int base = conversion == 'u' ? 10 : conversion == 'o' ? 8 : 16;
        emit_number(out, &spec, value, 0, 0, base, conversion == 'X', 0);
        break;
      }
      case 'p': {
        void *pointer = pointer_argument(&args, position);
        if (pointer == NULL) {
          emit_padded(out, &spec, "(nil)", 5, 0);
        } else {
          spec.alternate = 1;
          emit_number(out, &spec, (unsigned long long)(uintptr_t)pointer, 0, 0, 16, 0, 1);
        }
        break;
      }
      case 'c': {
        char c = (char)int_argument(&args, position);
        emit_padded(out, &spec, &c, 1, 1);
        break;
      }
      case 's': {
        const char *s = pointer_argument(&args, position);
        if (s == NULL) s = spec.precision < 0 || spec.precision >= 6 ? "(null)" : "";
        size_t n = spec.precision < 0 ? strlen(s) : strnlen(s, (size_t)spec.precision);
        emit_padded(out, &spec, s, n, 0);
        break;
      }
      case 'n': {
        void *target = pointer_argument(&args, position);
        if (length == LENGTH_CHAR) *(signed char *)target = (signed char)out->count;
        else if (length == LENGTH_SHORT) *(short *)target = (short)out->count;
        else if (length == LENGTH_NONE) *(int *)target = (int)out->count;
        else *(long long *)target = (long long)out->count;
        break;
      }
      case 'm': {
        /* glibc's extension: the message for the current errno, printed like %s. */
        const char *message = strerror(errno);
        size_t n = spec.precision < 0 ? strlen(message) : strnlen(message, (size_t)spec.precision);
        emit_padded(out, &spec, message, n, 0);
        break;
      }
      case '%':
        put_char(out, '%');
        break;
      case '\0':
        /* The format ends inside a conversion ("%", "%5", "%l"): glibc stops there and fails. */
        out->invalid = 1;
        errno = EINVAL;
        break;
      default:
        emit_unknown(out, &spec, conversion);
        break;
    }
    if (out->invalid) break;
  }
  va_end(sequential);
  va_end(start);
}

static int finish(struct output *out) {
  if (out->chunk != NULL) flush_chunk(out);
  if (out->failed || out->invalid) return -1;
  return out->count > 0x7fffffff ? -1 : (int)out->count;
}

int vsnprintf(char *str, size_t size, const char *fmt, va_list ap) {
  struct output out;
  memset(&out, 0, sizeof out);
  out.string = str;
  out.capacity = size;
  format(&out, fmt, ap);
  if (size > 0) str[out.count < size ? out.count : size - 1] = '\0';
  return finish(&out);
}

int vsprintf(char *str, const char *fmt, va_list ap) { return vsnprintf(str, (size_t)-1 >> 1, fmt, ap); }

int vfprintf(FILE *stream, const char *fmt, va_list ap) {
  /* A buffered stream gets glibc's pieces; an unbuffered one (glibc's buffered_vfprintf) gets
     the text formatted in a helper buffer of BUFSIZ bytes, so that one printf is one write. */
  char chunk[BUFSIZ];
  struct output out;
  memset(&out, 0, sizeof out);
  out.stream = stream;
  if (__stdio_unbuffered(stream)) {
    out.chunk = chunk;
    out.chunk_size = sizeof chunk;
  } else {
    out.piecewise = 1;
  }
  format(&out, fmt, ap);
  return finish(&out);
}

int vdprintf(int fd, const char *fmt, va_list ap) {
  char chunk[BUFSIZ];
  struct output out;
  memset(&out, 0, sizeof out);
  out.fd = fd;
  out.chunk = chunk;
  out.chunk_size = sizeof chunk;
  format(&out, fmt, ap);
  return finish(&out);
}

int vprintf(const char *fmt, va_list ap) { return vfprintf(stdout, fmt, ap); }

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfprintf(stdout, fmt, ap);
  va_end(ap);
  return n;
}

int fprintf(FILE *stream, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfprintf(stream, fmt, ap);
  va_end(ap);
  return n;
}

int dprintf(int fd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vdprintf(fd, fmt, ap);
  va_end(ap);
  return n;
}

int sprintf(char *str, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsprintf(str, fmt, ap);
  va_end(ap);
  return n;
}

int snprintf(char *str, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(str, size, fmt, ap);
  va_end(ap);
  return n;
}
