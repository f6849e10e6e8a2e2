/* SPDX-License-Identifier: MIT */
/*
 * The vTPM engine: libtpms (TPM 2.0) behind csvsm/adapter/vtpm.h, its NV
 * callbacks on the csvsm NV store, one commit per command that changed
 * NV, and the rollback that keeps the TPM and its stored state in step
 * when a commit fails. Hosted C (libtpms headers); part of libcsvsm-sim
 * only. Design and decisions: src/vtpm/README.md.
 *
 * NV path. libtpms keeps its NV in memory and, at the end of a command
 * that changed it, hands the whole marshalled image ("permall") to
 * tpm_nvram_storedata. A failing storedata puts libtpms into failure mode
 * (ExecuteCommand: NvCommit fails -> FAIL), so the callback only copies the
 * blob into a buffer of the adapter's (it cannot fail unless that buffer
 * must grow and the heap is empty). After TPMLIB_Process returns, the
 * blob is staged in the NV store and committed, before the guest sees the
 * response. Identical contents change nothing (nvstore_put) and a commit
 * with nothing staged writes nothing, so commands that do not change NV
 * cost no device write.
 *
 * When the commit fails:
 * - commands that write NV by design (TPMA_CC.nv, TPM 2.0 Part 2 section
 *   8.9, learnt from the TPM itself) are made atomic: their volatile state
 *   was snapshotted before they ran, so the TPM restarts from that
 *   snapshot and the NV state before the command; the guest gets
 *   TPM_RC_RETRY (out of memory), TPM_RC_NV_SPACE (state too large for the
 *   device) or TPM_RC_NV_UNAVAILABLE (device error), and nothing happened;
 * - other commands change NV only incidentally (the dictionary-attack
 *   counter, the clock): their response is delivered, the NV change stays
 *   pending and is committed with the next one, exactly as if the machine
 *   had stopped before the write. PCR_Extend and PCR_Event carry TPMA_CC.nv
 *   but write NV only to clear the orderly flag, which the platform
 *   hierarchy lock already cleared at TPM2_Startup: they are not
 *   snapshotted (a snapshot costs ~18 us, ten times the command).
 */
#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_memory.h>
#include <libtpms/tpm_nvfilename.h>
#include <string.h>

#include "csvsm/error.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "vtpm_internal.h"

#define VTPM_SLOTS          3           /* permall, volatilestate, savestate */
#define VTPM_BLOB_MIN_CAP   (16 * 1024) /* first size of a blob buffer */
#define VTPM_TPM_BUFFER     4087        /* TPM I/O buffer: SVSM_VTPM_CMD_MAX (abi 1.7) */
#define TPM_CC_PCR_EXTEND   0x00000182
#define TPM_CC_PCR_EVENT    0x0000013c
#define VTPM_ERROR_RSP_SIZE 10

/* One named blob libtpms keeps in the NV store, and what happened to it. */
struct vtpm_slot {
	char name[NVSTORE_NAME_MAX + 1];                /* "" = unused */
	enum { SLOT_IDLE, SLOT_STORE, SLOT_DELETE } op; /* not yet in the store */
	uint8_t *data;                                  /* the blob libtpms stored */
	size_t len, cap;
	uint8_t *undo; /* the staged blob before the last apply */
	size_t undo_len, undo_cap;
	bool undo_present;   /* the name existed before the last apply */
	bool revert_pending; /* the store still holds the failed apply's blob */
};

static struct {
	struct nvstore *nv;
	bool started;       /* between vtpm_init and vtpm_shutdown */
	bool running;       /* libtpms initialised and consistent */
	bool cb_failed;     /* a callback refused: libtpms entered failure mode */
	bool keep_platform; /* lock the platform hierarchy after every TPM2_Startup */
	struct vtpm_slot slot[VTPM_SLOTS];
	unsigned char *rsp; /* libtpms' response buffer (its TPM_Malloc) */
	uint32_t rsp_size;  /* its allocated size */
	const uint8_t *out; /* the response of the last transaction */
	size_t out_len;
	uint8_t err_rsp[VTPM_ERROR_RSP_SIZE];
	uint8_t cmd[VTPM_BUFFER_MAX]; /* libtpms may decrypt parameters in place */
	struct vtpm_stats stats;
} vt;

/* The trace hook (vtpm_set_observer): outside `vt`, which vtpm_init clears. */
static vtpm_observer_fn vtpm_observer;
static void *vtpm_observer_ctx;

/* ---- blob buffers ---- */

/* Makes *buf hold at least `need` bytes (contents not kept). 0 or -CSVSM_ENOMEM. */
static int vtpm_reserve(uint8_t **buf, size_t *cap, size_t need)
{
	size_t size = VTPM_BLOB_MIN_CAP;
	uint8_t *p;

	if (need <= *cap && *buf)
		return 0;
	while (size < need && size <= CSVSM_SIZE_MAX / 2)
		size *= 2;
	if (size < need)
		return -CSVSM_ENOMEM;
	p = kmalloc(size);
	if (!p)
		return -CSVSM_ENOMEM;
	kfree(*buf);
	*buf = p;
	*cap = size;
	return 0;
}

static struct vtpm_slot *vtpm_slot(const char *name, bool create)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > NVSTORE_NAME_MAX)
		return NULL;
	for (unsigned int i = 0; i < VTPM_SLOTS; i++)
		if (!strcmp(vt.slot[i].name, name))
			return &vt.slot[i];
	if (!create)
		return NULL;
	for (unsigned int i = 0; i < VTPM_SLOTS; i++) {
		if (vt.slot[i].name[0] == '\0') {
			memcpy(vt.slot[i].name, name, n + 1);
			return &vt.slot[i];
		}
	}
	return NULL;
}

static bool vtpm_ops_pending(void)
{
	for (unsigned int i = 0; i < VTPM_SLOTS; i++)
		if (vt.slot[i].op != SLOT_IDLE)
			return true;
	return false;
}

/* ---- libtpms NV callbacks (the whole group, as libtpms requires) ---- */

static TPM_RESULT vtpm_cb_nv_init(void)
{
	return TPM_SUCCESS;
}

/*
 * Returns the current contents of `name`: what libtpms stored and the store
 * has not got yet, else what the store holds (or, while a revert is
 * pending, what it held before the failed apply). Stored data is
 * untrusted: libtpms validates the image itself; sizes are bounded here.
 */
static TPM_RESULT vtpm_cb_load(unsigned char **data, uint32_t *length, uint32_t tpm_number,
                               const char *name)
{
	struct vtpm_slot *s = vtpm_slot(name, false);
	const void *blob;
	size_t len;

	(void)tpm_number;
	if (s && s->op == SLOT_STORE) {
		blob = s->data;
		len = s->len;
	} else if (s && s->op == SLOT_DELETE) {
		return TPM_RETRY;
	} else if (s && s->revert_pending) {
		if (!s->undo_present)
			return TPM_RETRY;
		blob = s->undo;
		len = s->undo_len;
	} else {
		int rc = nvstore_get(vt.nv, name, &blob, &len);

		if (rc == -CSVSM_ENOENT)
			return TPM_RETRY; /* first start: libtpms manufactures */
		if (rc < 0)
			return TPM_FAIL;
	}
	if (len == 0 || len > TPM_ALLOC_MAX) {
		log_printf("vtpm: stored blob %s has an impossible size (%zu bytes)\n", name, len);
		return TPM_FAIL;
	}
	if (TPM_Malloc(data, (uint32_t)len) != TPM_SUCCESS)
		return TPM_FAIL;
	memcpy(*data, blob, len);
	*length = (uint32_t)len;
	return TPM_SUCCESS;
}

static TPM_RESULT vtpm_cb_store(const unsigned char *data, uint32_t length, uint32_t tpm_number,
                                const char *name)
{
	struct vtpm_slot *s = vtpm_slot(name, true);

	(void)tpm_number;
	if (!s || vtpm_reserve(&s->data, &s->cap, length) < 0) {
		log_printf("vtpm: no room to keep NV blob %s (%u bytes)\n", name, length);
		vt.cb_failed = true;
		return TPM_FAIL;
	}
	if (length)
		memcpy(s->data, data, length);
	s->len = length;
	s->op = SLOT_STORE;
	vt.stats.nv_stores++;
	return TPM_SUCCESS;
}

static TPM_RESULT vtpm_cb_delete(uint32_t tpm_number, const char *name, TPM_BOOL must_exist)
{
	struct vtpm_slot *s = vtpm_slot(name, true);
	bool exists;

	(void)tpm_number;
	if (!s) {
		vt.cb_failed = true;
		return TPM_FAIL;
	}
	if (s->op != SLOT_IDLE)
		exists = s->op == SLOT_STORE;
	else
		exists = nvstore_get(vt.nv, name, NULL, NULL) == 0;
	if (must_exist && !exists)
		return TPM_FAIL;
	if (exists)
		s->op = SLOT_DELETE;
	return TPM_SUCCESS;
}

static struct libtpms_callbacks vtpm_callbacks = {
    .sizeOfStruct = sizeof(struct libtpms_callbacks),
    .tpm_nvram_init = vtpm_cb_nv_init,
    .tpm_nvram_loaddata = vtpm_cb_load,
    .tpm_nvram_storedata = vtpm_cb_store,
    .tpm_nvram_deletename = vtpm_cb_delete,
};

/* ---- the NV store side ---- */

/* Puts back what slot `s` held in the store before the last apply. */
static int vtpm_revert_slot(struct vtpm_slot *s)
{
	int rc;

	if (s->undo_present)
		rc = nvstore_put(vt.nv, s->name, s->undo, s->undo_len);
	else
		rc = nvstore_delete(vt.nv, s->name);
	if (rc == -CSVSM_ENOENT)
		rc = 0;
	s->revert_pending = rc < 0;
	return rc;
}

/* Retries the reverts a failed rollback left. 0 when the store is in step. */
static int vtpm_resync(void)
{
	int rc = 0;

	for (unsigned int i = 0; i < VTPM_SLOTS; i++)
		if (vt.slot[i].revert_pending && vtpm_revert_slot(&vt.slot[i]) < 0)
			rc = -CSVSM_ENOMEM;
	return rc;
}

/*
 * Stages the pending operations in the NV store and commits them. On
 * failure the store's staged state is put back as it was (slots whose
 * revert failed keep revert_pending) and the operations stay pending.
 */
static int vtpm_apply(void)
{
	struct nvstore_stats before, after;
	unsigned int done = 0;
	int rc = 0;

	/* Keep what each operation replaces, before changing anything. */
	for (unsigned int i = 0; i < VTPM_SLOTS; i++) {
		struct vtpm_slot *s = &vt.slot[i];
		const void *old;
		size_t old_len;

		if (s->op == SLOT_IDLE)
			continue;
		s->undo_present = nvstore_get(vt.nv, s->name, &old, &old_len) == 0;
		if (!s->undo_present)
			continue;
		if (vtpm_reserve(&s->undo, &s->undo_cap, old_len) < 0)
			return -CSVSM_ENOMEM;
		if (old_len)
			memcpy(s->undo, old, old_len);
		s->undo_len = old_len;
	}
	for (; done < VTPM_SLOTS; done++) {
		struct vtpm_slot *s = &vt.slot[done];

		if (s->op == SLOT_STORE)
			rc = nvstore_put(vt.nv, s->name, s->data, s->len);
		else if (s->op == SLOT_DELETE)
			rc = nvstore_delete(vt.nv, s->name);
		if (rc == -CSVSM_ENOENT)
			rc = 0;
		if (rc < 0)
			break;
	}
	if (rc == 0) {
		nvstore_get_stats(vt.nv, &before);
		rc = nvstore_commit(vt.nv);
		nvstore_get_stats(vt.nv, &after);
		vt.stats.nv_commits += after.commits - before.commits;
		if (rc == 0) {
			for (unsigned int i = 0; i < VTPM_SLOTS; i++)
				vt.slot[i].op = SLOT_IDLE;
			return 0;
		}
		done = VTPM_SLOTS;
	}
	vt.stats.nv_failures++;
	log_printf("vtpm: the NV state could not be saved (%s)\n", csvsm_strerror(rc));
	for (unsigned int i = 0; i < done; i++)
		if (vt.slot[i].op != SLOT_IDLE)
			(void)vtpm_revert_slot(&vt.slot[i]);
	return rc;
}

/*
 * After a successful apply: grows each blob buffer to twice the blob, so
 * that the callback (which must not fail) almost never has to allocate.
 */
static void vtpm_grow_ahead(void)
{
	for (unsigned int i = 0; i < VTPM_SLOTS; i++) {
		struct vtpm_slot *s = &vt.slot[i];
		uint8_t *p;

		if (!s->data || s->cap >= 2 * s->len)
			continue;
		p = kmalloc(2 * s->len);
		if (!p)
			continue; /* next time */
		memcpy(p, s->data, s->len);
		kfree(s->data);
		s->data = p;
		s->cap = 2 * s->len;
	}
}

/* ---- libtpms ---- */

/* Initialises libtpms (optionally resuming `vol`) and runs _TPM_Init. */
static int vtpm_tpms_start(const unsigned char *vol, uint32_t vol_len)
{
	uint32_t min_size, max_size;
	TPM_RESULT r;

	vt.cb_failed = false;
	if (TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_2) != TPM_SUCCESS ||
	    TPMLIB_RegisterCallbacks(&vtpm_callbacks) != TPM_SUCCESS)
		return -CSVSM_EIO;
	/* Commands and responses must fit the SVSM buffer (abi 1.7). */
	if (TPMLIB_SetBufferSize(VTPM_TPM_BUFFER, &min_size, &max_size) != VTPM_TPM_BUFFER)
		return -CSVSM_EIO;
	if (vol && TPMLIB_SetState(TPMLIB_STATE_VOLATILE, vol, vol_len) != TPM_SUCCESS)
		return -CSVSM_EIO;
	r = TPMLIB_MainInit();
	if (r != TPM_SUCCESS || vt.cb_failed) {
		TPMLIB_Terminate();
		return -CSVSM_ECORRUPT;
	}
	vt.running = true;
	return 0;
}

static void vtpm_tpms_stop(void)
{
	if (vt.running)
		TPMLIB_Terminate();
	vt.running = false;
}

static void vtpm_error_response(uint32_t rc)
{
	static const uint8_t hdr[6] = {0x80, 0x01, 0, 0, 0, VTPM_ERROR_RSP_SIZE};

	memcpy(vt.err_rsp, hdr, sizeof(hdr));
	vt.err_rsp[6] = (uint8_t)(rc >> 24);
	vt.err_rsp[7] = (uint8_t)(rc >> 16);
	vt.err_rsp[8] = (uint8_t)(rc >> 8);
	vt.err_rsp[9] = (uint8_t)rc;
	vt.out = vt.err_rsp;
	vt.out_len = VTPM_ERROR_RSP_SIZE;
}

/*
 * Restarts the TPM from `vol` and the NV state the store had before the
 * failed apply. Returns 0, or -CSVSM_EIO when the TPM could not be
 * restarted (it then stays stopped: a TPM reset would silently clear the
 * guest's PCRs, so the vTPM fails every command until the SVSM restarts).
 */
static int vtpm_rollback(const unsigned char *vol, uint32_t vol_len)
{
	int rc;

	for (unsigned int i = 0; i < VTPM_SLOTS; i++)
		vt.slot[i].op = SLOT_IDLE;
	vtpm_tpms_stop();
	rc = vtpm_tpms_start(vol, vol_len);
	if (rc == 0 && vtpm_ops_pending())
		rc = vtpm_apply();
	if (rc < 0) {
		vtpm_tpms_stop();
		log_printf("vtpm: the TPM could not be restored after an NV failure; it stays "
		           "unavailable\n");
		return -CSVSM_EIO;
	}
	vt.stats.rollbacks++;
	return 0;
}

static uint32_t vtpm_nv_error_code(int rc)
{
	if (rc == -CSVSM_ENOMEM)
		return TPM_RC_RETRY;
	if (rc == -CSVSM_ENOSPC)
		return TPM_RC_NV_SPACE;
	return TPM_RC_NV_UNAVAILABLE;
}

/* Whether a failed commit after command `cc` must undo the command. */
static bool vtpm_snapshot_wanted(uint32_t cc)
{
	/* vtpm_init fails as a whole on any NV failure: no snapshot needed. */
	if (!vt.started)
		return false;
	if (cc == TPM_CC_PCR_EXTEND || cc == TPM_CC_PCR_EVENT)
		return false;
	return vtpm_cc_writes_nv(cc);
}

/*
 * Runs one command (header already checked by the caller) with its NV
 * changes committed before the response is released; the response is at
 * vt.out. Returns 0, or -CSVSM_EIO / -CSVSM_ENOMEM when the command could
 * not be delivered.
 */
static int vtpm_transact(const uint8_t *cmd, size_t len)
{
	uint32_t cc = vtpm_get_be32(cmd + 6);
	unsigned char *snap = NULL;
	uint32_t snap_len = 0, rsp_len = 0;
	int rc;

	if (!vt.running)
		return -CSVSM_EIO;
	if (vtpm_resync() < 0)
		return -CSVSM_ENOMEM;
	if (vtpm_snapshot_wanted(cc)) {
		if (TPMLIB_VolatileAll_Store(&snap, &snap_len) != TPM_SUCCESS)
			return -CSVSM_ENOMEM;
		vt.stats.snapshots++;
	}
	memcpy(vt.cmd, cmd, len);
	vt.cb_failed = false;
	if (TPMLIB_Process(&vt.rsp, &rsp_len, &vt.rsp_size, vt.cmd, (uint32_t)len) != TPM_SUCCESS ||
	    rsp_len < VTPM_ERROR_RSP_SIZE) {
		/* libtpms itself failed (its allocation): it did not run the command. */
		log_printf("vtpm: TPM command %#x not run: libtpms could not allocate its buffers "
		           "(out of memory)\n",
		           (unsigned int)cc);
		TPM_Free(snap);
		return -CSVSM_ENOMEM;
	}
	vt.out = vt.rsp;
	vt.out_len = rsp_len;
	rc = vt.cb_failed ? -CSVSM_ENOMEM : 0;
	if (rc == 0 && vtpm_ops_pending()) {
		rc = vtpm_apply();
		if (rc == 0)
			vtpm_grow_ahead();
	}
	if (rc < 0)
		log_printf("vtpm: TPM command %#x: its NV changes were not saved (%s%s)\n",
		           (unsigned int)cc, csvsm_strerror(rc),
		           rc == -CSVSM_ENOMEM ? ": out of memory" : "");
	if (rc < 0 && (snap || vt.cb_failed)) {
		/* Undo the command: the state before it, NV and volatile. */
		if (!snap || vtpm_rollback(snap, snap_len) < 0) {
			vtpm_tpms_stop();
			TPM_Free(snap);
			return -CSVSM_EIO;
		}
		vtpm_error_response(vtpm_nv_error_code(rc));
	}
	/* Without a snapshot the change stays pending: committed with the next one. */
	TPM_Free(snap);
	return 0;
}

/* ---- the adapter interface ---- */

int vtpm_internal_command(const uint8_t *cmd, size_t len, uint8_t *rsp, size_t rsp_max,
                          size_t *rsp_len)
{
	int rc = vtpm_transact(cmd, len);

	if (rc < 0)
		return rc;
	if (rsp) {
		if (vt.out_len > rsp_max)
			return -CSVSM_ERANGE;
		memcpy(rsp, vt.out, vt.out_len);
		if (rsp_len)
			*rsp_len = vt.out_len;
	}
	return (int)(vtpm_get_be32(vt.out + 6) & 0x7fffffff);
}

static void vtpm_free_buffers(void)
{
	for (unsigned int i = 0; i < VTPM_SLOTS; i++) {
		kfree(vt.slot[i].data);
		kfree(vt.slot[i].undo);
	}
	TPM_Free(vt.rsp);
	memset(&vt, 0, sizeof(vt));
}

/* TPM2_Startup(TPM_SU_CLEAR) (TPM 2.0 Part 3 section 9.3). */
static int vtpm_startup_clear(void)
{
	uint8_t cmd[12];
	struct vtpm_buf b;
	int rc;

	vtpm_buf_init(&b, cmd, sizeof(cmd));
	vtpm_buf_u16(&b, TPM_ST_NO_SESSIONS);
	vtpm_buf_u32(&b, 0);
	vtpm_buf_u32(&b, TPM_CC_STARTUP);
	vtpm_buf_u16(&b, TPM_SU_CLEAR);
	vtpm_buf_finish(&b);
	rc = vtpm_internal_command(cmd, b.len, NULL, 0, NULL);
	if (rc != TPM_RC_SUCCESS) {
		log_printf("vtpm: TPM2_Startup failed (%#x)\n", (unsigned int)rc);
		return rc < 0 ? rc : -CSVSM_EIO;
	}
	return 0;
}

int vtpm_init(struct nvstore *nv, enum vtpm_ek_type ek)
{
	struct vtpm_options opt = {.ek = ek, .platform_auth = VTPM_PLATFORM_AUTH_SVSM};

	return vtpm_init_with(nv, &opt);
}

int vtpm_init_with(struct nvstore *nv, const struct vtpm_options *opt)
{
	enum vtpm_ek_type ek = opt ? opt->ek : VTPM_EK_ECC_P256;
	enum vtpm_platform_auth pa = opt ? opt->platform_auth : VTPM_PLATFORM_AUTH_SVSM;
	struct vtpm_slot *perm;
	int rc;

	if (vt.started)
		return -CSVSM_EBUSY;
	if (!nv || (ek != VTPM_EK_ECC_P256 && ek != VTPM_EK_RSA_2048) ||
	    (pa != VTPM_PLATFORM_AUTH_SVSM && pa != VTPM_PLATFORM_AUTH_EMPTY))
		return -CSVSM_EINVAL;
	memset(&vt, 0, sizeof(vt));
	vtpm_setup_reset();
	vt.nv = nv;
	vt.keep_platform = pa == VTPM_PLATFORM_AUTH_SVSM;
	perm = vtpm_slot(TPM_PERMANENT_ALL_NAME, true);
	if (vtpm_reserve(&perm->data, &perm->cap, VTPM_BLOB_MIN_CAP) < 0 ||
	    vtpm_reserve(&perm->undo, &perm->undo_cap, VTPM_BLOB_MIN_CAP) < 0) {
		vtpm_free_buffers();
		return -CSVSM_ENOMEM;
	}
	rc = vtpm_tpms_start(NULL, 0);
	if (rc < 0) {
		log_printf("vtpm: libtpms refused the stored state (%s); it is left as it is\n",
		           csvsm_strerror(rc));
		vtpm_free_buffers();
		return rc;
	}
	/* A first start manufactured the TPM: its NV must be saved now. */
	rc = vtpm_ops_pending() ? vtpm_apply() : 0;
	if (rc == 0)
		rc = vtpm_startup_clear();
	if (rc == 0 && vtpm_load_nv_commands() < 0)
		log_printf("vtpm: command attributes unknown; every command is treated as "
		           "NV-writing\n");
	if (rc == 0 && vt.keep_platform)
		rc = vtpm_lock_platform();
	/* Anything left unsaved (a failed commit) fails the start. */
	if (rc == 0 && vtpm_resync() < 0)
		rc = -CSVSM_ENOMEM;
	if (rc == 0 && vtpm_ops_pending())
		rc = vtpm_apply();
	if (rc < 0) {
		vtpm_tpms_stop();
		vtpm_free_buffers();
		return rc;
	}
	if (vtpm_create_ek(ek) < 0)
		log_printf("vtpm: no endorsement key (the guest may have set endorsementAuth)\n");
	vt.started = true;
	return 0;
}

int vtpm_execute(const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t rsp_max, size_t *rsp_len)
{
	uint32_t cc;
	int rc;

	if (!vt.started)
		return -CSVSM_ENOTSUP;
	if (!cmd || !rsp || !rsp_len || cmd_len < VTPM_ERROR_RSP_SIZE || cmd_len > VTPM_BUFFER_MAX)
		return -CSVSM_EINVAL;
	cc = vtpm_get_be32(cmd + 6);
	rc = vtpm_transact(cmd, cmd_len);
	if (rc < 0)
		return rc;
	if (vt.out_len > rsp_max)
		return -CSVSM_ERANGE;
	memcpy(rsp, vt.out, vt.out_len);
	*rsp_len = vt.out_len;
	vt.stats.commands++;
	if (vtpm_observer)
		vtpm_observer(vtpm_observer_ctx, cc, cmd_len, vtpm_get_be32(rsp + 6), vt.out_len);
	/* After every TPM2_Startup the platform hierarchy is open again: close it. */
	if (cc == TPM_CC_STARTUP && vtpm_get_be32(rsp + 6) == TPM_RC_SUCCESS && vt.keep_platform &&
	    vtpm_lock_platform() < 0) {
		log_printf("vtpm: the platform hierarchy could not be locked: TPM stopped\n");
		vtpm_tpms_stop();
	}
	return 0;
}

int vtpm_power_cycle(void)
{
	int rc;

	if (!vt.started)
		return -CSVSM_ENOTSUP;
	if (vtpm_resync() < 0)
		return -CSVSM_ENOMEM;
	if (vtpm_ops_pending()) {
		rc = vtpm_apply();
		if (rc < 0)
			return rc;
	}
	vtpm_tpms_stop();
	rc = vtpm_tpms_start(NULL, 0);
	if (rc == 0 && vtpm_ops_pending())
		rc = vtpm_apply();
	return rc;
}

void vtpm_shutdown(void)
{
	if (!vt.started)
		return;
	if (vtpm_resync() == 0 && vtpm_ops_pending() && vtpm_apply() < 0)
		log_printf("vtpm: NV changes lost at shutdown\n");
	vtpm_tpms_stop();
	vtpm_setup_reset();
	vtpm_free_buffers();
}

void vtpm_get_stats(struct vtpm_stats *out)
{
	*out = vt.stats;
}

void vtpm_set_observer(vtpm_observer_fn fn, void *ctx)
{
	vtpm_observer = fn;
	vtpm_observer_ctx = ctx;
}
