/* SPDX-License-Identifier: MIT */
/*
 * csvsm C runtime: setjmp/longjmp (libtpms' failure mode). The buffer holds
 * the callee-saved registers of the System V x86_64 ABI, the stack pointer
 * and the return address (src/plat/libc/setjmp.S). No signal mask.
 */
#ifndef CSVSM_LIBC_SETJMP_H
#define CSVSM_LIBC_SETJMP_H
#include <csvsm_libc_names.h>
typedef unsigned long jmp_buf[8];
int setjmp(jmp_buf env) __attribute__((returns_twice));
__attribute__((noreturn)) void longjmp(jmp_buf env, int val);
#define _setjmp  setjmp
#define _longjmp longjmp
#endif
