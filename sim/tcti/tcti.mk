# libtss2-tcti-csvsm: the in-process TCTI module (sim/tcti/tcti_csvsm.c,
# docs/tcti.md). It holds its own compile of the core and the simulator:
# position-independent, symbols hidden but for the two of sim/tcti/tcti.map,
# and never sanitized, so that an uninstrumented client (tpm2-tools) can
# dlopen it even when the rest of the build uses ASan (an ASan object needs
# the ASan runtime loaded first in the process).
# It is built as a "program" linked with -shared: the tree uses no libtool.
# "exec" in the name: installed by install-exec, before its hook.
tctimoduleexecdir = $(libdir)
tctimoduleexec_PROGRAMS = sim/tcti/libtss2-tcti-csvsm.so.0
sim_tcti_libtss2_tcti_csvsm_so_0_SOURCES = $(CORE_SOURCES) $(SIM_SOURCES) \
	sim/tcti/tcti_csvsm.c sim/tcti/tcti_csvsm.h
sim_tcti_libtss2_tcti_csvsm_so_0_CPPFLAGS = $(sim_libcsvsm_sim_a_CPPFLAGS) $(TSS2_CFLAGS)
sim_tcti_libtss2_tcti_csvsm_so_0_CFLAGS = $(CSVSM_WARN_CFLAGS) -g -fPIC -fvisibility=hidden
sim_tcti_libtss2_tcti_csvsm_so_0_CCASFLAGS = -fPIC
sim_tcti_libtss2_tcti_csvsm_so_0_LDFLAGS = -shared -Wl,-soname,libtss2-tcti-csvsm.so.0 \
	-Wl,--version-script=$(srcdir)/sim/tcti/tcti.map -Wl,-z,defs -Wl,-Bsymbolic
sim_tcti_libtss2_tcti_csvsm_so_0_LDADD = $(LIBTPMS_LIBS) $(LIBCRYPTO_LIBS)
EXTRA_DIST += sim/tcti/tcti.map docs/tcti.md
EXTRA_DIST += bench/tpm_clients.sh
EXTRA_sim_tcti_libtss2_tcti_csvsm_so_0_DEPENDENCIES = $(srcdir)/sim/tcti/tcti.map

# The loader also tries libtss2-tcti-<name>.so; dlopen of a name without a
# slash searches the ld.so cache, so the cache is refreshed when installing
# as root, without DESTDIR, into a directory ldconfig scans (not for the
# private prefixes of make distcheck).
install-exec-hook: install-tcti-module-link
install-tcti-module-link:
	cd "$(DESTDIR)$(tctimoduleexecdir)" && rm -f libtss2-tcti-csvsm.so && \
		$(LN_S) libtss2-tcti-csvsm.so.0 libtss2-tcti-csvsm.so
	@if test -z "$(DESTDIR)" && test "`id -u`" = 0 && command -v ldconfig >/dev/null 2>&1 && \
		ldconfig -N -X -v 2>/dev/null | grep -q "^$(tctimoduleexecdir):"; then \
		echo "ldconfig"; ldconfig || true; fi
uninstall-hook:
	rm -f "$(DESTDIR)$(tctimoduleexecdir)/libtss2-tcti-csvsm.so"
.PHONY: install-tcti-module-link

# The TCTI interface through dlopen, from a client built without
# sanitizers (as tpm2-tools is): tests/check_tcti.c. tpm2-tools through the
# module: tests/tcti_tools.sh.
check_PROGRAMS += tests/check_tcti
TESTS += tests/check_tcti tests/tcti_tools.sh
dist_check_SCRIPTS += tests/tcti_tools.sh
tests_check_tcti_SOURCES = tests/check_tcti.c
tests_check_tcti_CPPFLAGS = $(TSS2_CFLAGS) \
	-DTCTI_MODULE_PATH='"$(abs_top_builddir)/sim/tcti/libtss2-tcti-csvsm.so.0"'
tests_check_tcti_CFLAGS = $(CSVSM_WARN_CFLAGS) -g $(CHECK_CFLAGS)
tests_check_tcti_LDFLAGS =
tests_check_tcti_LDADD = $(CHECK_LIBS) -ldl
EXTRA_tests_check_tcti_DEPENDENCIES = sim/tcti/libtss2-tcti-csvsm.so.0
