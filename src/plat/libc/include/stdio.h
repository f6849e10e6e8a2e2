/* SPDX-License-Identifier: MIT */
/*
 * csvsm C runtime: formatted output into buffers, and a console stream.
 * There is no file system: fopen() always fails (ENOENT), and stdout and
 * stderr write to the platform console (plat_console_write).
 */
#ifndef CSVSM_LIBC_STDIO_H
#define CSVSM_LIBC_STDIO_H
#include <csvsm_libc_names.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
typedef struct csvsm_libc_file FILE;
extern FILE *const stdin;
extern FILE *const stdout;
extern FILE *const stderr;
#define EOF          (-1)
#define BUFSIZ       256
#define FILENAME_MAX 256
#define SEEK_SET     0
#define SEEK_CUR     1
#define SEEK_END     2
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(__printf__, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(__printf__, 3, 0)));
int sprintf(char *buf, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
int vsprintf(char *buf, const char *fmt, va_list ap) __attribute__((format(__printf__, 2, 0)));
int printf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(__printf__, 1, 0)));
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
int vfprintf(FILE *f, const char *fmt, va_list ap) __attribute__((format(__printf__, 2, 0)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
int vdprintf(int fd, const char *fmt, va_list ap) __attribute__((format(__printf__, 2, 0)));
int asprintf(char **out, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
int vasprintf(char **out, const char *fmt, va_list ap) __attribute__((format(__printf__, 2, 0)));
int fputs(const char *s, FILE *f);
int puts(const char *s);
int fputc(int c, FILE *f);
int putc(int c, FILE *f);
int putchar(int c);
int fflush(FILE *f);
FILE *fopen(const char *path, const char *mode);
int fclose(FILE *f);
size_t fread(void *buf, size_t size, size_t n, FILE *f);
size_t fwrite(const void *buf, size_t size, size_t n, FILE *f);
int fseek(FILE *f, long off, int whence);
long ftell(FILE *f);
int feof(FILE *f);
int ferror(FILE *f);
char *fgets(char *s, int n, FILE *f);
int remove(const char *path);
void clearerr(FILE *f);
void setbuf(FILE *f, char *buf);
int sscanf(const char *str, const char *fmt, ...) __attribute__((format(__scanf__, 2, 3)));
int fileno(FILE *f);
#endif
