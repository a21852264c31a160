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

/* Where formatted text goes: a string (bounded by `capacity`) or a stream, through `chunk`. */
struct output {
  char *string;
  size_t capacity;
  FILE *stream;
  int fd;
  char *chunk;
  size_t chunk_size;
  size_t chunk_used;
  size_t count; /* characters produced so far, written or not */
  int failed;
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
  long width;
  long precision; /* -1: none */
};

static void emit_padded_text(struct output *out, const struct spec *spec, const char *text, size_t length) {
  long padding = spec->width - (long)length;
  if (!spec->left) emit_repeated(out, ' ', padding);
  emit(out, text, length);
  if (spec->left) emit_repeated(out, ' ', padding);
}

static void emit_number(struct output *out, const struct spec *spec, unsigned long long magnitude, int negative, int is_signed,
                        int base, int upper, int is_pointer) {
  char digits[32];
  int digit_count = 0;
  const char *alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  if (!(magnitude == 0 && spec->precision == 0)) {
    do {
      digits[digit_count++] = alphabet[magnitude % (unsigned)base];
      magnitude /= (unsigned)base;
    } while (magnitude != 0);
  }
  int zero_value = digit_count == 0 || (digit_count == 1 && digits[0] == '0');
  char prefix[3];
  int prefix_length = 0;
  if (is_signed || is_pointer) {
    if (negative) prefix[prefix_length++] = '-';
    else if (spec->plus) prefix[prefix_length++] = '+';
    else if (spec->space) prefix[prefix_length++] = ' ';
  }
  if (spec->alternate && base == 16 && !zero_value) {
    prefix[prefix_length++] = '0';
    prefix[prefix_length++] = upper ? 'X' : 'x';
  }
  long precision_zeros = spec->precision > digit_count ? spec->precision - digit_count : 0;
  /* %#o: the result starts with a 0, adding one only if the digits do not already. */
  if (spec->alternate && base == 8 && precision_zeros == 0 && (digit_count == 0 || digits[digit_count - 1] != '0')) precision_zeros = 1;
  long body = prefix_length + precision_zeros + digit_count;
  long padding = spec->width > body ? spec->width - body : 0;
  int zero_pad = spec->zero && !spec->left && spec->precision < 0;
  if (!spec->left && !zero_pad) emit_repeated(out, ' ', padding);
  emit(out, prefix, (size_t)prefix_length);
  if (zero_pad) emit_repeated(out, '0', padding);
  emit_repeated(out, '0', precision_zeros);
  while (digit_count > 0) emit(out, &digits[--digit_count], 1);
  if (spec->left) emit_repeated(out, ' ', padding);
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
      emit(out, run, (size_t)(p - run + 1));
      continue;
    }
    const char *spec_start = p;
    p++;
    if (*p == '%') {
      emit(out, "%", 1);
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
      else if (*p == '\'') continue; /* thousands grouping: none in the C locale */
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
          emit_padded_text(out, &spec, "(nil)", 5);
        } else {
          spec.alternate = 1;
          emit_number(out, &spec, (unsigned long long)(uintptr_t)pointer, 0, 0, 16, 0, 1);
        }
        break;
      }
      case 'c': {
        char c = (char)int_argument(&args, position);
        emit_padded_text(out, &spec, &c, 1);
        break;
      }
      case 's': {
        const char *s = pointer_argument(&args, position);
        if (s == NULL) s = spec.precision < 0 || spec.precision >= 6 ? "(null)" : "";
        size_t n = spec.precision < 0 ? strlen(s) : strnlen(s, (size_t)spec.precision);
        emit_padded_text(out, &spec, s, n);
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
        emit_padded_text(out, &spec, message, n);
        break;
      }
      case '%':
        emit(out, "%", 1);
        break;
      case '\0':
        /* A lone '%' at the end of the format: glibc prints nothing for it. */
        p--;
        break;
      default:
        /* An unknown conversion is printed as written, like glibc does. */
        emit(out, spec_start, (size_t)(p - spec_start + 1));
        break;
    }
  }
  va_end(sequential);
  va_end(start);
}

static int finish(struct output *out) {
  if (out->chunk != NULL) flush_chunk(out);
  if (out->failed) return -1;
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
  /* Text goes to the stream in pieces; glibc formats an unbuffered stream's output in a
     helper buffer of BUFSIZ bytes so that one printf is one write. */
  char chunk[BUFSIZ];
  struct output out;
  memset(&out, 0, sizeof out);
  out.stream = stream;
  out.chunk = chunk;
  out.chunk_size = sizeof chunk;
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
