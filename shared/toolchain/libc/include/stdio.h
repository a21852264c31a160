#ifndef _STDIO_H
#define _STDIO_H
#include <stddef.h>
#include <stdarg.h>
#include <sys/types.h>
#define EOF (-1)
#define BUFSIZ 8192
#define _IOFBF 0
#define _IOLBF 1
#define _IONBF 2
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define FILENAME_MAX 4096
#define FOPEN_MAX 16
/* The stream state. The field names and the _flags bits follow glibc's struct _IO_FILE, so a
   learner can match what they see in memory with glibc's documentation. */
typedef struct _IO_FILE {
  int _flags;            /* 0xfbad0000 | _IO_* bits */
  int _fileno;
  char *_IO_read_ptr;    /* next byte to read */
  char *_IO_read_end;    /* end of the bytes read ahead */
  char *_IO_write_base;  /* pending output starts here */
  char *_IO_write_ptr;   /* and ends here */
  char *_IO_buf_base;    /* the buffer: malloc'ed on first use, like glibc */
  char *_IO_buf_end;
  char *_IO_read_base;   /* start of the get area: ungetc of the byte before read_ptr steps back */
  char *_IO_save_base;   /* the other get area: ungetc's malloc'ed backup buffer, or (while */
  char *_IO_save_end;    /* reading from the backup) the rest of the main buffer */
  struct _IO_FILE *_chain; /* all open streams, newest first, for fflush(NULL) and exit */
  char _shortbuf[1];     /* the one-byte buffer of an unbuffered stream */
} FILE;
extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;
int printf(const char *format, ...);
int fprintf(FILE *stream, const char *format, ...);
int dprintf(int fd, const char *format, ...);
int sprintf(char *str, const char *format, ...);
int snprintf(char *str, size_t size, const char *format, ...);
int vprintf(const char *format, va_list ap);
int vfprintf(FILE *stream, const char *format, va_list ap);
int vdprintf(int fd, const char *format, va_list ap);
int vsprintf(char *str, const char *format, va_list ap);
int vsnprintf(char *str, size_t size, const char *format, va_list ap);
int scanf(const char *format, ...);
int fscanf(FILE *stream, const char *format, ...);
int sscanf(const char *str, const char *format, ...);
int vfscanf(FILE *stream, const char *format, va_list ap);
int vsscanf(const char *str, const char *format, va_list ap);
int puts(const char *s);
int fputs(const char *s, FILE *stream);
int putchar(int c);
int fputc(int c, FILE *stream);
int putc(int c, FILE *stream);
int getchar(void);
int fgetc(FILE *stream);
int getc(FILE *stream);
int ungetc(int c, FILE *stream);
char *fgets(char *s, int size, FILE *stream);
char *gets(char *s);
ssize_t getline(char **lineptr, size_t *n, FILE *stream);
ssize_t getdelim(char **lineptr, size_t *n, int delimiter, FILE *stream);
size_t fread(void *ptr, size_t size, size_t nmemb, FILE *stream);
size_t fwrite(const void *ptr, size_t size, size_t nmemb, FILE *stream);
FILE *fopen(const char *path, const char *mode);
FILE *fdopen(int fd, const char *mode);
int fclose(FILE *stream);
int fflush(FILE *stream);
int setvbuf(FILE *stream, char *buf, int mode, size_t size);
void setbuf(FILE *stream, char *buf);
int fileno(FILE *stream);
int feof(FILE *stream);
int ferror(FILE *stream);
void clearerr(FILE *stream);
int fseek(FILE *stream, long offset, int whence);
long ftell(FILE *stream);
void rewind(FILE *stream);
void perror(const char *s);
int remove(const char *path);
#endif
