/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: character classes of the "C" locale (ASCII only). */
#ifndef CSVSM_LIBC_CTYPE_H
#define CSVSM_LIBC_CTYPE_H
#include <csvsm_libc_names.h>
int isalnum(int c);
int isalpha(int c);
int isdigit(int c);
int isxdigit(int c);
int isspace(int c);
int isupper(int c);
int islower(int c);
int isprint(int c);
int isgraph(int c);
int ispunct(int c);
int iscntrl(int c);
int isascii(int c);
int tolower(int c);
int toupper(int c);
#endif
