/* <string.h>: byte-at-a-time versions, so a learner stepping through them sees plain loops. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void *memcpy(void *dest, const void *src, size_t n) {
  unsigned char *d = dest;
  const unsigned char *s = src;
  while (n-- > 0) *d++ = *s++;
  return dest;
}

void *memmove(void *dest, const void *src, size_t n) {
  unsigned char *d = dest;
  const unsigned char *s = src;
  if (d < s) {
    while (n-- > 0) *d++ = *s++;
  } else if (d > s) {
    while (n-- > 0) d[n] = s[n];
  }
  return dest;
}

void *memset(void *s, int c, size_t n) {
  unsigned char *p = s;
  while (n-- > 0) *p++ = (unsigned char)c;
  return s;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a;
  const unsigned char *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] - y[i];
  return 0;
}

void *memchr(const void *s, int c, size_t n) {
  const unsigned char *p = s;
  for (size_t i = 0; i < n; i++)
    if (p[i] == (unsigned char)c) return (void *)(p + i);
  return NULL;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n] != '\0') n++;
  return n;
}

size_t strnlen(const char *s, size_t maxlen) {
  size_t n = 0;
  while (n < maxlen && s[n] != '\0') n++;
  return n;
}

char *strcpy(char *dest, const char *src) {
  char *d = dest;
  while ((*d++ = *src++) != '\0') {
  }
  return dest;
}

char *strncpy(char *dest, const char *src, size_t n) {
  size_t i = 0;
  for (; i < n && src[i] != '\0'; i++) dest[i] = src[i];
  for (; i < n; i++) dest[i] = '\0';
  return dest;
}

char *strcat(char *dest, const char *src) {
  strcpy(dest + strlen(dest), src);
  return dest;
}

char *strncat(char *dest, const char *src, size_t n) {
  char *d = dest + strlen(dest);
  size_t i = 0;
  for (; i < n && src[i] != '\0'; i++) d[i] = src[i];
  d[i] = '\0';
  return dest;
}

int strcmp(const char *a, const char *b) {
  const unsigned char *x = (const unsigned char *)a;
  const unsigned char *y = (const unsigned char *)b;
  while (*x != '\0' && *x == *y) {
    x++;
    y++;
  }
  return *x - *y;
}

int strncmp(const char *a, const char *b, size_t n) {
  const unsigned char *x = (const unsigned char *)a;
  const unsigned char *y = (const unsigned char *)b;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i] || x[i] == '\0') return x[i] - y[i];
  }
  return 0;
}

char *strchr(const char *s, int c) {
  for (;; s++) {
    if (*s == (char)c) return (char *)s;
    if (*s == '\0') return NULL;
  }
}

char *strrchr(const char *s, int c) {
  const char *found = NULL;
  for (;; s++) {
    if (*s == (char)c) found = s;
    if (*s == '\0') return (char *)found;
  }
}

char *strstr(const char *haystack, const char *needle) {
  size_t length = strlen(needle);
  for (; *haystack != '\0' || length == 0; haystack++)
    if (strncmp(haystack, needle, length) == 0) return (char *)haystack;
  return NULL;
}

char *strdup(const char *s) {
  size_t size = strlen(s) + 1;
  char *copy = malloc(size);
  if (copy != NULL) memcpy(copy, s, size);
  return copy;
}

char *strndup(const char *s, size_t n) {
  size_t length = strnlen(s, n);
  char *copy = malloc(length + 1);
  if (copy == NULL) return NULL;
  memcpy(copy, s, length);
  copy[length] = '\0';
  return copy;
}

size_t strspn(const char *s, const char *accept) {
  size_t n = 0;
  while (s[n] != '\0' && strchr(accept, s[n]) != NULL) n++;
  return n;
}

size_t strcspn(const char *s, const char *reject) {
  size_t n = 0;
  while (s[n] != '\0' && strchr(reject, s[n]) == NULL) n++;
  return n;
}

char *strpbrk(const char *s, const char *accept) {
  s += strcspn(s, accept);
  return *s != '\0' ? (char *)s : NULL;
}

char *strtok_r(char *s, const char *delim, char **saveptr) {
  if (s == NULL) s = *saveptr;
  s += strspn(s, delim);
  if (*s == '\0') {
    *saveptr = s;
    return NULL;
  }
  char *end = s + strcspn(s, delim);
  if (*end != '\0') *end++ = '\0';
  *saveptr = end;
  return s;
}

char *strtok(char *s, const char *delim) {
  static char *saved;
  return strtok_r(s, delim, &saved);
}

char *stpcpy(char *dest, const char *src) {
  while ((*dest = *src++) != '\0') dest++;
  return dest;
}

char *strsep(char **stringp, const char *delim) {
  char *start = *stringp;
  if (start == NULL) return NULL;
  char *end = start + strcspn(start, delim);
  if (*end != '\0') {
    *end = '\0';
    *stringp = end + 1;
  } else {
    *stringp = NULL;
  }
  return start;
}

void *memccpy(void *dest, const void *src, int c, size_t n) {
  unsigned char *d = dest;
  const unsigned char *s = src;
  for (size_t i = 0; i < n; i++) {
    d[i] = s[i];
    if (s[i] == (unsigned char)c) return d + i + 1;
  }
  return NULL;
}

int strcasecmp(const char *a, const char *b) {
  const unsigned char *x = (const unsigned char *)a;
  const unsigned char *y = (const unsigned char *)b;
  while (*x != '\0' && tolower(*x) == tolower(*y)) {
    x++;
    y++;
  }
  return tolower(*x) - tolower(*y);
}

int strncasecmp(const char *a, const char *b, size_t n) {
  const unsigned char *x = (const unsigned char *)a;
  const unsigned char *y = (const unsigned char *)b;
  for (size_t i = 0; i < n; i++) {
    if (tolower(x[i]) != tolower(y[i]) || x[i] == '\0') return tolower(x[i]) - tolower(y[i]);
  }
  return 0;
}
