/* SPDX-License-Identifier: MIT */
/* Helpers of the test programs that need /dev/kvm and the built images (hosted). */
#ifndef CSVSM_TESTS_KVM_TEST_UTIL_H
#define CSVSM_TESTS_KVM_TEST_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Exits 77 (an automake SKIP) with "SKIP: /dev/kvm is not available: `what`" without KVM. */
static inline void kvm_test_require(const char *what)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("SKIP: /dev/kvm is not available: %s\n", what);
		exit(77);
	}
	close(fd);
}

/* $top_builddir/`rel` (. when unset) into buf: the image or the guest program. */
static inline void kvm_test_built(char *buf, size_t len, const char *rel)
{
	const char *top = getenv("top_builddir");

	snprintf(buf, len, "%s/%s", top ? top : ".", rel);
}

#endif
