/* The environment: getenv, setenv, unsetenv over `environ`; system(). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t name_length(const char *name) {
  size_t n = 0;
  while (name[n] != '\0' && name[n] != '=') n++;
  return n;
}

char *getenv(const char *name) {
  size_t length = strlen(name);
  if (environ == NULL || length == 0) return NULL;
  for (char **entry = environ; *entry != NULL; entry++)
    if (strncmp(*entry, name, length) == 0 && (*entry)[length] == '=') return *entry + length + 1;
  return NULL;
}

/* The array setenv last allocated (so it can be grown or freed instead of leaking). */
static char **owned_environ;

int setenv(const char *name, const char *value, int overwrite) {
  if (name == NULL || *name == '\0' || name[name_length(name)] == '=') {
    errno = EINVAL;
    return -1;
  }
  size_t length = strlen(name);
  size_t count = 0;
  char **found = NULL;
  if (environ != NULL)
    for (char **entry = environ; *entry != NULL; entry++, count++)
      if (found == NULL && strncmp(*entry, name, length) == 0 && (*entry)[length] == '=') found = entry;
  if (found != NULL && !overwrite) return 0;
  size_t value_length = strlen(value);
  char *pair = malloc(length + value_length + 2);
  if (pair == NULL) return -1;
  memcpy(pair, name, length);
  pair[length] = '=';
  memcpy(pair + length + 1, value, value_length + 1);
  if (found != NULL) {
    *found = pair;
    return 0;
  }
  char **grown = malloc((count + 2) * sizeof *grown);
  if (grown == NULL) {
    free(pair);
    return -1;
  }
  for (size_t i = 0; i < count; i++) grown[i] = environ[i];
  grown[count] = pair;
  grown[count + 1] = NULL;
  free(owned_environ);
  owned_environ = grown;
  environ = grown;
  return 0;
}

int unsetenv(const char *name) {
  if (name == NULL || *name == '\0' || name[name_length(name)] == '=') {
    errno = EINVAL;
    return -1;
  }
  if (environ == NULL) return 0;
  size_t length = strlen(name);
  char **out = environ;
  for (char **entry = environ; *entry != NULL; entry++)
    if (!(strncmp(*entry, name, length) == 0 && (*entry)[length] == '=')) *out++ = *entry;
  *out = NULL;
  return 0;
}

/* Memscape runs a single process (no fork/exec yet), so there is no shell to run a command:
   system(NULL) answers "no shell available" (0) and any command fails with ENOSYS. */
int system(const char *command) {
  if (command == NULL) return 0;
  errno = ENOSYS;
  return -1;
}
