/* Reading a file through a pointer. mmap() asks the kernel to map a file into the address
 * space: afterwards the file's bytes simply are memory, and reading mapped[i] reads the file,
 * with no read() call at all. The program creates notes.txt, writes two lines into it, maps
 * it and closes the descriptor (the mapping stays). It stops at the first read through the
 * pointer: find the new area named notes.txt in the Regions pane (or type `vmmap`), look at
 * it with `x/s mapped` or in the Hex dump, then press Next to read the first byte and Continue
 * to print the whole file from memory.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
  const char *text = "Memory-mapped notes.\nRead through a pointer.\n";
  size_t length = strlen(text);

  int fd = open("notes.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    perror("open");
    return 1;
  }
  if (write(fd, text, length) != (ssize_t)length) {
    perror("write");
    return 1;
  }

  /* NULL: let the kernel choose the address. PROT_READ: the mapping is read-only.
   * MAP_PRIVATE: writes, if we were allowed any, would stay in this process. */
  char *mapped = mmap(NULL, length, PROT_READ, MAP_PRIVATE, fd, 0);
  if (mapped == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  close(fd);                      /* the mapping keeps the file's bytes reachable */

  char first_byte = mapped[0];    // ◀ break here
  printf("first byte: '%c'\n", first_byte);
  printf("the whole file, read from %p:\n%.*s", (void *)mapped, (int)length, mapped);

  munmap(mapped, length);
  unlink("notes.txt");
  return 0;
}
