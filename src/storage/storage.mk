# src/storage: block devices and the crash-safe NV store (issue 5).
# Core (freestanding): the range-checked blkdev calls, the RAM device, the
# NV store and its checksum. Simulator: the host-file device.
CORE_SOURCES += \
	src/storage/blkdev.c \
	src/storage/blkdev_ram.c \
	src/storage/nvstore.c \
	src/storage/nvstore_format.h \
	src/lib/crc32.c

noinst_HEADERS += \
	src/include/csvsm/blkdev.h \
	src/include/csvsm/nvstore.h \
	src/include/csvsm/lib/crc32.h \
	sim/include/csvsm/sim_blkdev.h

SIM_SOURCES += sim/blkdev_file.c

# Unit, crash, corruption and fault-injection tests; the fuzz target's
# one-input function is linked in to replay fixtures/corpus/nvstore/.
check_PROGRAMS += tests/check_nvstore
TESTS += tests/check_nvstore
tests_check_nvstore_SOURCES = tests/check_nvstore.c tests/fuzz/fuzz_nvstore_load.c \
	tests/fuzz/fuzz_nvstore.h
tests_check_nvstore_CPPFLAGS = $(TEST_CPPFLAGS) -DNVSTORE_CORPUS_DIR='"$(abs_top_srcdir)/fixtures/corpus/nvstore"'
tests_check_nvstore_CFLAGS = $(TEST_CFLAGS)
tests_check_nvstore_LDADD = $(TEST_LDADD)

# The seed corpus generator (built by `make check`, run by hand: see
# tests/fuzz/gen_nvstore_corpus.c).
check_PROGRAMS += tests/fuzz/gen-nvstore-corpus
tests_fuzz_gen_nvstore_corpus_SOURCES = tests/fuzz/gen_nvstore_corpus.c
tests_fuzz_gen_nvstore_corpus_CPPFLAGS = $(TEST_CPPFLAGS)
tests_fuzz_gen_nvstore_corpus_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_gen_nvstore_corpus_LDADD = $(TEST_LDADD)

# libFuzzer target: `make fuzz-nvstore-load`, then for example
#   tests/fuzz/fuzz-nvstore-load -max_total_time=60 NEW_DIR fixtures/corpus/nvstore
# It reuses the instrumented objects of `make fuzz` (tests/fuzz/fuzz.mk:
# clang, libFuzzer coverage, ASan + UBSan in tests/fuzz/lf/). The object
# list is expanded in the recipe, after every fragment has added its sources.
FUZZ_NVSTORE_OBJS = $(patsubst %,tests/fuzz/lf/%.o,$(FUZZ_INSTRUMENTED_SRCS) \
	tests/fuzz/fuzz_nvstore_load.c)
fuzz-nvstore-load:
	@if test -z "$(FUZZ_CLANG)"; then \
		echo "fuzz-nvstore-load: no clang, skipped (apt-get install clang)"; exit 0; fi; \
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_NVSTORE_OBJS) && \
	echo "  CCLD     tests/fuzz/fuzz-nvstore-load" && \
	$(FUZZ_CLANG) $(FUZZ_LINKFLAGS) -o tests/fuzz/fuzz-nvstore-load \
		$(FUZZ_NVSTORE_OBJS) $(FUZZ_ENGINE) $(FUZZ_LIBS)
.PHONY: fuzz-nvstore-load
CLEANFILES += tests/fuzz/fuzz-nvstore-load
