// <string.h> at work: the SSE2 string routines glibc selects, on aligned and unaligned data.
#include <stdio.h>
#include <string.h>

int main(void) {
  char buf[128] = "Hello";
  strcat(buf, ", ");
  strncat(buf, "world!!!", 6);
  printf("%s (%zu)\n", buf, strlen(buf));
  printf("strcmp: %d %d %d\n", strcmp("abc", "abd") < 0, strcmp("b", "a") > 0, strcmp("same", "same"));
  printf("strncmp: %d\n", strncmp("prefix-one", "prefix-two", 7));
  printf("strchr: %s | strrchr: %s\n", strchr(buf, 'o'), strrchr(buf, 'o'));
  printf("strstr: %s\n", strstr("the haystack with a needle inside", "needle"));
  printf("strspn %zu strcspn %zu\n", strspn("aaabbbccc", "ab"), strcspn("hello world", " "));
  char text[] = "alpha,beta,,gamma;delta";
  for (char *tok = strtok(text, ",;"); tok; tok = strtok(NULL, ",;")) printf("token [%s]\n", tok);
  char move[32] = "0123456789";
  memmove(move + 3, move, 10);
  printf("memmove: %s\n", move);
  memset(move, '*', 5);
  printf("memset: %.12s\n", move);
  printf("memcmp: %d\n", memcmp("abcdef", "abcdeg", 6) < 0);
  char longer[300];
  for (int i = 0; i < 299; i++) longer[i] = (char)('a' + i % 26);
  longer[299] = 0;
  for (int off = 0; off < 17; off++) printf("%zu ", strlen(longer + off));
  putchar('\n');
  printf("memchr found at %td\n", (char *)memchr(longer, 'z', sizeof longer) - longer);
  char dst[300];
  strcpy(dst, longer + 5);
  printf("strcpy tail: %s\n", dst + 280);
  return 0;
}
