// An open-addressing hash table of strings (FNV-1a) with growth and lookups.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

struct entry { char *key; int value; };
static struct entry *table;
static size_t capacity = 8, used;

static uint64_t fnv1a(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  while (*s) { h ^= (unsigned char)*s++; h *= 0x100000001b3ULL; }
  return h;
}

static void put(char *key, int value);
static void grow(void) {
  struct entry *old = table;
  size_t old_capacity = capacity;
  capacity *= 2;
  table = calloc(capacity, sizeof *table);
  used = 0;
  for (size_t i = 0; i < old_capacity; i++)
    if (old[i].key) put(old[i].key, old[i].value);
  free(old);
}

static void put(char *key, int value) {
  if ((used + 1) * 4 > capacity * 3) grow();
  size_t i = fnv1a(key) & (capacity - 1);
  while (table[i].key && strcmp(table[i].key, key) != 0) i = (i + 1) & (capacity - 1);
  if (!table[i].key) { table[i].key = key; used++; } else free(key);
  table[i].value = value;
}

static int get(const char *key) {
  size_t i = fnv1a(key) & (capacity - 1);
  while (table[i].key) {
    if (strcmp(table[i].key, key) == 0) return table[i].value;
    i = (i + 1) & (capacity - 1);
  }
  return -1;
}

int main(void) {
  table = calloc(capacity, sizeof *table);
  char buf[32];
  for (int i = 0; i < 3000; i++) {
    snprintf(buf, sizeof buf, "key-%d", i * 37 % 2000);
    put(strdup(buf), i);
  }
  printf("used %zu capacity %zu\n", used, capacity);
  const char *probe[] = {"key-0", "key-1999", "key-37", "key-2000", "nothing"};
  for (int i = 0; i < 5; i++) printf("%s -> %d\n", probe[i], get(probe[i]));
  printf("fnv1a(\"memscape\") = %016llx\n", (unsigned long long)fnv1a("memscape"));
  for (size_t i = 0; i < capacity; i++) free(table[i].key);
  free(table);
  return 0;
}
