// <ctype.h> classification and case mapping over all bytes, plus a Caesar cipher.
#include <stdio.h>
#include <ctype.h>
#include <string.h>

int main(void) {
  int counts[6] = {0};
  for (int c = 0; c < 256; c++) {
    counts[0] += isalpha(c) != 0;
    counts[1] += isdigit(c) != 0;
    counts[2] += isspace(c) != 0;
    counts[3] += ispunct(c) != 0;
    counts[4] += isupper(c) != 0;
    counts[5] += isprint(c) != 0;
  }
  printf("alpha %d digit %d space %d punct %d upper %d print %d\n", counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
  char text[] = "Memory Is Just Bytes: 0x41 == 'A'!";
  for (size_t i = 0; i < strlen(text); i++) text[i] = (char)(islower((unsigned char)text[i]) ? toupper((unsigned char)text[i]) : tolower((unsigned char)text[i]));
  puts(text);
  for (size_t i = 0; text[i]; i++)
    if (isalpha((unsigned char)text[i])) {
      char base = isupper((unsigned char)text[i]) ? 'A' : 'a';
      text[i] = (char)(base + (text[i] - base + 13) % 26);
    }
  puts(text);
  return 0;
}
