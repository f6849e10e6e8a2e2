# Simulator execution contexts (coroutines, one per VMPL per vCPU) and their tests.
SIM_SOURCES += sim/ctx.c sim/ctx.h sim/ctx_switch_x86_64.S
check_PROGRAMS += tests/check_ctx
TESTS += tests/check_ctx
tests_check_ctx_SOURCES = tests/check_ctx.c
tests_check_ctx_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_ctx_CFLAGS = $(TEST_CFLAGS)
tests_check_ctx_LDADD = $(TEST_LDADD)
