/* SPDX-License-Identifier: MIT */
/*
 * The scenario language (sim/scenario.h, docs/scenarios.md) from strings:
 * every kind of parse error with its line, expressions and names, the
 * reports of failed expectations (FILE:LINE, expected, actual, the trace
 * before it), run-time errors, the hooks, determinism of the traces, and
 * the trace sinks' output (sim/cli_trace.h): JSON lines and a Chrome
 * timeline checked with a small JSON parser of our own; and allocation
 * failures at every allocation of parsing and running.
 *
 * Expected values come from docs/scenarios.md (the language), from the
 * simulator's documented default layout (csvsm/sim.h) and from the SVSM
 * specification (abi 1.4-1.5), never from the parser's code.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_trace.h"
#include "scenario.h"
#include "scenario_alloc.h"

#define TIMEOUT 30

/* The documented default layout (csvsm/sim.h). */
#define FREE_RAM  0x200000ull
#define BOOT_CA   0x101000ull
#define SVSM_BASE 0x10000000ull

/* ---- helpers ---- */

/* Parses `text`; the test fails unless the result is `want`. */
static struct scn_script *parse(const char *text, int want, struct scn_diag *diag)
{
	struct scn_script *s = NULL;
	struct scn_diag local;
	int rc = scn_parse("t.scn", text, strlen(text), &s, diag ? diag : &local);

	ck_assert_msg(rc == want, "parse of <<%s>> gave %d, not %d (%s)", text, rc, want,
	              (diag ? diag : &local)->msg);
	ck_assert(want == SCN_OK ? s != NULL : s == NULL);
	return s;
}

/* A parse error on `line` whose message contains `what`. */
static void parse_error(const char *text, unsigned int line, const char *what)
{
	struct scn_diag d;
	char prefix[32];

	parse(text, SCN_ERROR, &d);
	ck_assert_msg(d.line == line, "<<%s>>: error on line %u, not %u (%s)", text, d.line, line,
	              d.msg);
	ck_assert_msg(strstr(d.msg, what), "<<%s>>: message '%s' lacks '%s'", text, d.msg, what);
	snprintf(prefix, sizeof(prefix), "t.scn:%u: ", line);
	ck_assert_msg(!strncmp(d.msg, prefix, strlen(prefix)), "message '%s' does not start '%s'",
	              d.msg, prefix);
}

struct captured {
	char *out, *err;
	size_t out_len, err_len;
	struct scn_result res;
	int rc;
};

/* Parses and runs `text` with `o` (may be NULL), capturing out and err. */
static void run_text(const char *text, const struct scn_run_opts *o, struct captured *c)
{
	struct scn_run_opts opts = {0};
	struct scn_script *s = parse(text, SCN_OK, NULL);
	FILE *out, *err;

	if (o)
		opts = *o;
	memset(c, 0, sizeof(*c));
	out = open_memstream(&c->out, &c->out_len);
	err = open_memstream(&c->err, &c->err_len);
	ck_assert(out && err);
	opts.out = out;
	opts.err = err;
	c->rc = scn_run(s, &opts, &c->res);
	fclose(out);
	fclose(err);
	scn_free(s);
}

static void captured_free(struct captured *c)
{
	free(c->out);
	free(c->err);
}

/* Runs `text`, which must hold every expectation; returns its stdout (free it). */
static char *run_ok(const char *text)
{
	struct captured c;
	char *out;

	run_text(text, NULL, &c);
	ck_assert_msg(c.rc == SCN_OK && c.res.failed == 0, "<<%s>> gave %d:\n%s%s", text, c.rc,
	              c.err, c.res.error.msg);
	out = c.out;
	free(c.err);
	return out;
}

/* ---- parse errors ---- */

START_TEST(test_unknown_keyword)
{
	parse_error("frobnicate 1\n", 1, "unknown keyword 'frobnicate'");
	/* Line numbers count comments and blank lines. */
	parse_error("# comment\n\n   \ncall core.query_protocol\n  Call 1\n", 5,
	            "unknown keyword 'Call'");
	parse_error("hv lie 3\n", 1, "unknown hypervisor action 'lie'");
	parse_error("call 0:1\nexpect nothing 1\n", 2, "unknown expectation 'nothing'");
}
END_TEST

START_TEST(test_bad_number)
{
	parse_error("write8 0x1z 1\n", 1, "bad number '0x1z'");
	/* K, M and G are size suffixes, even after hex digits. */
	parse_error("write8 0x1kb 1\n", 1, "bad number '0x1kb'");
	parse_error("write8 12abc 1\n", 1, "bad number '12abc'");
	parse_error("write8 0x 1\n", 1, "bad number '0x'");
	parse_error("write8 1_ 1\n", 1, "bad number '1_'");
	parse_error("write64 0 0x10000000000000000\n", 1, "number too large");
	parse_error("write64 0 99999999999999999999\n", 1, "number too large");
	parse_error("write64 0 0x400000000000G\n", 1, "number too large");
	parse_error("write64 0 1:0x100000000\n", 1, "32 bits");
	parse_error("write64 0 1<<64\n", 1, "shift by 64");
	parse_error("write free_ram 0xde\n", 1, "bad byte string '0xde'");
	parse_error("write free_ram abc\n", 1, "bad byte string 'abc'");
	parse_error("write free_ram zz\n", 1, "bad byte string 'zz'");
}
END_TEST

START_TEST(test_missing_operand)
{
	parse_error("write8 free_ram\n", 1, "missing operand: VALUE");
	parse_error("write free_ram\n", 1, "missing operand: hex bytes");
	parse_error("call\n", 1, "missing operand: CALL");
	parse_error("call rcx=1\n", 1, "missing operand: the call");
	parse_error("call 0:6 rcx=\n", 1, "missing value after 'rcx='");
	parse_error("call 0:6\nexpect rax\n", 2, "missing operand: value");
	parse_error("fill free_ram 8\n", 1, "missing operand: BYTE");
	parse_error("write8 1 free_ram+\n", 1, "missing operand at the end of 'free_ram+'");
	parse_error("write8 (free_ram 1\n", 1, "missing ')'");
	parse_error("pvalidate_list ca+8 validate\n", 1, "at least one entry");
	parse_error("hv race free_ram\n", 1, "missing operand: hex bytes");
	parse_error("psc free_ram\n", 1, "missing operand: private|shared");
	parse_error("vmsa\n", 1, "missing operand: AT");
	parse_error("expect rmp free_ram\n", 1, "missing operand: field=value");
	parse_error("config\n", 1, "missing operand: key=value");
	parse_error("let x\n", 1, "expected NAME=EXPR");
}
END_TEST

START_TEST(test_bad_symbol)
{
	parse_error("call core.nope\n", 1, "unknown name 'core.nope'");
	parse_error("call 0:6\nexpect rax SVSM_ERR_NOPE\n", 2, "unknown name 'SVSM_ERR_NOPE'");
	parse_error("write8 freeram 1\n", 1, "unknown name 'freeram'");
	parse_error("let x = y + 1\n", 1, "unknown name 'y'");
	parse_error("let ca = 5\n", 1, "'ca' is a built-in name");
	parse_error("let core.pvalidate = 5\n", 1, "bad name");
	parse_error("let SVSM_SUCCESS = 5\n", 1, "built-in name");
	/* A name is known only after its `let`. */
	parse_error("write8 x 1\nlet x = 5\n", 1, "unknown name 'x'");
}
END_TEST

START_TEST(test_bad_operands)
{
	parse_error("write8 0 0x100\n", 1, "does not fit in 8 bits");
	parse_error("write16 0 -32769\n", 1, "does not fit in 16 bits");
	parse_error("write8 0 1 2\n", 1, "unexpected '2'");
	parse_error("call 0:6 rbx=1\n", 1, "unknown option 'rbx'");
	parse_error("call 0:6 rcx=1 rcx=2\n", 1, "given twice");
	parse_error("call 0:6 rax=1\n", 1, "rax= given as well");
	parse_error("vcpu 64\n", 1, "vCPU 64 out of range (at most 63)");
	parse_error("config vcpus=65\n", 1, "vcpus must be 1..64");
	parse_error("config ram=5M\n", 1, "ram must be a multiple of 2M");
	parse_error("config guest_vmpl=0\n", 1, "guest_vmpl must be 1..3");
	parse_error("config ram=free_ram\n", 1, "constants");
	parse_error("config rmp_2m=maybe\n", 1, "rmp_2m wants yes or no");
	parse_error("config color=red\n", 1, "unknown option 'color'");
	parse_error("call 0:6\nconfig seed=2\n", 2, "config after the first action");
	parse_error("pvalidate_list ca+8 free_ram\n", 1, "validate or rescind must come before");
	parse_error("pvalidate_list ca+8 validate free_ram,0\n", 1,
	            "an entry count is 1..65535, not 0");
	parse_error("pvalidate_list ca+8 validate free_ram,65536\n", 1, "not 65536");
	parse_error("access peek free_ram\n", 1, "unknown access 'peek'");
	parse_error("psc free_ram private 1g\n", 1, "4k or 2m");
	parse_error("call 0:6\nexpect serviced maybe\n", 2, "serviced wants yes or no");
	parse_error("write8 0 1\nexpect access maybe\n", 2, "unknown access outcome 'maybe'");
	parse_error("call 0:6\nexpect events vcs=1\n", 2, "unknown event type 'vcs'");
	parse_error("call 0:6\nexpect stats exits=1\n", 2, "unknown option 'exits'");
	parse_error("call 0:6\nexpect rmp 0 size=1g\n", 2, "size is 4k or 2m");
	parse_error("call 0:6\nexpect rmp 0 vmpl2=0x10\n", 2, "permissions 16 out of range");
	parse_error("hv race free_ram 00 nth=0\n", 1, "nth counts from 1");
	parse_error("write8 0 1 # fine\nwrite8 0 @\n", 2, "unexpected '@'");
}
END_TEST

START_TEST(test_order_errors)
{
	parse_error("expect rax SVSM_SUCCESS\n", 1, "no call before this line");
	parse_error("expect rcx=0\n", 1, "no call before this line");
	parse_error("expect access ok\n", 1, "no guest access before this line");
	parse_error("expect psc ok\n", 1, "no psc before this line");
	parse_error("call 0:6\nexpect boot ok\n", 2, "before every other action");
}
END_TEST

START_TEST(test_nul_and_memory_limits)
{
	static const char text[] = "call 0:6\nwrite8 0\0 1\n";
	struct scn_script *s = NULL;
	struct scn_diag d;

	ck_assert_int_eq(scn_parse("t.scn", text, sizeof(text) - 1, &s, &d), SCN_ERROR);
	ck_assert_ptr_null(s);
	ck_assert_uint_eq(d.line, 2);
	ck_assert_ptr_nonnull(strstr(d.msg, "NUL byte"));
	ck_assert_int_eq(scn_load("/nonexistent/dir/x.scn", &s, &d), SCN_ERROR);
	ck_assert_ptr_nonnull(strstr(d.msg, "cannot open"));
	scn_free(NULL);
}
END_TEST

/* Spaces around operators and '=', comments, CRLF, a missing final newline. */
START_TEST(test_lexical_freedom)
{
	struct scn_script *s;

	s = parse("# all of these are fine\r\n"
	          "let  x =  free_ram + 0x1000   # a comment\r\n"
	          "let y= ( x - 8 ) * 2\n"
	          "call core.query_protocol rcx = core : 1\n"
	          "expect rax = SVSM_SUCCESS rcx = 1 : 1\n"
	          "write64 x -1\n"
	          "\t\twrite8 x+1 0xff\n"
	          "psc x shared 2M\n"
	          "expect psc OK\n"
	          "expect access VC\n"
	          "pvalidate_list ca+8 validate 2M free_ram 4K x\n"
	          "let n = 0\n" /* a count known only when it runs: not checked here */
	          "pvalidate_list ca+8 validate free_ram,n\n"
	          "expect rmp x size=4K validated=Yes",
	          SCN_OK, NULL);
	scn_free(s);
}
END_TEST

/* ---- expressions and names (values from docs/scenarios.md and csvsm/sim.h) ---- */

START_TEST(test_expressions)
{
	char *out = run_ok("let x = free_ram + 0x1000\n"
	                   "print x (x-8)*2 1:1 core:1 0x10_00 4K 2M 1G 5-7 ~0 1<<40 0x100>>4\n"
	                   "print 3|4 1+2*3 -(1) 0x12:0x34|1\n"
	                   "print core.pvalidate core.query_protocol SVSM_ERR_INVALID_ADDRESS\n"
	                   "print SVSM_PVALIDATE_FAIL_UNCHANGED SVSM_SUCCESS vtpm attest\n"
	                   "print boot_ca secrets svsm_base ram_size svsm_size ram_end\n"
	                   "print svsm_end boot_vmsa ca vmpl vcpus ram_base\n");
	static const struct {
		const char *expr;
		uint64_t value;
	} want[] = {
	    {"x", FREE_RAM + 0x1000},
	    {"(x-8)*2", (FREE_RAM + 0x1000 - 8) * 2},
	    {"1:1", 0x100000001ull},
	    {"core:1", 1},
	    {"0x10_00", 0x1000},
	    {"4K", 4096},
	    {"2M", 2ull << 20},
	    {"1G", 1ull << 30},
	    {"5-7", (uint64_t)-2},
	    {"~0", UINT64_MAX},
	    {"1<<40", 1ull << 40},
	    {"0x100>>4", 0x10},
	    {"3|4", 7},
	    {"1+2*3", 7},
	    {"-(1)", UINT64_MAX},
	    {"0x12:0x34|1", (0x12ull << 32) | 0x35},
	    {"core.pvalidate", 1},
	    {"core.query_protocol", 6},
	    {"SVSM_ERR_INVALID_ADDRESS", 0x80000003ull},
	    {"SVSM_PVALIDATE_FAIL_UNCHANGED", 0x80001010ull},
	    {"SVSM_SUCCESS", 0},
	    {"vtpm", 2},
	    {"attest", 1},
	    {"boot_ca", BOOT_CA},
	    {"secrets", 0x100000},
	    {"svsm_base", SVSM_BASE},
	    {"ram_size", 256ull << 20},
	    {"svsm_size", 16ull << 20},
	    {"ram_end", 256ull << 20},
	    {"svsm_end", SVSM_BASE + (16ull << 20)},
	    {"boot_vmsa", SVSM_BASE + 0x1000},
	    {"ca", BOOT_CA},
	    {"vmpl", 2},
	    {"vcpus", 4},
	    {"ram_base", 0},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char line[128];

		snprintf(line, sizeof(line), ": %s = 0x%" PRIx64 " (", want[i].expr, want[i].value);
		ck_assert_msg(strstr(out, line), "no '%s' in:\n%s", line, out);
	}
	free(out);
}
END_TEST

/* `ca` follows REMAP_CA and CREATE_VCPU, per vCPU; `let` freezes a value. */
START_TEST(test_ca_tracking)
{
	char *out = run_ok("let old = ca\n"
	                   "pvalidate_list ca+8 validate free_ram,4\n"
	                   "call core.pvalidate rcx=ca+8\n"
	                   "expect rax SVSM_SUCCESS\n"
	                   "call core.remap_ca rcx=free_ram\n"
	                   "expect rax SVSM_SUCCESS\n"
	                   "print ca old\n"
	                   "vmsa free_ram+0x1000\n"
	                   "call core.create_vcpu rcx=free_ram+0x1000 rdx=free_ram+0x2000 r8=3\n"
	                   "expect rax SVSM_SUCCESS\n"
	                   "vcpu 3\n"
	                   "print ca\n"
	                   "call core.query_protocol rcx=core:1\n"
	                   "expect rcx 1:1\n");
	char want[64];

	snprintf(want, sizeof(want), ":7: ca = 0x%llx (", FREE_RAM);
	ck_assert_msg(strstr(out, want), "%s", out);
	snprintf(want, sizeof(want), ":7: old = 0x%llx (", BOOT_CA);
	ck_assert_msg(strstr(out, want), "%s", out);
	snprintf(want, sizeof(want), ":12: ca = 0x%llx (", FREE_RAM + 0x2000);
	ck_assert_msg(strstr(out, want), "%s", out);
	free(out);
}
END_TEST

/* Guest memory statements: little-endian widths, bytes, fill, reads printed. */
START_TEST(test_memory_statements)
{
	char *out = run_ok("write64 boot_ca+8 0x0807060504030201\n"
	                   "expect mem boot_ca+8 01 02 0304 05060708\n"
	                   "expect mem16 boot_ca+9 0x0302\n"
	                   "write8 boot_ca+8 -1\n"
	                   "expect mem8 boot_ca+8 0xff\n"
	                   "fill boot_ca+16 3 0xaa\n"
	                   "expect mem32 boot_ca+16 0x00aaaaaa\n"
	                   "read32 boot_ca+8\n"
	                   "read boot_ca+8 4\n"
	                   "read8 free_ram\n"
	                   "expect access vc\n");

	ck_assert_msg(strstr(out, "t.scn:8: read32 0x101008 = 0x40302ff\n"), "%s", out);
	ck_assert_msg(strstr(out, "t.scn:9: read 0x101008 4: ff 02 03 04\n"), "%s", out);
	ck_assert_msg(strstr(out, "t.scn:10: read8 0x200000: vc\n"), "%s", out);
	free(out);
}
END_TEST

/* ---- running: reports and errors ---- */

START_TEST(test_failure_report)
{
	struct captured c;

	run_text("config vcpus=2\n"
	         "call core.query_protocol rcx=core:1\n"
	         "# the result is SUCCESS, not this:\n"
	         "expect rax SVSM_ERR_INVALID_ADDRESS\n"
	         "expect rcx 0x42\n"
	         "expect rax SVSM_SUCCESS\n"
	         "expect mem64 free_ram 0\n"
	         "expect rmp free_ram validated=yes guest=rwx\n"
	         "access write svsm_base\n"
	         "expect access ok\n"
	         "expect stats calls=1\n",
	         NULL, &c);
	ck_assert_int_eq(c.rc, SCN_FAILED);
	ck_assert_uint_eq(c.res.expectations, 8);
	ck_assert_uint_eq(c.res.failed, 6);
	ck_assert_msg(strstr(c.err, "t.scn:4: expectation failed: rax of the last call\n"
	                            "  expected: SVSM_ERR_INVALID_ADDRESS (0x80000003)\n"
	                            "  actual:   SVSM_SUCCESS (0x0)\n"),
	              "%s", c.err);
	ck_assert_msg(strstr(c.err, "t.scn:5: expectation failed: rcx of the last call\n"
	                            "  expected: 0x42\n"
	                            "  actual:   0x100000001\n"),
	              "%s", c.err);
	ck_assert_msg(strstr(c.err, "t.scn:7: expectation failed: mem64 0x200000\n"
	                            "  expected: 0x0\n"
	                            "  actual:   the guest's read faults (vc)\n"),
	              "%s", c.err);
	ck_assert_msg(strstr(c.err, "t.scn:8: expectation failed: rmp 0x200000 validated"), "%s",
	              c.err);
	ck_assert_msg(strstr(c.err, "t.scn:8: expectation failed: rmp 0x200000 guest"), "%s",
	              c.err);
	ck_assert_msg(strstr(c.err, "  expected: rwx (0xf)\n  actual:   none (0x0)\n"), "%s",
	              c.err);
	ck_assert_msg(strstr(c.err, "t.scn:10: expectation failed: outcome of the last guest "
	                            "access\n  expected: ok\n  actual:   npf\n"),
	              "%s", c.err);
	/* The trace leading to it: the call and its result, in text form. */
	ck_assert_msg(strstr(c.err, "trace events:\n"), "%s", c.err);
	ck_assert_msg(strstr(c.err, "call        core.query_protocol rcx=0x1"), "%s", c.err);
	ck_assert_msg(strstr(c.err, "result      SVSM_SUCCESS rcx=0x100000001"), "%s", c.err);
	ck_assert_msg(strstr(c.err, "npf         gpa=0x10000000 write"), "%s", c.err);
	ck_assert_msg(strstr(c.out, "t.scn: 6 of 8 expectations FAILED\n"), "%s", c.out);
	captured_free(&c);
}
END_TEST

/* At most `tail` events; the default is 20. */
START_TEST(test_failure_tail_length)
{
	struct scn_run_opts o = {.tail = 3};
	struct captured c;
	int lines = 0;

	run_text("call core.query_protocol\nexpect rax 1\n", &o, &c);
	ck_assert_int_eq(c.rc, SCN_FAILED);
	for (const char *p = strstr(c.err, "trace events:\n"); p && (p = strstr(p, "\n    #")); p++)
		lines++;
	ck_assert_int_eq(lines, 3);
	ck_assert_msg(strstr(c.err, "the last 3 trace events"), "%s", c.err);
	captured_free(&c);
	run_text("call core.query_protocol\ncall core.query_protocol\ncall core.query_protocol\n"
	         "expect rax 1\n",
	         NULL, &c);
	lines = 0;
	for (const char *p = strstr(c.err, "trace events:\n"); p && (p = strstr(p, "\n    #")); p++)
		lines++;
	ck_assert_int_eq(lines, 20);
	captured_free(&c);
}
END_TEST

START_TEST(test_runtime_error)
{
	struct captured c;

	run_text("config vcpus=2\ncall core.query_protocol\nexpect rax 1\nvcpu 3\ncall 0:6\n", NULL,
	         &c);
	ck_assert_int_eq(c.rc, SCN_ERROR);
	ck_assert_uint_eq(c.res.error.line, 4);
	ck_assert_msg(strstr(c.res.error.msg, "t.scn:4: vCPU 3 does not exist (the machine has 2)"),
	              "%s", c.res.error.msg);
	ck_assert_msg(strstr(c.err, "t.scn:4: vCPU 3 does not exist"), "%s", c.err);
	/* It stopped there: one expectation (failed), the last call never made. */
	ck_assert_uint_eq(c.res.expectations, 1);
	captured_free(&c);

	run_text("let big = 0x1ff\nwrite8 boot_ca big\n", NULL, &c);
	ck_assert_int_eq(c.rc, SCN_ERROR);
	ck_assert_uint_eq(c.res.error.line, 2);
	ck_assert_msg(strstr(c.res.error.msg, "does not fit in 8 bits"), "%s", c.res.error.msg);
	captured_free(&c);

	run_text("hv remap svsm_base\n", NULL, &c);
	ck_assert_int_eq(c.rc, SCN_ERROR);
	ck_assert_msg(strstr(c.res.error.msg, "not guest RAM"), "%s", c.res.error.msg);
	captured_free(&c);

	/* SVSM memory is VMPL0's alone: no poke or race from outside writes it
	 * (the fuzz-scenario campaign's regress-poke-svsm-heap wrote into the
	 * SVSM's heap). The whole heap's poison stays, so ASan would see it. */
	run_text("poke svsm_base+0x300000 aa bb cc dd\n", NULL, &c);
	ck_assert_int_eq(c.rc, SCN_ERROR);
	ck_assert_msg(strstr(c.res.error.msg, "SVSM memory"), "%s", c.res.error.msg);
	captured_free(&c);
	run_text("hv race svsm_base 01 watch=any\n", NULL, &c);
	ck_assert_int_eq(c.rc, SCN_ERROR);
	ck_assert_msg(strstr(c.res.error.msg, "race") && strstr(c.res.error.msg, "SVSM memory"),
	              "%s", c.res.error.msg);
	captured_free(&c);

	run_text("pvalidate_list ca+8 validate free_ram+8\n", NULL, &c);
	ck_assert_int_eq(c.rc, SCN_ERROR);
	ck_assert_msg(strstr(c.res.error.msg, "not 4K aligned"), "%s", c.res.error.msg);
	captured_free(&c);
}
END_TEST

/* A failed boot is a failed expectation unless `expect boot failed` says so. */
START_TEST(test_boot)
{
	struct captured c;

	run_text("config hv_features=0x1081\nexpect boot failed\n", NULL, &c);
	ck_assert_int_eq(c.rc, SCN_OK);
	ck_assert_uint_eq(c.res.expectations, 1);
	captured_free(&c);

	run_text("config hv_features=0x1081\ncall core.query_protocol\n", NULL, &c);
	ck_assert_int_eq(c.rc, SCN_FAILED);
	ck_assert_msg(strstr(c.err, "t.scn:2: expectation failed: the machine boots"), "%s", c.err);
	captured_free(&c);

	run_text("expect boot failed\n", NULL, &c);
	ck_assert_int_eq(c.rc, SCN_FAILED);
	captured_free(&c);

	run_text("config hv_features=0x1081\nexpect boot failed\ncall 0:6\n", NULL, &c);
	ck_assert_int_eq(c.rc, SCN_ERROR);
	ck_assert_msg(strstr(c.res.error.msg, "did not boot"), "%s", c.res.error.msg);
	captured_free(&c);
}
END_TEST

/* A refused run-VMPL: not delivered; register expectations then fail clearly. */
START_TEST(test_undelivered)
{
	struct captured c;

	run_text("hv refuse_run 1\ncall core.query_protocol rcx=core:1\nexpect delivered no\n"
	         "expect rax SVSM_SUCCESS\ncall core.query_protocol rcx=core:1\n"
	         "expect delivered yes\nexpect rcx 1:1\n",
	         NULL, &c);
	ck_assert_int_eq(c.rc, SCN_FAILED);
	ck_assert_uint_eq(c.res.failed, 1);
	ck_assert_msg(strstr(c.err, "t.scn:4: expectation failed: rax of the last call\n"
	                            "  expected: SVSM_SUCCESS (0x0)\n"
	                            "  actual:   the call was not delivered"),
	              "%s", c.err);
	captured_free(&c);
}
END_TEST

/* ---- hooks, traces, determinism ---- */

struct hook_log {
	char *buf;
	size_t len;
	FILE *f;
	unsigned int returned, configured, ready;
	uint64_t first_seq;
	bool boot_seen;
};

static void hook_trace(void *ctx, const struct csvsm_sim_event *ev)
{
	struct hook_log *h = ctx;
	char line[512];

	if (!h->first_seq)
		h->first_seq = ev->seq;
	if (ev->type == CSVSM_EV_BOOT)
		h->boot_seen = true;
	csvsm_sim_event_format(ev, CSVSM_SIM_FORMAT_JSON, line, sizeof(line));
	fprintf(h->f, "%s\n", line);
}

static void hook_configure(void *ctx, struct csvsm_sim_config *cfg)
{
	((struct hook_log *)ctx)->configured++;
	cfg->vcpu_count = 3;
}

static void hook_ready(void *ctx, struct csvsm_sim *sim)
{
	((struct hook_log *)ctx)->ready += sim != NULL;
}

static void hook_returned(void *ctx, unsigned int vcpu)
{
	(void)vcpu;
	((struct hook_log *)ctx)->returned++;
}

static const char traced[] = "config vcpus=2 seed=9\n"
                             "pvalidate_list ca+8 validate free_ram,2\n"
                             "call core.pvalidate rcx=ca+8\n"
                             "expect rax SVSM_SUCCESS\n"
                             "hv race ca+8 02 00 watch=any\n"
                             "call core.pvalidate rcx=ca+8\n"
                             "hv refuse_run 1\n"
                             "call core.query_protocol\n"
                             "print vcpus\n";

static void run_traced(struct hook_log *h, struct captured *c)
{
	struct scn_run_opts o = {
	    .trace = hook_trace,
	    .hook_ctx = h,
	    .configure = hook_configure,
	    .ready = hook_ready,
	    .call_returned = hook_returned,
	};

	memset(h, 0, sizeof(*h));
	h->f = open_memstream(&h->buf, &h->len);
	ck_assert_ptr_nonnull(h->f);
	run_text(traced, &o, c);
	fclose(h->f);
}

START_TEST(test_hooks)
{
	struct hook_log h;
	struct captured c;

	run_traced(&h, &c);
	ck_assert_int_eq(c.rc, SCN_OK);
	ck_assert_uint_eq(h.configured, 1);
	ck_assert_uint_eq(h.ready, 1);
	ck_assert_uint_eq(h.returned, 3);
	/* The trace starts at the machine's first event and includes the boot. */
	ck_assert_uint_eq(h.first_seq, 1);
	ck_assert(h.boot_seen);
	/* The configure hook overrides the scenario's config. */
	ck_assert_msg(strstr(c.out, ":9: vcpus = 0x3 ("), "%s", c.out);
	/* The race fired (one poke), the refusal happened. */
	ck_assert_ptr_nonnull(strstr(h.buf, "\"type\":\"hv_action\",\"kind\":\"0x4\""));
	ck_assert_ptr_nonnull(strstr(h.buf, "\"type\":\"hv_action\",\"kind\":\"0x1\""));
	captured_free(&c);
	free(h.buf);
}
END_TEST

START_TEST(test_determinism)
{
	struct hook_log a, b;
	struct captured ca, cb;

	run_traced(&a, &ca);
	run_traced(&b, &cb);
	ck_assert_uint_gt(a.len, 1000);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_msg(!memcmp(a.buf, b.buf, a.len), "two runs gave different traces");
	ck_assert_str_eq(ca.out, cb.out);
	captured_free(&ca);
	captured_free(&cb);
	free(a.buf);
	free(b.buf);
}
END_TEST

/* ---- a small JSON checker (RFC 8259 syntax), for the sinks' output ---- */

struct json {
	const char *p;
	int depth;
};

static void json_ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')
		j->p++;
}

static bool json_value(struct json *j);

static bool json_string(struct json *j)
{
	if (*j->p++ != '"')
		return false;
	while (*j->p != '"') {
		unsigned char ch = (unsigned char)*j->p;

		if (ch < 0x20)
			return false;
		if (ch == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", j->p[i]) || !j->p[i])
						return false;
				j->p += 4;
			} else if (!*j->p || !strchr("\"\\/bfnrt", *j->p)) {
				return false;
			}
		}
		j->p++;
	}
	j->p++;
	return true;
}

static bool json_number(struct json *j)
{
	const char *start = j->p;

	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return false;
	if (*j->p == '.') {
		j->p++;
		if (!(*j->p >= '0' && *j->p <= '9'))
			return false;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!(*j->p >= '0' && *j->p <= '9'))
			return false;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > start;
}

static bool json_list(struct json *j, char close, bool object)
{
	j->p++;
	json_ws(j);
	if (*j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		if (object) {
			if (!json_string(j))
				return false;
			json_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!json_value(j))
			return false;
		json_ws(j);
		if (*j->p == close) {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
		json_ws(j);
	}
}

static bool json_value(struct json *j)
{
	bool ok;

	json_ws(j);
	if (++j->depth > 64)
		return false;
	if (*j->p == '{')
		ok = json_list(j, '}', true);
	else if (*j->p == '[')
		ok = json_list(j, ']', false);
	else if (*j->p == '"')
		ok = json_string(j);
	else if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "null", 4))
		ok = (j->p += 4, true);
	else if (!strncmp(j->p, "false", 5))
		ok = (j->p += 5, true);
	else
		ok = json_number(j);
	j->depth--;
	return ok;
}

/* Whether `text` is exactly one JSON value (surrounding white space allowed). */
static bool json_valid(const char *text)
{
	struct json j = {.p = text};

	if (!json_value(&j))
		return false;
	json_ws(&j);
	return *j.p == '\0';
}

START_TEST(test_json_checker)
{
	ck_assert(json_valid("{\"a\":[1,-2.5e3,true,false,null,\"x\\n\\u00e9\"],\"b\":{}}"));
	ck_assert(json_valid(" [ ] "));
	ck_assert(!json_valid("{\"a\":1,}"));
	ck_assert(!json_valid("{\"a\" 1}"));
	ck_assert(!json_valid("[1 2]"));
	ck_assert(!json_valid("[01]"));
	ck_assert(!json_valid("{\"a\":1}}"));
	ck_assert(!json_valid("\"abc"));
	ck_assert(!json_valid("[1.]"));
}
END_TEST

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The sinks of the command line: JSON lines, Chrome timeline, counters. */
START_TEST(test_trace_sinks)
{
	char jsonl[] = "/tmp/csvsm-scn-XXXXXX", timeline[] = "/tmp/csvsm-tl-XXXXXX";
	struct cli_trace_opts to = {.jsonl_path = jsonl, .timeline_path = timeline};
	struct scn_run_opts o = {.trace = cli_trace_event,
	                         .call_returned = cli_trace_call_returned};
	struct cli_trace *t;
	struct captured c;
	char err[128], *lines, *tl, *save = NULL;
	unsigned int n = 0;
	int fd;

	fd = mkstemp(jsonl);
	ck_assert_int_ge(fd, 0);
	close(fd);
	fd = mkstemp(timeline);
	ck_assert_int_ge(fd, 0);
	close(fd);
	t = cli_trace_open(&to, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	o.hook_ctx = t;
	run_text("config vcpus=2\n"
	         "pvalidate_list ca+8 validate free_ram,3\n"
	         "call core.pvalidate rcx=ca+8\n"
	         "vmsa free_ram\n"
	         "call core.create_vcpu rcx=free_ram rdx=free_ram+0x1000 r8=1\n"
	         "vcpu 1\n"
	         "call core.query_protocol rcx=core:1\n"
	         "vcpu 0\n"
	         "call core.delete_vcpu rcx=free_ram\n"
	         "hv refuse_run 1\n"
	         "call core.query_protocol\n"
	         "access read free_ram+0x10000\n",
	         &o, &c);
	ck_assert_int_eq(c.rc, SCN_OK);
	ck_assert_uint_gt(cli_trace_time_ns(t), 0);
	ck_assert_uint_eq(cli_trace_count(t, CSVSM_EV_CALL), 5);
	ck_assert_uint_eq(cli_trace_count(t, CSVSM_EV_RESULT), 4);
	ck_assert_uint_eq(cli_trace_count(t, CSVSM_EV_PVALIDATE), 3);
	ck_assert_int_eq(cli_trace_close(t), 0);
	captured_free(&c);

	/* JSON lines: one valid object per line, seq 1, 2, 3, ... */
	lines = slurp(jsonl);
	for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char want[32];

		n++;
		ck_assert_msg(json_valid(l), "line %u is not JSON: %s", n, l);
		snprintf(want, sizeof(want), "{\"seq\":%u,", n);
		ck_assert_msg(!strncmp(l, want, strlen(want)), "line %u: %s", n, l);
	}
	ck_assert_uint_gt(n, 50);
	free(lines);

	/* The timeline: valid JSON; slices begin and end in pairs, per kind. */
	tl = slurp(timeline);
	ck_assert_msg(json_valid(tl), "the timeline is not JSON");
	ck_assert_ptr_nonnull(strstr(tl, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":["));
	ck_assert_uint_eq(count(tl, "\"cat\":\"call\",\"ph\":\"B\""), 5);
	ck_assert_uint_eq(count(tl, "\"cat\":\"call\",\"ph\":\"E\""), 5);
	ck_assert_uint_eq(count(tl, "\"args\":{\"delivered\":false}"), 1);
	ck_assert_uint_eq(count(tl, "\"cat\":\"vmpl\",\"ph\":\"B\""),
	                  count(tl, "\"cat\":\"vmpl\",\"ph\":\"E\""));
	ck_assert_ptr_nonnull(
	    strstr(tl, "\"name\":\"core.pvalidate\",\"cat\":\"call\",\"ph\":\"B\""));
	ck_assert_ptr_nonnull(strstr(tl, "\"name\":\"VMPL0 (SVSM)\""));
	ck_assert_ptr_nonnull(strstr(tl, "\"name\":\"VMPL2 (guest)\""));
	ck_assert_ptr_nonnull(strstr(tl, "\"args\":{\"name\":\"vCPU 1 calls\"}"));
	ck_assert_ptr_nonnull(strstr(tl, "\"name\":\"vc\",\"cat\":\"event\",\"ph\":\"i\""));
	ck_assert_ptr_nonnull(strstr(tl, "\"name\":\"hv_action\""));
	free(tl);
	unlink(jsonl);
	unlink(timeline);
}
END_TEST

START_TEST(test_trace_open_error)
{
	struct cli_trace_opts to = {.jsonl_path = "/nonexistent/dir/t.jsonl"};
	char err[128];

	ck_assert_ptr_null(cli_trace_open(&to, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cannot create '/nonexistent/dir/t.jsonl'"));
	ck_assert_int_eq(cli_trace_close(NULL), 0);
}
END_TEST

/* ---- the vTPM ---- */

/* The `tpm` statement and `expect tpm`: what the parser refuses. */
START_TEST(test_tpm_parse_errors)
{
	static const char d32[] =
	    "0000000000000000000000000000000000000000000000000000000000000000";
	char text[256];

	parse_error("tpm\n", 1, "missing operand: the command");
	parse_error("tpm at=0x1000\n", 1, "missing operand: the command");
	parse_error("tpm frob 1\n", 1, "unknown TPM command 'frob'");
	parse_error("tpm getrandom\n", 1, "missing operand: N");
	parse_error("tpm getrandom 0x10000\n", 1, "out of range");
	parse_error("tpm getrandom 1 2\n", 1, "unexpected '2'");
	parse_error("tpm bogus=1 getrandom 1\n", 1, "unknown option 'bogus'");
	parse_error("tpm locality=256 getrandom 1\n", 1, "locality 256 out of range");
	parse_error("tpm raw\n", 1, "missing operand: hex bytes");
	parse_error("tpm raw 0x8001\n", 1, "bad byte string");
	parse_error("tpm pcr_read 24\n", 1, "PCR 24 out of range");
	parse_error("tpm pcr_extend 1 abcd\n", 1, "32 bytes, not 2");
	snprintf(text, sizeof(text), "tpm pcr_extend 24 %s\n", d32);
	parse_error(text, 1, "PCR 24 out of range");
	parse_error("expect tpm rc 0\n", 1, "without a tpm statement");
	parse_error("tpm getrandom 1\nexpect tpm what 1\n", 2, "unknown TPM expectation 'what'");
	parse_error("tpm getrandom 1\nexpect tpm rc\n", 2, "missing operand");
	parse_error("tpm getrandom 1\nexpect tpm rsp zz\n", 2, "bad byte string");
	parse_error("config vtpm=maybe\n", 1, "vtpm wants yes or no");
	parse_error("config vtpm_platform_auth=guest\n", 1,
	            "vtpm_platform_auth wants svsm or empty");
	parse_error("let TPM_RC_SUCCESS = 1\n", 1, "built-in");
}
END_TEST

/* Running: responses, refusals, the names, and reports of failed TPM expectations. */
START_TEST(test_tpm_run)
{
	struct captured c;
	char *out;

	out = run_ok("pvalidate_list ca+8 validate free_ram\n"
	             "call core.pvalidate rcx=ca+8\n"
	             "tpm getrandom 4\n"
	             "expect rax SVSM_SUCCESS\n"
	             "expect tpm rc TPM_RC_SUCCESS\n"
	             "expect tpm len 16\n"
	             "expect events vtpm=1\n"
	             "tpm raw 8001 0000000a 00000fff\n"
	             "expect tpm rsp 8001 0000000a 00000143\n"
	             "expect tpm tail 00000143\n"
	             "expect tpm rc TPM_RC_COMMAND_CODE\n"
	             "print TPM_RC_INITIALIZE TPM_RC_RETRY\n");
	ck_assert_ptr_nonnull(strstr(out, "TPM_RC_INITIALIZE = 0x100"));
	ck_assert_ptr_nonnull(strstr(out, "TPM_RC_RETRY = 0x922"));
	free(out);

	/* No vTPM: the call is refused and TPM expectations say why they fail. */
	run_text("config vtpm=no\n"
	         "pvalidate_list ca+8 validate free_ram\n"
	         "call core.pvalidate rcx=ca+8\n"
	         "tpm getrandom 4\n"
	         "expect rax SVSM_ERR_UNSUPPORTED_PROTOCOL\n"
	         "expect tpm rc 0\n",
	         NULL, &c);
	ck_assert_int_eq(c.rc, SCN_FAILED);
	ck_assert_uint_eq(c.res.failed, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "t.scn:6: expectation failed: rc"));
	ck_assert_ptr_nonnull(strstr(c.err, "SVSM_ERR_UNSUPPORTED_PROTOCOL"));
	captured_free(&c);

	/* A wrong expectation shows both sides. */
	run_text("pvalidate_list ca+8 validate free_ram\n"
	         "call core.pvalidate rcx=ca+8\n"
	         "tpm raw 8001 0000000a 00000fff\n"
	         "expect tpm rc 0\n"
	         "expect tpm rsp 8001 0000000a 00000000\n"
	         "expect tpm len 11\n",
	         NULL, &c);
	ck_assert_int_eq(c.rc, SCN_FAILED);
	ck_assert_uint_eq(c.res.failed, 3);
	ck_assert_ptr_nonnull(strstr(c.err, "actual:   0x143 (323)"));
	ck_assert_ptr_nonnull(strstr(c.err, "actual:   80 01 00 00 00 0a 00 00 01 43"));
	captured_free(&c);

	/* As the first action, at= sees the booted machine's layout (secrets: a guest RW page). */
	out = run_ok("tpm at=secrets getrandom 4\n"
	             "expect rax SVSM_SUCCESS\n"
	             "expect tpm rc 0\n");
	free(out);

	/* An unvalidated buffer: the guest's write faults, nothing is called. */
	run_text("tpm getrandom 4\n"
	         "expect access vc\n"
	         "expect delivered no\n"
	         "expect events vtpm=0\n",
	         NULL, &c);
	ck_assert_msg(c.rc == SCN_OK, "%s", c.err);
	captured_free(&c);
}
END_TEST

/* ---- allocation failures (tests/scenario_alloc.h) ---- */

static const char alloc_text[] = "config vcpus=2\n"
                                 "let l = ca + 8\n"
                                 "let other = free_ram + 0x4000\n"
                                 "pvalidate_list l validate free_ram,3 raw=free_ram+0x3000|4\n"
                                 "call core.pvalidate rcx=l\n"
                                 "expect rax SVSM_SUCCESS\n"
                                 "write free_ram de ad be ef\n"
                                 "expect mem free_ram de ad be ef\n"
                                 "fill free_ram+8 8 0x11\n"
                                 "read free_ram 16\n"
                                 "tpm at=free_ram+0x2000 raw 8001 0000000c 0000017b 0008\n"
                                 "expect tpm rc 0\n"
                                 "vmsa free_ram+0x1000\n"
                                 "hv race l+8 05 nth=1\n"
                                 "pvalidate_list l rescind other\n"
                                 "call core.pvalidate rcx=l\n"
                                 "poke free_ram+0x2000 01 02\n"
                                 "expect rmp free_ram validated=yes guest=rwx\n"
                                 "print l other\n";

/*
 * Fails the 1st, 2nd, ... allocation of parsing: each time a clean
 * "out of memory" error, no script, nothing leaked; then a clean parse.
 */
START_TEST(test_parse_alloc_failures)
{
	unsigned long n;

	for (n = 1;; n++) {
		long baseline = scn_test_live();
		struct scn_script *s = NULL;
		struct scn_diag d;
		int rc, fired;

		scn_test_fail_nth(n);
		rc = scn_parse("t.scn", alloc_text, strlen(alloc_text), &s, &d);
		fired = scn_test_failed();
		scn_test_fail_nth(0);
		if (!fired) {
			if (rc != SCN_OK)
				ck_abort_msg("no fault, yet %d: %s", rc, d.msg);
			scn_free(s);
			if (scn_test_live() != baseline)
				ck_abort_msg("a clean parse leaked %ld",
				             scn_test_live() - baseline);
			break;
		}
		if (rc != SCN_ERROR || s || !strstr(d.msg, "out of memory"))
			ck_abort_msg("allocation %lu: rc %d, '%s'", n, rc, d.msg);
		if (scn_test_live() != baseline)
			ck_abort_msg("allocation %lu failed: %ld leaked", n,
			             scn_test_live() - baseline);
	}
	ck_assert_uint_gt(n, 40);
}
END_TEST

/*
 * The same for running: each failure stops the run with an "out of
 * memory" error, frees the simulator (the next run can make one) and
 * leaks nothing; the run without a failure holds every expectation.
 */
START_TEST(test_run_alloc_failures)
{
	struct scn_script *s = parse(alloc_text, SCN_OK, NULL);
	FILE *null = fopen("/dev/null", "w");
	struct scn_run_opts o = {.out = null, .err = null};
	unsigned long n;

	ck_assert_ptr_nonnull(null);
	for (n = 1;; n++) {
		long baseline = scn_test_live();
		struct scn_result res;
		int rc, fired;

		scn_test_fail_nth(n);
		rc = scn_run(s, &o, &res);
		fired = scn_test_failed();
		scn_test_fail_nth(0);
		if (scn_test_live() != baseline)
			ck_abort_msg("allocation %lu: %ld leaked", n, scn_test_live() - baseline);
		if (!fired) {
			if (rc != SCN_OK || res.expectations != 5)
				ck_abort_msg("no fault, yet %d (%u expectations)", rc,
				             res.expectations);
			break;
		}
		if (rc != SCN_ERROR || !strstr(res.error.msg, "out of memory"))
			ck_abort_msg("allocation %lu: rc %d, '%s'", n, rc, res.error.msg);
	}
	ck_assert_uint_gt(n, 8);
	fclose(null);
	scn_free(s);
}
END_TEST

static Suite *scenario_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_unknown_keyword);
	tcase_add_test(tc, test_bad_number);
	tcase_add_test(tc, test_missing_operand);
	tcase_add_test(tc, test_bad_symbol);
	tcase_add_test(tc, test_bad_operands);
	tcase_add_test(tc, test_order_errors);
	tcase_add_test(tc, test_nul_and_memory_limits);
	tcase_add_test(tc, test_lexical_freedom);
	tcase_set_timeout(tc, TIMEOUT);
	suite_add_tcase(s, tc);

	tc = tcase_create("run");
	tcase_add_test(tc, test_expressions);
	tcase_add_test(tc, test_ca_tracking);
	tcase_add_test(tc, test_memory_statements);
	tcase_add_test(tc, test_failure_report);
	tcase_add_test(tc, test_failure_tail_length);
	tcase_add_test(tc, test_runtime_error);
	tcase_add_test(tc, test_boot);
	tcase_add_test(tc, test_undelivered);
	tcase_add_test(tc, test_tpm_parse_errors);
	tcase_add_test(tc, test_tpm_run);
	tcase_set_timeout(tc, TIMEOUT);
	suite_add_tcase(s, tc);

	tc = tcase_create("trace");
	tcase_add_test(tc, test_hooks);
	tcase_add_test(tc, test_determinism);
	tcase_add_test(tc, test_json_checker);
	tcase_add_test(tc, test_trace_sinks);
	tcase_add_test(tc, test_trace_open_error);
	tcase_set_timeout(tc, TIMEOUT);
	suite_add_tcase(s, tc);

	tc = tcase_create("alloc");
	tcase_add_test(tc, test_parse_alloc_failures);
	tcase_add_test(tc, test_run_alloc_failures);
	tcase_set_timeout(tc, TIMEOUT);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scenario_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
