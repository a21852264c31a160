/* The scanf family: d i u o x X s c [set] n %, widths, '*' (no assignment), lengths hh h l ll j z t. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Characters come from a stream or a string; one character of look-ahead is pushed back. */
struct input {
  FILE *stream;
  const char *string;
  long consumed;
};

static int next_char(struct input *in) {
  int c;
  if (in->stream != NULL) {
    c = fgetc(in->stream);
  } else {
    c = *in->string == '\0' ? EOF : (unsigned char)*in->string++;
  }
  if (c != EOF) in->consumed++;
  return c;
}

static void push_back(struct input *in, int c) {
  if (c == EOF) return;
  in->consumed--;
  if (in->stream != NULL) ungetc(c, in->stream);
  else in->string--;
}

static int skip_space(struct input *in) {
  int c;
  do c = next_char(in);
  while (c != EOF && isspace(c));
  push_back(in, c);
  return c;
}

static int digit_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

/* Reads an integer of at most `width` characters (0: no limit) into `text`; returns its length
   (0 when no digit could be read: a matching failure). `base` 0 means C's prefixes decide. */
static int read_integer(struct input *in, char *text, int capacity, long width, int base) {
  if (width <= 0 || width > capacity - 1) width = capacity - 1;
  int n = 0;
  int c = next_char(in);
  if ((c == '+' || c == '-') && n < width) {
    text[n++] = (char)c;
    c = next_char(in);
  }
  int digits = 0;
  if (c == '0' && n < width && (base == 0 || base == 16)) {
    text[n++] = (char)c;
    digits++;
    c = next_char(in);
    if ((c == 'x' || c == 'X') && n < width) {
      /* glibc consumes the "0x" even when no hex digit follows, and the '0' alone is the number. */
      text[n++] = (char)c;
      base = 16;
      c = next_char(in);
    } else if (base == 0) {
      base = 8;
    }
  }
  if (base == 0) base = 10;
  while (c != EOF && n < width && digit_value(c) < base) {
    text[n++] = (char)c;
    digits++;
    c = next_char(in);
  }
  push_back(in, c);
  text[n] = '\0';
  return digits > 0 ? n : 0;
}

/* Membership in a %[...] set; "a-z" is a range unless the '-' is first or last. */
static int in_scanset(const char *set, size_t length, int c) {
  for (size_t i = 0; i < length; i++) {
    if (i + 2 < length && set[i + 1] == '-') {
      if (c >= (unsigned char)set[i] && c <= (unsigned char)set[i + 2]) return 1;
      i += 2;
    } else if ((unsigned char)set[i] == c) {
      return 1;
    }
  }
  return 0;
}

enum scan_length { SCAN_INT, SCAN_CHAR, SCAN_SHORT, SCAN_LONG, SCAN_LONG_LONG };

static void store_integer(void *target, enum scan_length length, unsigned long long value) {
  switch (length) {
    case SCAN_CHAR:
      *(char *)target = (char)value;
      break;
    case SCAN_SHORT:
      *(short *)target = (short)value;
      break;
    case SCAN_LONG:
      *(long *)target = (long)value;
      break;
    case SCAN_LONG_LONG:
      *(long long *)target = (long long)value;
      break;
    case SCAN_INT:
      *(int *)target = (int)value;
      break;
  }
}

static int scan(struct input *in, const char *fmt, va_list ap) {
  va_list args;
  va_copy(args, ap);
  int assigned = 0;
  int conversions = 0;
  int input_failure = 0;
  for (const char *p = fmt; *p != '\0'; p++) {
    if (isspace((unsigned char)*p)) {
      skip_space(in);
      continue;
    }
    if (*p != '%' || p[1] == '%') {
      if (*p == '%') {
        p++;
        skip_space(in);
      }
      int c = next_char(in);
      if (c != (unsigned char)*p) {
        if (c == EOF) input_failure = 1;
        push_back(in, c);
        break;
      }
      continue;
    }
    p++;
    int suppress = 0;
    if (*p == '*') {
      suppress = 1;
      p++;
    }
    long width = 0;
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    enum scan_length length = SCAN_INT;
    if (*p == 'h') {
      p++;
      length = SCAN_SHORT;
      if (*p == 'h') {
        p++;
        length = SCAN_CHAR;
      }
    } else if (*p == 'l') {
      p++;
      length = SCAN_LONG;
      if (*p == 'l') {
        p++;
        length = SCAN_LONG_LONG;
      }
    } else if (*p == 'L' || *p == 'q') {
      p++;
      length = SCAN_LONG_LONG;
    } else if (*p == 'j' || *p == 'z' || *p == 't') {
      p++;
      length = SCAN_LONG;
    }
    char conversion = *p;
    if (conversion == 'n') {
      if (!suppress) store_integer(va_arg(args, void *), length, (unsigned long long)in->consumed);
      continue;
    }
    if (conversion != 'c' && conversion != '[') {
      if (skip_space(in) == EOF) {
        input_failure = 1;
        break;
      }
    }
    if (conversion == 'd' || conversion == 'i' || conversion == 'u' || conversion == 'o' || conversion == 'x' || conversion == 'X') {
      int base = conversion == 'i' ? 0 : conversion == 'o' ? 8 : (conversion == 'x' || conversion == 'X') ? 16 : 10;
      char text[72];
      if (read_integer(in, text, sizeof text, width, base) == 0) break;
      unsigned long long value = conversion == 'd' || conversion == 'i' ? (unsigned long long)strtoll(text, NULL, base) : strtoull(text, NULL, base);
      if (!suppress) {
        store_integer(va_arg(args, void *), length, value);
        assigned++;
      }
      conversions++;
    } else if (conversion == 's') {
      char *out = suppress ? NULL : va_arg(args, char *);
      long n = 0;
      int c;
      while ((width == 0 || n < width) && (c = next_char(in)) != EOF) {
        if (isspace(c)) {
          push_back(in, c);
          break;
        }
        if (out != NULL) out[n] = (char)c;
        n++;
      }
      if (out != NULL) {
        out[n] = '\0';
        assigned++;
      }
      conversions++;
    } else if (conversion == 'c') {
      if (width == 0) width = 1;
      char *out = suppress ? NULL : va_arg(args, char *);
      long n = 0;
      int c = 0;
      while (n < width && (c = next_char(in)) != EOF) {
        if (out != NULL) out[n] = (char)c;
        n++;
      }
      if (n == 0) {
        input_failure = 1;
        break;
      }
      if (out != NULL) assigned++;
      conversions++;
    } else if (conversion == '[') {
      /* The set: "^" negates; a ']' right after "[" or "[^" is a member. */
      p++;
      int negate = 0;
      if (*p == '^') {
        negate = 1;
        p++;
      }
      const char *set = p;
      if (*p == ']') p++;
      while (*p != '\0' && *p != ']') p++;
      size_t set_length = (size_t)(p - set);
      if (*p == '\0') break;
      char *out = suppress ? NULL : va_arg(args, char *);
      long n = 0;
      int c;
      while ((width == 0 || n < width) && (c = next_char(in)) != EOF) {
        int member = in_scanset(set, set_length, c);
        if (member == negate) {
          push_back(in, c);
          break;
        }
        if (out != NULL) out[n] = (char)c;
        n++;
      }
      if (n == 0) break;
      if (out != NULL) {
        out[n] = '\0';
        assigned++;
      }
      conversions++;
    } else {
      break;
    }
  }
  va_end(args);
  if (input_failure && conversions == 0) return EOF;
  return assigned;
}

int vfscanf(FILE *stream, const char *fmt, va_list ap) {
  struct input in = {stream, NULL, 0};
  return scan(&in, fmt, ap);
}

int vsscanf(const char *str, const char *fmt, va_list ap) {
  struct input in = {NULL, str, 0};
  return scan(&in, fmt, ap);
}

int scanf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfscanf(stdin, fmt, ap);
  va_end(ap);
  return n;
}

int fscanf(FILE *stream, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfscanf(stream, fmt, ap);
  va_end(ap);
  return n;
}

int sscanf(const char *str, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsscanf(str, fmt, ap);
  va_end(ap);
  return n;
}
