# Storage devices (issue 11): the core's drivers (CFI pflash, virtio-mmio
# block), the shim's MMIO/DMA bus, and the device models in sim/machine/
# (one implementation each, shared by the shim and the KVM runner).
CORE_SOURCES += \
	src/storage/pflash.c \
	src/storage/virtio_blk.c \
	src/storage/storage_spec.c \
	src/storage/storage_nvtest.c

noinst_HEADERS += \
	src/include/csvsm/storage_dev.h \
	src/include/csvsm/virtio_mmio.h \
	src/include/csvsm/plat/dma.h \
	sim/include/csvsm/sim_mmio.h \
	sim/include/csvsm/sim_nvdev.h

SIM_SOURCES += \
	sim/mmio_bus.c \
	sim/nvdev.c \
	sim/machine/pflash.c \
	sim/machine/pflash.h \
	sim/machine/virtio_blk.c \
	sim/machine/virtio_blk.h

# Driver tests against the models: hostile modes, fault sweeps, the NV
# store's crash test per device, and the replay of the device-response
# fuzz corpus (fixtures/corpus/storage-dev/).
TESTLIB_SOURCES += tests/storage_dev_util.c tests/storage_dev_util.h
check_PROGRAMS += tests/check_storage_dev
TESTS += tests/check_storage_dev
tests_check_storage_dev_SOURCES = tests/check_storage_dev.c tests/fuzz/fuzz_storage_dev.c \
	tests/fuzz/fuzz_storage_dev.h
tests_check_storage_dev_CPPFLAGS = $(TEST_CPPFLAGS) \
	-DSTORAGE_DEV_CORPUS_DIR='"$(abs_top_srcdir)/fixtures/corpus/storage-dev"'
tests_check_storage_dev_CFLAGS = $(TEST_CFLAGS)
tests_check_storage_dev_LDADD = $(TEST_LDADD)

# libFuzzer target: `make fuzz-storage-dev`, then for example
#   tests/fuzz/fuzz-storage-dev -max_total_time=60 NEW_DIR fixtures/corpus/storage-dev
FUZZ_STORAGE_DEV_OBJS = $(patsubst %,tests/fuzz/lf/%.o,$(FUZZ_INSTRUMENTED_SRCS) \
	tests/fuzz/fuzz_storage_dev.c)
fuzz-storage-dev:
	@if test -z "$(FUZZ_CLANG)"; then \
		echo "fuzz-storage-dev: no clang, skipped (apt-get install clang)"; exit 0; fi; \
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_STORAGE_DEV_OBJS) && \
	echo "  CCLD     tests/fuzz/fuzz-storage-dev" && \
	$(FUZZ_CLANG) $(FUZZ_LINKFLAGS) -o tests/fuzz/fuzz-storage-dev \
		$(FUZZ_STORAGE_DEV_OBJS) $(FUZZ_ENGINE) $(FUZZ_LIBS)
.PHONY: fuzz-storage-dev
CLEANFILES += tests/fuzz/fuzz-storage-dev

# The vTPM's SIGKILL crash test (tests/vtpm_crash.sh) with the state on each
# MMIO device (csvsm-sim tpm-server --nv pflash|virtio).
TESTS += tests/vtpm_crash_pflash.sh tests/vtpm_crash_virtio.sh
dist_check_SCRIPTS += tests/vtpm_crash_pflash.sh tests/vtpm_crash_virtio.sh

# bench/bench-storage: exits and time of one NV commit and one 4 KiB write
# per device (scripts/bench.sh).
noinst_PROGRAMS += bench/bench-storage
bench_bench_storage_SOURCES = bench/bench_storage.c
bench_bench_storage_CPPFLAGS = $(TEST_CPPFLAGS)
bench_bench_storage_LDADD = $(SIM_LIBS)
EXTRA_DIST += bench/kvm_storage.sh

# QEMU's own pflash and virtio-blk as the judge of the drivers: the
# bare-metal image stores and verifies an NV state across QEMU restarts
# (skipped, visibly, while src/csvsm-kvm.elf is not built).
TESTS += tests/qemu_nv.sh
dist_check_SCRIPTS += tests/qemu_nv.sh

# The same drivers against the same models as MMIO exits of the KVM runner.
TESTS += tests/kvm_nv.sh
dist_check_SCRIPTS += tests/kvm_nv.sh
