/*
 * FILE streams with glibc's buffering rules: a stream's buffer is malloc'ed on its first read or
 * write, sized min(st_blksize, BUFSIZ); a stream on a terminal (fstat says character device and
 * ioctl(TCGETS) succeeds) is line buffered, anything else fully buffered; stderr is unbuffered.
 * Reading from a line-buffered or unbuffered stream first flushes a line-buffered stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

#define _IO_MAGIC 0xFBAD0000
#define _IO_USER_BUF 0x0001
#define _IO_UNBUFFERED 0x0002
#define _IO_NO_READS 0x0004
#define _IO_NO_WRITES 0x0008
#define _IO_EOF_SEEN 0x0010
#define _IO_ERR_SEEN 0x0020
#define _IO_LINKED 0x0080
#define _IO_IN_BACKUP 0x0100
#define _IO_LINE_BUF 0x0200
#define _IO_CURRENTLY_PUTTING 0x0800
#define _IO_IS_APPENDING 0x1000

#define S_IFMT 0170000
#define S_IFCHR 0020000

static FILE stdin_file = {._flags = (int)(_IO_MAGIC | _IO_LINKED | _IO_NO_WRITES), ._fileno = 0};
static FILE stdout_file = {._flags = (int)(_IO_MAGIC | _IO_LINKED | _IO_NO_READS), ._fileno = 1, ._chain = &stdin_file};
static FILE stderr_file = {._flags = (int)(_IO_MAGIC | _IO_LINKED | _IO_NO_READS | _IO_UNBUFFERED), ._fileno = 2, ._chain = &stdout_file};

FILE *stdin = &stdin_file;
FILE *stdout = &stdout_file;
FILE *stderr = &stderr_file;
static FILE *all_streams = &stderr_file;

/* _IO_file_doallocate: pick the buffer size and line buffering from fstat, then malloc it. */
static int allocate_buffer(FILE *f) {
  if (f->_flags & _IO_UNBUFFERED) {
    f->_IO_buf_base = f->_shortbuf;
    f->_IO_buf_end = f->_shortbuf + 1;
  } else {
    size_t size = BUFSIZ;
    unsigned long st[18]; /* struct stat: st_mode is the low half of word 3, st_blksize word 7 */
    if (f->_fileno >= 0 && __syscall6(SYS_fstat, f->_fileno, (long)st, 0, 0, 0, 0) >= 0) {
      unsigned int mode = (unsigned int)st[3];
      long blksize = (long)st[7];
      if ((mode & S_IFMT) == S_IFCHR && isatty(f->_fileno)) f->_flags |= _IO_LINE_BUF;
      if (blksize > 0 && blksize < BUFSIZ) size = (size_t)blksize;
    }
    char *buffer = malloc(size);
    if (buffer == NULL) return EOF;
    f->_IO_buf_base = buffer;
    f->_IO_buf_end = buffer + size;
  }
  f->_IO_read_base = f->_IO_read_ptr = f->_IO_read_end = f->_IO_buf_base;
  f->_IO_write_base = f->_IO_write_ptr = f->_IO_buf_base;
  return 0;
}

/* ungetc's backup area, as glibc's: the get area switches between the main buffer and a
   malloc'ed backup buffer (128 bytes, doubled when full) holding the pushed-back bytes. */
static void swap_get_areas(FILE *f) {
  char *end = f->_IO_read_end;
  f->_IO_read_end = f->_IO_save_end;
  f->_IO_save_end = end;
  char *base = f->_IO_read_base;
  f->_IO_read_base = f->_IO_save_base;
  f->_IO_save_base = base;
}

static void switch_to_main_area(FILE *f) {
  f->_flags &= ~_IO_IN_BACKUP;
  swap_get_areas(f);
  f->_IO_read_ptr = f->_IO_read_base;
}

static void switch_to_backup_area(FILE *f) {
  f->_flags |= _IO_IN_BACKUP;
  swap_get_areas(f);
  f->_IO_read_ptr = f->_IO_read_end;
}

static void free_backup_area(FILE *f) {
  if (f->_flags & _IO_IN_BACKUP) switch_to_main_area(f);
  free(f->_IO_save_base);
  f->_IO_save_base = f->_IO_save_end = NULL;
}

/* Bytes read ahead or pushed back but not yet consumed: the file offset is this far ahead. */
static long unread_bytes(FILE *f) {
  long unread = (long)(f->_IO_read_end - f->_IO_read_ptr);
  if (f->_flags & _IO_IN_BACKUP) unread += (long)(f->_IO_save_end - f->_IO_save_base);
  return unread;
}

static int write_out(FILE *f, const char *data, size_t length) {
  while (length > 0) {
    ssize_t written = write(f->_fileno, data, length);
    if (written <= 0) {
      f->_flags |= _IO_ERR_SEEN;
      return EOF;
    }
    data += written;
    length -= (size_t)written;
  }
  return 0;
}

/* Writes the pending output; the buffer is then empty. */
static int flush_pending(FILE *f) {
  if (!(f->_flags & _IO_CURRENTLY_PUTTING)) return 0;
  size_t pending = (size_t)(f->_IO_write_ptr - f->_IO_write_base);
  f->_IO_write_ptr = f->_IO_write_base = f->_IO_buf_base;
  if (pending == 0) return 0;
  return write_out(f, f->_IO_buf_base, pending);
}

/* Puts the stream in output mode (dropping read-ahead, as glibc seeks back over it). */
static int start_writing(FILE *f) {
  if (f->_flags & _IO_NO_WRITES) {
    f->_flags |= _IO_ERR_SEEN;
    errno = EBADF;
    return EOF;
  }
  if (f->_IO_buf_base == NULL && allocate_buffer(f) != 0) return EOF;
  if (!(f->_flags & _IO_CURRENTLY_PUTTING)) {
    long unread = unread_bytes(f);
    if (unread > 0) lseek(f->_fileno, -unread, SEEK_CUR);
    if (f->_IO_save_base != NULL) free_backup_area(f);
    f->_IO_read_base = f->_IO_read_ptr = f->_IO_read_end = f->_IO_buf_base;
    f->_IO_write_base = f->_IO_write_ptr = f->_IO_buf_base;
    f->_flags |= _IO_CURRENTLY_PUTTING;
  }
  return 0;
}

/* Free room in the put area: glibc's _IO_write_end - _IO_write_ptr. A line-buffered or
   unbuffered stream keeps _IO_write_end at the start of its buffer, so its bytes all go through
   overflow(); so does every stream before its first output sets the put area up. */
static size_t put_room(FILE *f) {
  if (!(f->_flags & _IO_CURRENTLY_PUTTING) || (f->_flags & (_IO_LINE_BUF | _IO_UNBUFFERED))) return 0;
  return (size_t)(f->_IO_buf_end - f->_IO_write_ptr);
}

/* _IO_new_file_overflow: enter output mode; with EOF write out what is pending, otherwise store
   the byte — writing the buffer out first when it is full (not as soon as it fills: that waits
   for the next byte), and after storing when the stream is unbuffered or the byte ends a line. */
static int overflow(FILE *f, int c) {
  if (start_writing(f) != 0) return EOF;
  if (c == EOF) return flush_pending(f);
  if (f->_IO_write_ptr == f->_IO_buf_end && flush_pending(f) != 0) return EOF;
  *f->_IO_write_ptr++ = (char)c;
  if ((f->_flags & _IO_UNBUFFERED) || ((f->_flags & _IO_LINE_BUF) && c == '\n'))
    if (flush_pending(f) != 0) return EOF;
  return (unsigned char)c;
}

/* _IO_new_file_xsputn, step for step, because where it writes decides how stdout's text
   interleaves with stderr's: fill the room there is (for a line-buffered stream, up to the last
   newline when everything fits); if bytes remain or a line ended, write the buffer out, write
   whole buffer-sized blocks directly (any size when the buffer is under 128 bytes, as a
   one-byte unbuffered buffer or a small setvbuf buffer), and put the rest through overflow(). */
int __stdio_write(FILE *f, const char *data, size_t length) {
  size_t to_do = length;
  size_t count = 0;
  int must_flush = 0;
  if (length == 0) return 0;
  if ((f->_flags & _IO_LINE_BUF) && (f->_flags & _IO_CURRENTLY_PUTTING)) {
    count = (size_t)(f->_IO_buf_end - f->_IO_write_ptr);
    if (count >= length) {
      for (const char *p = data + length; p > data;) {
        if (*--p == '\n') {
          count = (size_t)(p - data) + 1;
          must_flush = 1;
          break;
        }
      }
    }
  } else {
    count = put_room(f);
  }
  if (count > 0) {
    if (count > to_do) count = to_do;
    memcpy(f->_IO_write_ptr, data, count);
    f->_IO_write_ptr += count;
    data += count;
    to_do -= count;
  }
  if (to_do + (size_t)must_flush == 0) return 0;
  if (overflow(f, EOF) == EOF) return EOF;
  size_t block = (size_t)(f->_IO_buf_end - f->_IO_buf_base);
  size_t direct = to_do - (block >= 128 ? to_do % block : 0);
  if (direct > 0) {
    if (write_out(f, data, direct) != 0) return EOF;
    data += direct;
    to_do -= direct;
  }
  /* _IO_default_xsputn */
  while (to_do > 0) {
    size_t room = put_room(f);
    if (room > 0) {
      size_t n = room < to_do ? room : to_do;
      memcpy(f->_IO_write_ptr, data, n);
      f->_IO_write_ptr += n;
      data += n;
      to_do -= n;
      if (to_do == 0) break;
    }
    if (overflow(f, (unsigned char)*data++) == EOF) return EOF;
    to_do--;
  }
  return 0;
}

/* For vfprintf, which formats an unbuffered stream's output in one piece, as glibc does. */
int __stdio_unbuffered(FILE *f) { return (f->_flags & _IO_UNBUFFERED) != 0; }

int fflush(FILE *f) {
  if (f == NULL) {
    int result = 0;
    for (FILE *s = all_streams; s != NULL; s = s->_chain)
      if ((s->_flags & _IO_CURRENTLY_PUTTING) && fflush(s) != 0) result = EOF;
    return result;
  }
  if (f->_flags & _IO_CURRENTLY_PUTTING) return flush_pending(f);
  /* An input stream: give back what was read ahead, so the file offset is the logical one. */
  long unread = unread_bytes(f);
  if (unread > 0 && lseek(f->_fileno, -unread, SEEK_CUR) >= 0) {
    if (f->_IO_save_base != NULL) free_backup_area(f);
    f->_IO_read_ptr = f->_IO_read_end;
  }
  return 0;
}

void __stdio_flush_all(void) { fflush(NULL); }

/* _IO_new_file_underflow: refill the buffer with one read(2). */
static int refill(FILE *f) {
  if (f->_flags & _IO_EOF_SEEN) return EOF;
  if (f->_flags & _IO_NO_READS) {
    f->_flags |= _IO_ERR_SEEN;
    errno = EBADF;
    return EOF;
  }
  if (f->_IO_buf_base == NULL && allocate_buffer(f) != 0) return EOF;
  if ((f->_flags & (_IO_LINE_BUF | _IO_UNBUFFERED)) &&
      (stdout->_flags & (_IO_LINKED | _IO_NO_WRITES | _IO_LINE_BUF)) == (_IO_LINKED | _IO_LINE_BUF))
    flush_pending(stdout);
  if (f->_flags & _IO_CURRENTLY_PUTTING) {
    if (flush_pending(f) != 0) return EOF;
    f->_flags &= ~_IO_CURRENTLY_PUTTING;
  }
  ssize_t got = read(f->_fileno, f->_IO_buf_base, (size_t)(f->_IO_buf_end - f->_IO_buf_base));
  if (got <= 0) {
    f->_flags |= got == 0 ? _IO_EOF_SEEN : _IO_ERR_SEEN;
    f->_IO_read_base = f->_IO_read_ptr = f->_IO_read_end = f->_IO_buf_base;
    return EOF;
  }
  f->_IO_read_base = f->_IO_read_ptr = f->_IO_buf_base;
  f->_IO_read_end = f->_IO_buf_base + got;
  f->_IO_write_base = f->_IO_write_ptr = f->_IO_buf_base;
  return 0;
}

/* glibc's __underflow: when the get area is used up, go back from the backup area to the rest of
   the main buffer, or else drop the backup area and read more. 0 when bytes are available. */
static int fill_get_area(FILE *f) {
  if (f->_flags & _IO_IN_BACKUP) {
    switch_to_main_area(f);
    if (f->_IO_read_ptr < f->_IO_read_end) return 0;
  }
  if (f->_IO_save_base != NULL) free_backup_area(f);
  return refill(f);
}

int fgetc(FILE *f) {
  if (f->_IO_read_ptr >= f->_IO_read_end && fill_get_area(f) != 0) return EOF;
  return (unsigned char)*f->_IO_read_ptr++;
}

int getc(FILE *f) { return fgetc(f); }
int getchar(void) { return fgetc(stdin); }

/* _IO_default_pbackfail: the byte goes in front of the backup area, which is allocated (128
   bytes) on first use and doubled when full; the main area resumes where reading left it. */
static int push_back(FILE *f, unsigned char c) {
  if (!(f->_flags & _IO_IN_BACKUP)) {
    if (f->_IO_save_base == NULL) {
      char *backup = malloc(128);
      if (backup == NULL) return EOF;
      f->_IO_save_base = backup;
      f->_IO_save_end = backup + 128;
    }
    f->_IO_read_base = f->_IO_read_ptr;
    switch_to_backup_area(f);
  } else if (f->_IO_read_ptr <= f->_IO_read_base) {
    size_t old_size = (size_t)(f->_IO_read_end - f->_IO_read_base);
    size_t new_size = 2 * old_size;
    char *grown = malloc(new_size);
    if (grown == NULL) return EOF;
    memcpy(grown + (new_size - old_size), f->_IO_read_base, old_size);
    free(f->_IO_read_base);
    f->_IO_read_base = grown;
    f->_IO_read_ptr = grown + (new_size - old_size);
    f->_IO_read_end = grown + new_size;
  }
  *--f->_IO_read_ptr = (char)c;
  return c;
}

/* _IO_sputbackc: giving back the byte just read only steps back; any other byte is pushed
   into the backup area. Several bytes can be pushed back, as with glibc. */
int ungetc(int c, FILE *f) {
  if (c == EOF) return EOF;
  unsigned char byte = (unsigned char)c;
  if (f->_IO_read_ptr > f->_IO_read_base && (unsigned char)f->_IO_read_ptr[-1] == byte) f->_IO_read_ptr--;
  else if (push_back(f, byte) == EOF) return EOF;
  f->_flags &= ~_IO_EOF_SEEN;
  return byte;
}

/* _IO_fgets: size 1 stores only the terminator (nothing is read); a read error during this call
   makes it fail even after some bytes, while an earlier error flag is kept but does not count. */
char *fgets(char *s, int size, FILE *f) {
  if (size <= 0) return NULL;
  if (size == 1) {
    s[0] = '\0';
    return s;
  }
  int old_error = f->_flags & _IO_ERR_SEEN;
  f->_flags &= ~_IO_ERR_SEEN;
  int n = 0;
  while (n < size - 1) {
    int c = fgetc(f);
    if (c == EOF) break;
    s[n++] = (char)c;
    if (c == '\n') break;
  }
  char *result = s;
  if (n == 0 || (f->_flags & _IO_ERR_SEEN)) result = NULL;
  else s[n] = '\0';
  f->_flags |= old_error;
  return result;
}

/* No bound on the destination: removed from C11, kept because overflow exercises need it. */
char *gets(char *s) {
  int n = 0;
  int c;
  while ((c = fgetc(stdin)) != EOF && c != '\n') s[n++] = (char)c;
  if (c == EOF && n == 0) return NULL;
  s[n] = '\0';
  return s;
}

/* glibc's getdelim: a 120-byte buffer to start with, then each time a piece of the stream buffer
   does not fit, realloc to max(needed, twice the size); so the heap sees the same requests. */
ssize_t getdelim(char **lineptr, size_t *n, int delimiter, FILE *f) {
  if (lineptr == NULL || n == NULL) {
    errno = EINVAL;
    return -1;
  }
  if (*lineptr == NULL || *n == 0) {
    *n = 120;
    char *fresh = realloc(*lineptr, *n);
    if (fresh == NULL) return -1;
    *lineptr = fresh;
  }
  size_t length = 0;
  for (;;) {
    if (f->_IO_read_ptr >= f->_IO_read_end && fill_get_area(f) != 0) break;
    const char *piece = f->_IO_read_ptr;
    size_t piece_length = (size_t)(f->_IO_read_end - f->_IO_read_ptr);
    const char *end = memchr(piece, delimiter, piece_length);
    if (end != NULL) piece_length = (size_t)(end - piece) + 1;
    f->_IO_read_ptr += piece_length;
    size_t needed = length + piece_length + 1;
    if (needed > *n) {
      if (needed < 2 * *n) needed = 2 * *n;
      char *grown = realloc(*lineptr, needed);
      if (grown == NULL) return -1;
      *lineptr = grown;
      *n = needed;
    }
    memcpy(*lineptr + length, piece, piece_length);
    length += piece_length;
    if (piece[piece_length - 1] == (char)delimiter) break;
  }
  if (length == 0) return -1;
  (*lineptr)[length] = '\0';
  return (ssize_t)length;
}

ssize_t getline(char **lineptr, size_t *n, FILE *f) { return getdelim(lineptr, n, '\n', f); }

size_t fread(void *ptr, size_t size, size_t nmemb, FILE *f) {
  size_t total = size * nmemb;
  if (total == 0) return 0;
  unsigned char *out = ptr;
  size_t got = 0;
  while (got < total) {
    if (f->_IO_read_ptr < f->_IO_read_end) {
      size_t available = (size_t)(f->_IO_read_end - f->_IO_read_ptr);
      size_t n = total - got < available ? total - got : available;
      memcpy(out + got, f->_IO_read_ptr, n);
      f->_IO_read_ptr += n;
      got += n;
    } else if (fill_get_area(f) != 0) {
      break;
    }
  }
  return got / size;
}

size_t fwrite(const void *ptr, size_t size, size_t nmemb, FILE *f) {
  size_t total = size * nmemb;
  if (total == 0) return 0;
  if (__stdio_write(f, ptr, total) != 0) return 0;
  return nmemb;
}

/* glibc's putc macro: store while the put area has room, otherwise overflow(). */
int fputc(int c, FILE *f) {
  if (put_room(f) > 0) {
    *f->_IO_write_ptr++ = (char)c;
    return (unsigned char)c;
  }
  return overflow(f, (unsigned char)c);
}

int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c) { return fputc(c, stdout); }

int fputs(const char *s, FILE *f) {
  if (__stdio_write(f, s, strlen(s)) != 0) return EOF;
  return 1;
}

int puts(const char *s) {
  size_t length = strlen(s);
  if (__stdio_write(stdout, s, length) != 0 || fputc('\n', stdout) == EOF) return EOF;
  return (int)(length + 1 > 0x7fffffff ? 0x7fffffff : length + 1);
}

int setvbuf(FILE *f, char *buf, int mode, size_t size) {
  switch (mode) {
    case _IOFBF:
      f->_flags &= ~(_IO_LINE_BUF | _IO_UNBUFFERED);
      if (buf == NULL) {
        /* As glibc: allocate now, so that a terminal cannot turn line buffering back on. */
        if (f->_IO_buf_base == NULL && allocate_buffer(f) != 0) return EOF;
        f->_flags &= ~_IO_LINE_BUF;
        return 0;
      }
      break;
    case _IOLBF:
      f->_flags &= ~_IO_UNBUFFERED;
      f->_flags |= _IO_LINE_BUF;
      if (buf == NULL) return 0;
      break;
    case _IONBF:
      f->_flags &= ~_IO_LINE_BUF;
      f->_flags |= _IO_UNBUFFERED;
      buf = NULL;
      size = 0;
      break;
    default:
      errno = EINVAL;
      return EOF;
  }
  flush_pending(f);
  if (f->_IO_buf_base != NULL && f->_IO_buf_base != f->_shortbuf && !(f->_flags & _IO_USER_BUF)) free(f->_IO_buf_base);
  if (buf != NULL) {
    f->_IO_buf_base = buf;
    f->_IO_buf_end = buf + size;
    f->_flags |= _IO_USER_BUF;
  } else {
    f->_IO_buf_base = f->_shortbuf;
    f->_IO_buf_end = f->_shortbuf + 1;
    f->_flags &= ~_IO_USER_BUF;
  }
  f->_IO_read_base = f->_IO_read_ptr = f->_IO_read_end = f->_IO_buf_base;
  f->_IO_write_base = f->_IO_write_ptr = f->_IO_buf_base;
  return 0;
}

void setbuf(FILE *f, char *buf) { setvbuf(f, buf, buf != NULL ? _IOFBF : _IONBF, BUFSIZ); }

int fileno(FILE *f) { return f->_fileno; }
int feof(FILE *f) { return (f->_flags & _IO_EOF_SEEN) != 0; }
int ferror(FILE *f) { return (f->_flags & _IO_ERR_SEEN) != 0; }
void clearerr(FILE *f) { f->_flags &= ~(_IO_EOF_SEEN | _IO_ERR_SEEN); }

static int parse_mode(const char *mode, int *flags) {
  int open_flags;
  int stream_flags;
  switch (mode[0]) {
    case 'r':
      open_flags = O_RDONLY;
      stream_flags = _IO_NO_WRITES;
      break;
    case 'w':
      open_flags = O_WRONLY | O_CREAT | O_TRUNC;
      stream_flags = _IO_NO_READS;
      break;
    case 'a':
      open_flags = O_WRONLY | O_CREAT | O_APPEND;
      stream_flags = _IO_NO_READS | _IO_IS_APPENDING;
      break;
    default:
      return -1;
  }
  for (const char *m = mode + 1; *m != '\0'; m++) {
    if (*m == '+') {
      open_flags = (open_flags & ~O_ACCMODE) | O_RDWR;
      stream_flags &= _IO_IS_APPENDING;
    } else if (*m == 'x') {
      open_flags |= O_EXCL;
    } else if (*m == 'e') {
      open_flags |= O_CLOEXEC;
    }
  }
  *flags = stream_flags;
  return open_flags;
}

/* glibc mallocs a `struct locked_FILE` (472 bytes) per stream; the same size keeps the heap
   layout of fopen/fclose programs as on Linux. */
#define GLIBC_LOCKED_FILE_SIZE 472

static FILE *new_stream(int fd, int stream_flags) {
  FILE *f = malloc(GLIBC_LOCKED_FILE_SIZE);
  if (f == NULL) return NULL;
  memset(f, 0, sizeof *f);
  f->_flags = (int)(_IO_MAGIC | _IO_LINKED | (unsigned int)stream_flags);
  f->_fileno = fd;
  f->_chain = all_streams;
  all_streams = f;
  return f;
}

FILE *fopen(const char *path, const char *mode) {
  int stream_flags;
  int open_flags = parse_mode(mode, &stream_flags);
  if (open_flags < 0) {
    errno = EINVAL;
    return NULL;
  }
  int fd = open(path, open_flags, 0666);
  if (fd < 0) return NULL;
  FILE *f = new_stream(fd, stream_flags);
  if (f == NULL) close(fd);
  return f;
}

FILE *fdopen(int fd, const char *mode) {
  int stream_flags;
  if (parse_mode(mode, &stream_flags) < 0) {
    errno = EINVAL;
    return NULL;
  }
  return new_stream(fd, stream_flags);
}

int fclose(FILE *f) {
  int result = fflush(f);
  if (close(f->_fileno) != 0) result = EOF;
  for (FILE **link = &all_streams; *link != NULL; link = &(*link)->_chain)
    if (*link == f) {
      *link = f->_chain;
      break;
    }
  if (f->_IO_save_base != NULL) free_backup_area(f);
  if (f->_IO_buf_base != NULL && f->_IO_buf_base != f->_shortbuf && !(f->_flags & _IO_USER_BUF)) free(f->_IO_buf_base);
  if (f == stdin || f == stdout || f == stderr) {
    /* The static stream stays, closed: later reads and writes fail with EBADF, as in glibc. */
    f->_flags = (int)(_IO_MAGIC | _IO_NO_READS | _IO_NO_WRITES);
    f->_IO_buf_base = f->_IO_buf_end = NULL;
    f->_IO_read_base = f->_IO_read_ptr = f->_IO_read_end = f->_IO_write_base = f->_IO_write_ptr = NULL;
  } else {
    free(f);
  }
  return result;
}

int fseek(FILE *f, long offset, int whence) {
  if (flush_pending(f) != 0) return -1;
  if (whence == SEEK_CUR) offset -= unread_bytes(f);
  if (lseek(f->_fileno, offset, whence) < 0) return -1;
  if (f->_IO_save_base != NULL) free_backup_area(f);
  f->_IO_read_base = f->_IO_read_ptr = f->_IO_read_end = f->_IO_buf_base;
  f->_flags &= ~(_IO_EOF_SEEN | _IO_CURRENTLY_PUTTING);
  return 0;
}

long ftell(FILE *f) {
  long position = lseek(f->_fileno, 0, SEEK_CUR);
  if (position < 0) return -1;
  if (f->_flags & _IO_CURRENTLY_PUTTING) return position + (long)(f->_IO_write_ptr - f->_IO_write_base);
  return position - unread_bytes(f);
}

void rewind(FILE *f) {
  fseek(f, 0, SEEK_SET);
  clearerr(f);
}

void perror(const char *s) {
  const char *message = strerror(errno);
  if (s != NULL && *s != '\0') fprintf(stderr, "%s: %s\n", s, message);
  else fprintf(stderr, "%s\n", message);
}
