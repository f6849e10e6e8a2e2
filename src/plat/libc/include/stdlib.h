/* SPDX-License-Identifier: MIT */
/*
 * csvsm C runtime: allocation from the csvsm heap (kmalloc; NULL when it is
 * exhausted, never a panic), number parsing, sorting. No environment:
 * getenv() always returns NULL. abort() stops the SVSM through the panic
 * path.
 */
#ifndef CSVSM_LIBC_STDLIB_H
#define CSVSM_LIBC_STDLIB_H
#include <csvsm_libc_names.h>
#include <stddef.h>
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX     2147483647
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
__attribute__((noreturn)) void abort(void);
__attribute__((noreturn)) void exit(int status);
int atexit(void (*fn)(void));
char *getenv(const char *name);
char *secure_getenv(const char *name);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int atoi(const char *s);
long atol(const char *s);
int abs(int x);
long labs(long x);
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *));
int rand(void);
void srand(unsigned int seed);
#endif
