/* SPDX-License-Identifier: MIT */
/* Replaying a fuzz target's seed corpus inside a Check test. */
#ifndef CSVSM_TEST_CORPUS_REPLAY_H
#define CSVSM_TEST_CORPUS_REPLAY_H

#include <stddef.h>
#include <stdint.h>

/* A fuzz target's one-input function: NULL when every invariant held, else why not. */
typedef const char *(*corpus_one_fn)(const uint8_t *data, size_t size);

/*
 * Runs `one` on every file of directory `dir` (hidden files skipped) and
 * fails the running Check test, naming the file, on an unreadable file or
 * a broken invariant. Returns the number of files replayed.
 */
unsigned int corpus_replay(const char *dir, corpus_one_fn one);

#endif
