/* SPDX-License-Identifier: MIT */
/*
 * The NV store (see csvsm/nvstore.h): named blobs staged in SVSM memory,
 * written crash-safe to two A/B slots of a block device. The on-disk
 * format and the commit order are described in nvstore_format.h.
 *
 * The staged state is a list of blobs sorted by name, so that the payload
 * of a commit is canonical and a reader can reject duplicates in one pass.
 * Everything read from the device is untrusted: each slot is copied into
 * SVSM memory once, checked against its checksum, then parsed with every
 * length checked against what is left of the payload.
 */
#include "csvsm/nvstore.h"

#include "csvsm/adapter/crypto.h"
#include "csvsm/error.h"
#include "csvsm/lib/crc32.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/entropy.h"
#include "nvstore_format.h"

struct nv_blob {
	struct nv_blob *next;
	size_t len;      /* bytes of data */
	size_t name_len; /* 1..NVSTORE_NAME_MAX */
	char name[NVSTORE_NAME_MAX + 1];
	uint8_t data[];
};

struct nvstore {
	struct blkdev *dev;
	struct nv_blob *blobs; /* staged state, sorted by name */
	size_t count;          /* blobs in the list */
	size_t payload_len;    /* bytes the staged state takes in a payload */
	uint64_t slot_size;
	uint64_t hdr_block;
	uint64_t capacity;    /* payload bytes a slot holds */
	unsigned int current; /* the slot holding the last good state */
	uint64_t generation;  /* its generation (0: blank device) */
	bool current_blank;   /* the current slot was never written */
	bool dirty;           /* a put or delete since the last good state */
	/* The payload of the last good state (NULL: empty), to skip commits that change nothing. */
	uint8_t *committed_buf; /* the allocation holding it */
	const uint8_t *committed;
	size_t committed_len;
	struct nvstore_stats stats;
	/* Sealed stores (nvstore_open_sealed). */
	bool sealed;
	size_t overhead; /* NVSTORE_SEAL_OVERHEAD when sealed, else 0 */
	uint64_t min_generation;
	uint8_t key[CRYPTO_AES256_KEY];
};

enum nv_slot_state {
	NV_SLOT_BLANK,   /* never written (or erased): the empty state, generation 0 */
	NV_SLOT_VALID,   /* header checks out; payload still to be checked */
	NV_SLOT_INVALID, /* holds data that is not a state */
};

struct nv_slot_info {
	enum nv_slot_state state;
	uint64_t generation;
	uint32_t payload_len;
	uint32_t payload_crc;
	uint32_t blob_count;
	const char *why; /* NV_SLOT_INVALID: the reason, for the log */
	bool torn;       /* NV_SLOT_INVALID: bad magic or header checksum */
	bool old;        /* NV_SLOT_INVALID: older than the trusted record */
	bool auth;       /* NV_SLOT_INVALID: a sealed payload that did not authenticate */
	uint8_t raw[NVSTORE_HEADER_SIZE]; /* the header as read (sealed: the AAD) */
};

/* Little-endian field access (the format's byte order, on any host). */
static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

#define HDR_OFF(field) __builtin_offsetof(struct nvstore_slot_header, field)

static const char *nv_dev_name(const struct blkdev *dev)
{
	return dev->name != NULL ? dev->name : "(unnamed)";
}

/*
 * Length of a valid blob name (1..NVSTORE_NAME_MAX), or 0 when `name` is
 * NULL, empty or too long.
 */
static size_t nv_name_len(const char *name)
{
	size_t n;

	if (name == NULL)
		return 0;
	n = str_nlen(name, NVSTORE_NAME_MAX + 1);
	return n <= NVSTORE_NAME_MAX ? n : 0;
}

/* Bytes a blob takes in a payload; false when that overflows the format. */
static bool nv_record_size(size_t name_len, size_t data_len, size_t *out)
{
	if (data_len > 0xffffffffu)
		return false;
	return !add_overflows(NVSTORE_RECORD_OVERHEAD + name_len, data_len, out);
}

/*
 * Computes the slot geometry of `dev` (nvstore_format.h). Returns 0,
 * -CSVSM_EINVAL for a write unit beyond NVSTORE_WRITE_UNIT_MAX, or
 * -CSVSM_ENOSPC when two slots with room for a payload do not fit.
 */
static int nv_geometry(struct nvstore *nv, const struct blkdev *dev)
{
	uint64_t wu = dev->write_unit;
	uint64_t hdr_block = MAX((uint64_t)NVSTORE_HEADER_SIZE, wu);
	uint64_t slot_max = hdr_block + ALIGN_UP((uint64_t)NVSTORE_PAYLOAD_MAX, wu);
	uint64_t slot = ALIGN_DOWN(dev->size / 2, wu);

	if (wu > NVSTORE_WRITE_UNIT_MAX) {
		log_printf("nvstore: %s: write unit %llu not supported (at most %u)\n",
		           nv_dev_name(dev), (unsigned long long)wu, NVSTORE_WRITE_UNIT_MAX);
		return -CSVSM_EINVAL;
	}
	slot = MIN(slot, slot_max);
	if (slot < hdr_block + ALIGN_UP((uint64_t)NVSTORE_HEADER_SIZE, wu)) {
		log_printf("nvstore: %s: device of %llu bytes too small for two slots\n",
		           nv_dev_name(dev), (unsigned long long)dev->size);
		return -CSVSM_ENOSPC;
	}
	nv->slot_size = slot;
	nv->hdr_block = hdr_block;
	nv->capacity = slot - hdr_block - nv->overhead;
	return 0;
}

/* Classifies a slot from its 64 header bytes (the payload is checked later). */
static void nv_check_header(const struct nvstore *nv, const uint8_t *raw, struct nv_slot_info *si)
{
	bool all_zero = true, all_ones = true;

	for (size_t i = 0; i < NVSTORE_HEADER_SIZE; i++) {
		all_zero &= raw[i] == 0x00;
		all_ones &= raw[i] == 0xff;
	}
	mem_set(si, 0, sizeof(*si));
	mem_copy(si->raw, raw, NVSTORE_HEADER_SIZE);
	if (all_zero || all_ones) {
		si->state = NV_SLOT_BLANK;
		return;
	}
	si->state = NV_SLOT_INVALID;
	si->generation = get_le64(raw + HDR_OFF(generation));
	si->payload_len = get_le32(raw + HDR_OFF(payload_len));
	si->payload_crc = get_le32(raw + HDR_OFF(payload_crc));
	si->blob_count = get_le32(raw + HDR_OFF(blob_count));
	/* What a header write cut short by a crash looks like. */
	si->torn = true;
	if (get_le32(raw + HDR_OFF(magic)) != NVSTORE_MAGIC)
		si->why = "bad magic (torn or corrupt header)";
	else if (crc32c(0, raw, NVSTORE_HEADER_CRC_SPAN) != get_le32(raw + HDR_OFF(header_crc)))
		si->why = "header checksum mismatch (torn or corrupt header)";
	else
		si->torn = false;
	if (si->torn)
		return;
	if (get_le16(raw + HDR_OFF(version)) != NVSTORE_FORMAT_VERSION)
		si->why = "unsupported format version";
	else if (get_le16(raw + HDR_OFF(header_size)) != NVSTORE_HEADER_SIZE)
		si->why = "bad header size";
	else if ((get_le32(raw + HDR_OFF(flags)) & ~NVSTORE_FLAG_SEALED) != 0 ||
	         !mem_is_zero(raw + HDR_OFF(reserved),
	                      sizeof(((struct nvstore_slot_header *)0)->reserved)))
		si->why = "unknown flags or reserved bytes set";
	else if (nv->sealed && get_le32(raw + HDR_OFF(flags)) != NVSTORE_FLAG_SEALED)
		si->why = "not sealed, where only a sealed state is accepted (forged, or written "
		          "without the SVSM's key): refused unread";
	else if (!nv->sealed && get_le32(raw + HDR_OFF(flags)) != 0)
		si->why = "sealed state, but the store was opened without a key";
	else if (!nv->sealed && !mem_is_zero(raw + HDR_OFF(iv), 12))
		si->why = "unknown flags or reserved bytes set";
	else if (si->generation == 0 || si->generation > NVSTORE_GENERATION_MAX)
		si->why = "generation out of range";
	else if (get_le64(raw + HDR_OFF(slot_size)) != nv->slot_size)
		si->why = "slot size differs from the device's (device resized?)";
	else if (si->payload_len > nv->capacity + nv->overhead)
		si->why = "payload length exceeds the slot (oversized state)";
	else if (si->payload_len < nv->overhead)
		si->why = "sealed payload shorter than its tag";
	else if ((uint64_t)si->blob_count >
	         (si->payload_len - nv->overhead) / (NVSTORE_RECORD_OVERHEAD + 1))
		si->why = "more blobs than the payload can hold";
	else if (si->generation < nv->min_generation) {
		si->why = "older than the newest state this SVSM has seen (rollback): refused";
		si->old = true;
	} else
		si->state = NV_SLOT_VALID;
}

static void nv_free_list(struct nv_blob *b)
{
	while (b != NULL) {
		struct nv_blob *next = b->next;

		kfree(b);
		b = next;
	}
}

/* Allocates a blob for `name_len` bytes of name and `len` bytes of data. */
static struct nv_blob *nv_blob_alloc(const void *name, size_t name_len, const void *data,
                                     size_t len)
{
	struct nv_blob *b;
	size_t size;

	if (add_overflows(sizeof(*b), len, &size))
		return NULL;
	b = kmalloc(size);
	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->len = len;
	b->name_len = name_len;
	mem_copy(b->name, name, name_len);
	b->name[name_len] = '\0';
	if (len != 0)
		mem_copy(b->data, data, len);
	return b;
}

/*
 * Parses a checked payload into a sorted blob list. Returns 0, -CSVSM_ENOMEM,
 * or -CSVSM_ECORRUPT with *why set.
 */
static int nv_parse(const uint8_t *p, size_t len, uint32_t blob_count, struct nv_blob **out,
                    size_t *out_len, const char **why)
{
	struct nv_blob *head = NULL, **tail = &head, *prev = NULL;
	size_t pos = 0, count = 0;

	while (pos < len) {
		size_t left = len - pos, name_len, data_len;
		const uint8_t *name;
		struct nv_blob *b;

		name_len = p[pos];
		if (name_len == 0 || name_len > NVSTORE_NAME_MAX) {
			*why = "blob name length out of range";
			goto corrupt;
		}
		if (left < NVSTORE_RECORD_OVERHEAD + name_len) {
			*why = "record truncated";
			goto corrupt;
		}
		name = p + pos + 1;
		if (str_nlen((const char *)name, name_len) != name_len) {
			*why = "blob name contains a NUL byte";
			goto corrupt;
		}
		data_len = get_le32(name + name_len);
		left -= NVSTORE_RECORD_OVERHEAD + name_len;
		if (data_len > left) {
			*why = "blob data length beyond the payload";
			goto corrupt;
		}
		if (count == blob_count) {
			*why = "more blobs than the header counts";
			goto corrupt;
		}
		b = nv_blob_alloc(name, name_len, name + name_len + 4, data_len);
		if (b == NULL) {
			nv_free_list(head);
			return -CSVSM_ENOMEM;
		}
		*tail = b;
		tail = &b->next;
		if (prev != NULL) {
			int c = str_cmp(prev->name, b->name);

			if (c == 0) {
				*why = "duplicate blob name";
				goto corrupt;
			}
			if (c > 0) {
				*why = "blob names out of order";
				goto corrupt;
			}
		}
		prev = b;
		count++;
		pos += NVSTORE_RECORD_OVERHEAD + name_len + data_len;
	}
	if (count != blob_count) {
		*why = "fewer blobs than the header counts";
		goto corrupt;
	}
	*out = head;
	*out_len = count;
	return 0;
corrupt:
	nv_free_list(head);
	return -CSVSM_ECORRUPT;
}

/*
 * Decrypts and authenticates the sealed payload in *buf (tag, then
 * ciphertext) under the store's key, with the header as AAD (payload_crc
 * as zero). On success *buf is replaced by the plaintext records (the
 * stored copy freed). Returns 0, -CSVSM_ENOMEM, or -CSVSM_ECORRUPT with
 * si->why set: no byte of an unauthenticated payload is ever parsed.
 */
static int nv_unseal(struct nvstore *nv, struct nv_slot_info *si, uint8_t **buf)
{
	size_t len = si->payload_len - NVSTORE_SEAL_OVERHEAD;
	uint8_t aad[NVSTORE_HEADER_CRC_SPAN];
	uint8_t *plain = kmalloc(len ? len : 1);
	int rc;

	if (plain == NULL)
		return -CSVSM_ENOMEM;
	mem_copy(aad, si->raw, sizeof(aad));
	put_le32(aad + HDR_OFF(payload_crc), 0);
	rc = crypto_aes256gcm_open(nv->key, si->raw + HDR_OFF(iv), aad, sizeof(aad),
	                           *buf + NVSTORE_SEAL_OVERHEAD, plain, len, *buf);
	if (rc < 0) {
		kfree(plain);
		if (rc == -CSVSM_ECORRUPT) {
			si->why =
			    "sealed state does not authenticate (another machine, another "
			    "SVSM measurement, or tampered): refused before any byte was used";
			si->auth = true;
		}
		return rc == -CSVSM_ENOMEM ? rc : -CSVSM_ECORRUPT;
	}
	kfree(*buf);
	*buf = plain;
	return 0;
}

/*
 * Reads and checks the payload of `slot`, whose header `si` is valid, and
 * parses it into nv->blobs. Returns 0 (the payload kept as the committed
 * one), -CSVSM_ENOMEM, -CSVSM_EIO, or -CSVSM_ECORRUPT with si->why set.
 */
static int nv_load_slot(struct nvstore *nv, unsigned int slot, struct nv_slot_info *si)
{
	uint8_t *buf = NULL;
	int rc;

	if (si->payload_len != 0) {
		buf = kmalloc(si->payload_len);
		if (buf == NULL)
			return -CSVSM_ENOMEM;
		rc = blkdev_read(nv->dev, slot * nv->slot_size + nv->hdr_block, buf,
		                 si->payload_len);
		if (rc < 0) {
			kfree(buf);
			return -CSVSM_EIO;
		}
	}
	if (crc32c(0, buf, si->payload_len) != si->payload_crc) {
		si->why = "payload checksum mismatch (torn or corrupt payload)";
		rc = -CSVSM_ECORRUPT;
	} else if (nv->sealed) {
		rc = nv_unseal(nv, si, &buf);
	} else {
		rc = 0;
	}
	if (rc == 0)
		rc = nv_parse(buf, si->payload_len - nv->overhead, si->blob_count, &nv->blobs,
		              &nv->count, &si->why);
	if (rc < 0) {
		kfree(buf);
		return rc;
	}
	nv->committed_buf = buf;
	nv->committed = buf;
	nv->committed_len = si->payload_len - nv->overhead;
	return 0;
}

static int nv_open(struct blkdev *dev, const struct nvstore_seal *seal, struct nvstore **out)
{
	struct nv_slot_info si[2];
	struct nvstore *nv;
	unsigned int order[2];
	int rc = -CSVSM_ECORRUPT;

	if (out == NULL)
		return -CSVSM_EINVAL;
	*out = NULL;
	if (!blkdev_valid(dev))
		return -CSVSM_EINVAL;
	nv = kzalloc(sizeof(*nv));
	if (nv == NULL)
		return -CSVSM_ENOMEM;
	nv->dev = dev;
	if (seal) {
		nv->sealed = true;
		nv->overhead = NVSTORE_SEAL_OVERHEAD;
		nv->min_generation = seal->min_generation;
		mem_copy(nv->key, seal->key, sizeof(nv->key));
		nv->stats.sealed = true;
	}
	rc = nv_geometry(nv, dev);
	if (rc < 0)
		goto fail;

	for (unsigned int i = 0; i < 2; i++) {
		uint8_t raw[NVSTORE_HEADER_SIZE];

		if (blkdev_read(dev, i * nv->slot_size, raw, sizeof(raw)) < 0) {
			log_printf("nvstore: %s: reading slot %u failed\n", nv_dev_name(dev), i);
			rc = -CSVSM_EIO;
			goto fail;
		}
		nv_check_header(nv, raw, &si[i]);
	}

	/*
	 * Newest first; on a tie slot 0, unless both are blank: then slot 1
	 * is current, so that the first commit goes to slot 0.
	 */
	if (si[0].state == NV_SLOT_BLANK && si[1].state == NV_SLOT_BLANK)
		order[0] = 1;
	else
		order[0] = si[1].generation > si[0].generation ? 1 : 0;
	order[1] = order[0] ^ 1;
	rc = -CSVSM_ECORRUPT;
	for (unsigned int k = 0; k < 2 && rc == -CSVSM_ECORRUPT; k++) {
		unsigned int i = order[k];

		if (si[i].state == NV_SLOT_BLANK) {
			/*
			 * Blank beside a torn header: a crash during the first
			 * commit, the empty state is right. Blank beside a
			 * well-formed but unusable slot (another size, another
			 * version, a payload that fails its checks): that was
			 * the device's state, starting empty would lose it.
			 */
			const struct nv_slot_info *other = &si[i ^ 1];

			if (nv->min_generation > 0)
				log_printf("nvstore: %s: slot %u is blank, but generation %llu "
				           "was seen before: not starting empty\n",
				           nv_dev_name(dev), i,
				           (unsigned long long)nv->min_generation);
			else if (other->state != NV_SLOT_INVALID || other->torn)
				rc = 0;
			else
				log_printf("nvstore: %s: slot %u is blank but slot %u holds a "
				           "damaged state: not starting empty\n",
				           nv_dev_name(dev), i, i ^ 1);
		} else if (si[i].state == NV_SLOT_VALID) {
			rc = nv_load_slot(nv, i, &si[i]);
			if (rc == -CSVSM_ECORRUPT)
				si[i].state = NV_SLOT_INVALID;
			else if (rc < 0)
				log_printf("nvstore: %s: loading slot %u failed: %s\n",
				           nv_dev_name(dev), i, csvsm_strerror(rc));
		}
		if (rc == 0) {
			nv->current = i;
			nv->current_blank = si[i].state == NV_SLOT_BLANK;
			nv->generation = nv->current_blank ? 0 : si[i].generation;
		}
	}
	for (unsigned int i = 0; i < 2; i++) {
		if (si[i].state != NV_SLOT_INVALID)
			continue;
		nv->stats.invalid_slots |= 1u << i;
		if (si[i].auth)
			nv->stats.auth_failures |= 1u << i;
		if (si[i].old)
			nv->stats.old_slots |= 1u << i;
		log_printf("nvstore: %s: slot %u holds no valid state: %s\n", nv_dev_name(dev), i,
		           si[i].why);
	}
	if (rc == -CSVSM_ECORRUPT)
		log_printf("nvstore: %s: no valid state on the device (nothing was changed)\n",
		           nv_dev_name(dev));
	if (rc < 0)
		goto fail;
	if (nv->stats.invalid_slots != 0)
		log_printf("nvstore: %s: using slot %u, generation %llu; the next commit "
		           "overwrites slot %u\n",
		           nv_dev_name(dev), nv->current, (unsigned long long)nv->generation,
		           nv->current ^ 1);

	/* An honest device holds generations N and N - 1 (or N twice): a gap is a replaced slot. */
	if (nv->sealed && si[0].state == NV_SLOT_VALID && si[1].state == NV_SLOT_VALID &&
	    (si[0].generation > si[1].generation + 1 || si[1].generation > si[0].generation + 1)) {
		nv->stats.rollback_suspect = true;
		log_printf("nvstore: %s: slots hold generations %llu and %llu: one was replaced by "
		           "an older copy (rollback attempt); using the newer\n",
		           nv_dev_name(dev), (unsigned long long)si[0].generation,
		           (unsigned long long)si[1].generation);
	}
	for (struct nv_blob *b = nv->blobs; b != NULL; b = b->next)
		nv->payload_len += NVSTORE_RECORD_OVERHEAD + b->name_len + b->len;
	nv->stats.generation = nv->generation;
	*out = nv;
	return 0;
fail:
	nvstore_close(nv);
	return rc;
}

int nvstore_open(struct blkdev *dev, struct nvstore **out)
{
	return nv_open(dev, NULL, out);
}

int nvstore_open_sealed(struct blkdev *dev, const struct nvstore_seal *seal, struct nvstore **out)
{
	if (seal == NULL) {
		if (out)
			*out = NULL;
		return -CSVSM_EINVAL;
	}
	return nv_open(dev, seal, out);
}

void nvstore_close(struct nvstore *nv)
{
	if (nv == NULL)
		return;
	nv_free_list(nv->blobs);
	kfree(nv->committed_buf);
	mem_set(nv->key, 0, sizeof(nv->key));
	kfree(nv);
}

/*
 * Finds blob `name` (a valid name). Returns the link that points to it, or
 * to the place it would be inserted at, and sets *found.
 */
static struct nv_blob **nv_find(struct nvstore *nv, const char *name, bool *found)
{
	struct nv_blob **link = &nv->blobs;

	*found = false;
	while (*link != NULL) {
		int c = str_cmp((*link)->name, name);

		if (c == 0) {
			*found = true;
			break;
		}
		if (c > 0)
			break;
		link = &(*link)->next;
	}
	return link;
}

/* The link to the blob named `name`, or NULL when there is none (or no store, or a bad name). */
static struct nv_blob **nv_lookup(struct nvstore *nv, const char *name)
{
	struct nv_blob **link;
	bool found;

	if (nv == NULL || nv_name_len(name) == 0)
		return NULL;
	link = nv_find(nv, name, &found);
	return found ? link : NULL;
}

int nvstore_get(struct nvstore *nv, const char *name, const void **data, size_t *len)
{
	struct nv_blob **link = nv_lookup(nv, name);

	if (link == NULL)
		return -CSVSM_ENOENT;
	if (data != NULL)
		*data = (*link)->data;
	if (len != NULL)
		*len = (*link)->len;
	return 0;
}

int nvstore_put(struct nvstore *nv, const char *name, const void *data, size_t len)
{
	size_t name_len = nv_name_len(name);
	size_t rec, new_payload, old_rec = 0;
	struct nv_blob **link, *old, *b;
	bool found;

	if (nv == NULL || name_len == 0 || (data == NULL && len != 0))
		return -CSVSM_EINVAL;
	link = nv_find(nv, name, &found);
	old = found ? *link : NULL;
	if (old != NULL) {
		if (old->len == len && (len == 0 || mem_cmp(old->data, data, len) == 0))
			return 0;
		old_rec = NVSTORE_RECORD_OVERHEAD + old->name_len + old->len;
	}
	if (!nv_record_size(name_len, len, &rec) ||
	    add_overflows(nv->payload_len - old_rec, rec, &new_payload) ||
	    new_payload > nv->capacity) {
		log_printf("nvstore: %s: no room for blob %s of %zu bytes (state %zu of %llu "
		           "bytes)\n",
		           nv_dev_name(nv->dev), name, len, nv->payload_len,
		           (unsigned long long)nv->capacity);
		return -CSVSM_ENOSPC;
	}
	b = nv_blob_alloc(name, name_len, data, len);
	if (b == NULL)
		return -CSVSM_ENOMEM;
	if (old != NULL) {
		b->next = old->next;
		kfree(old);
	} else {
		b->next = *link;
		nv->count++;
	}
	*link = b;
	nv->payload_len = new_payload;
	nv->dirty = true;
	return 0;
}

int nvstore_delete(struct nvstore *nv, const char *name)
{
	struct nv_blob **link = nv_lookup(nv, name), *b;

	if (link == NULL)
		return -CSVSM_ENOENT;
	b = *link;
	*link = b->next;
	nv->payload_len -= NVSTORE_RECORD_OVERHEAD + b->name_len + b->len;
	nv->count--;
	nv->dirty = true;
	kfree(b);
	return 0;
}

/*
 * Fills the header block at `hdr` (zeroed by the caller) for the records
 * at payload[overhead, overhead + len). A sealed store encrypts them in
 * place under a fresh IV, the tag going to payload[0, 16), with the header
 * (payload_crc still zero) as AAD. Returns 0, or -CSVSM_EIO (no IV) /
 * -CSVSM_ENOMEM (the cipher's context) for a sealed store.
 */
static int nv_build_header(const struct nvstore *nv, uint8_t *hdr, uint64_t generation,
                           uint8_t *payload, size_t len)
{
	size_t stored = len + nv->overhead;

	put_le32(hdr + HDR_OFF(magic), NVSTORE_MAGIC);
	put_le16(hdr + HDR_OFF(version), NVSTORE_FORMAT_VERSION);
	put_le16(hdr + HDR_OFF(header_size), NVSTORE_HEADER_SIZE);
	put_le64(hdr + HDR_OFF(generation), generation);
	put_le64(hdr + HDR_OFF(slot_size), nv->slot_size);
	put_le32(hdr + HDR_OFF(payload_len), (uint32_t)stored);
	put_le32(hdr + HDR_OFF(blob_count), (uint32_t)nv->count);
	if (nv->sealed) {
		int rc;

		put_le32(hdr + HDR_OFF(flags), NVSTORE_FLAG_SEALED);
		if (plat_entropy_get(hdr + HDR_OFF(iv), CRYPTO_GCM_IV_SIZE) != 0)
			return -CSVSM_EIO;
		rc = crypto_aes256gcm_seal(nv->key, hdr + HDR_OFF(iv), hdr, NVSTORE_HEADER_CRC_SPAN,
		                           payload + nv->overhead, payload + nv->overhead, len,
		                           payload);
		if (rc < 0)
			return rc;
	}
	put_le32(hdr + HDR_OFF(payload_crc), crc32c(0, payload, stored));
	put_le32(hdr + HDR_OFF(header_crc), crc32c(0, hdr, NVSTORE_HEADER_CRC_SPAN));
	return 0;
}

/* Serialises the staged blobs (sorted) at `p`. */
static void nv_serialize(const struct nvstore *nv, uint8_t *p)
{
	for (const struct nv_blob *b = nv->blobs; b != NULL; b = b->next) {
		*p++ = (uint8_t)b->name_len;
		mem_copy(p, b->name, b->name_len);
		p += b->name_len;
		put_le32(p, (uint32_t)b->len);
		p += 4;
		mem_copy(p, b->data, b->len);
		p += b->len;
	}
}

/* One device write or flush of a commit, counted in the statistics. */
static int nv_write(struct nvstore *nv, uint64_t offset, const void *buf, size_t len)
{
	int rc;

	nv->stats.device_writes++;
	rc = blkdev_write(nv->dev, offset, buf, len);
	if (rc == 0)
		nv->stats.bytes_written += len;
	return rc;
}

static int nv_flush(struct nvstore *nv)
{
	nv->stats.device_flushes++;
	return blkdev_flush(nv->dev);
}

/*
 * Writes a prepared slot image (header block, then `padded` bytes of
 * payload) into `slot`: payload, flush, header, flush. Returns 0 or the
 * first error.
 */
static int nv_write_slot(struct nvstore *nv, unsigned int slot, const uint8_t *buf, size_t padded)
{
	uint64_t offset = slot * nv->slot_size;
	int rc = 0;

	/* The payload is durable before the header that makes it a state. */
	if (padded != 0) {
		rc = nv_write(nv, offset + nv->hdr_block, buf + nv->hdr_block, padded);
		if (rc == 0)
			rc = nv_flush(nv);
	}
	if (rc == 0)
		rc = nv_write(nv, offset, buf, (size_t)nv->hdr_block);
	if (rc == 0)
		rc = nv_flush(nv);
	return rc;
}

int nvstore_commit(struct nvstore *nv)
{
	uint8_t *buf, *records, *plain = NULL;
	unsigned int target;
	uint64_t generation;
	size_t padded;
	int rc;

	if (nv == NULL)
		return -CSVSM_EINVAL;
	if (!nv->dirty) {
		nv->stats.commits_skipped++;
		return 0;
	}
	target = nv->current ^ 1;
	generation = nv->generation + 1;
	/* payload_len <= capacity, a multiple of the write unit: the padding stays in the slot. */
	padded = ALIGN_UP(nv->payload_len + nv->overhead, (size_t)nv->dev->write_unit);
	buf = kzalloc((size_t)nv->hdr_block + padded);
	if (buf == NULL) {
		log_printf("nvstore: %s: no memory for a commit of %zu bytes\n",
		           nv_dev_name(nv->dev), padded);
		return -CSVSM_ENOMEM;
	}
	records = buf + nv->hdr_block + nv->overhead;
	nv_serialize(nv, records);
	/* Changes that cancel out (a put undone by another) leave nothing to write. */
	if (nv->payload_len == nv->committed_len &&
	    (nv->payload_len == 0 || mem_cmp(records, nv->committed, nv->payload_len) == 0)) {
		kfree(buf);
		nv->dirty = false;
		nv->stats.commits_skipped++;
		return 0;
	}
	if (nv->generation >= NVSTORE_GENERATION_MAX) {
		/* 2^62 commits: only a forged image gets here. */
		kfree(buf);
		log_printf("nvstore: %s: generation counter exhausted\n", nv_dev_name(nv->dev));
		return -CSVSM_ENOSPC;
	}
	if (nv->sealed) {
		/* The plaintext stays as the committed state; the slot image is encrypted. */
		plain = kmalloc(nv->payload_len ? nv->payload_len : 1);
		if (plain == NULL) {
			kfree(buf);
			return -CSVSM_ENOMEM;
		}
		mem_copy(plain, records, nv->payload_len);
	}
	rc = nv_build_header(nv, buf, generation, buf + nv->hdr_block, nv->payload_len);
	if (rc < 0) {
		kfree(buf);
		kfree(plain);
		log_printf("nvstore: %s: sealing generation %llu failed (%s)\n",
		           nv_dev_name(nv->dev), (unsigned long long)generation,
		           csvsm_strerror(rc));
		return rc;
	}

	rc = nv_write_slot(nv, target, buf, padded);
	if (rc < 0) {
		kfree(buf);
		kfree(plain);
		log_printf("nvstore: %s: commit of generation %llu to slot %u failed (%s); "
		           "slot %u (generation %llu) still holds the last good state\n",
		           nv_dev_name(nv->dev), (unsigned long long)generation, target,
		           csvsm_strerror(rc), nv->current, (unsigned long long)nv->generation);
		return -CSVSM_EIO;
	}
	/*
	 * The first commit on a blank slot pair also copies the state (same
	 * generation) into the other slot, so that from then on neither slot
	 * is blank: a blank slot beside an invalid one then only ever means
	 * "a crash during the first commit", never "the only state got
	 * corrupt". The state is committed either way.
	 */
	if (nv->current_blank) {
		if (nv_write_slot(nv, nv->current, buf, padded) == 0)
			target = 0; /* equal generations: open prefers slot 0 */
		else
			log_printf("nvstore: %s: copying generation %llu to slot %u failed; "
			           "slot %u holds it\n",
			           nv_dev_name(nv->dev), (unsigned long long)generation,
			           nv->current, target);
		nv->current_blank = false;
	}
	kfree(nv->committed_buf);
	if (plain != NULL) {
		kfree(buf);
		nv->committed_buf = plain;
		nv->committed = plain;
	} else {
		nv->committed_buf = buf;
		nv->committed = buf + nv->hdr_block;
	}
	nv->committed_len = nv->payload_len;
	nv->current = target;
	nv->generation = generation;
	nv->dirty = false;
	nv->stats.commits++;
	nv->stats.generation = generation;
	return 0;
}

void nvstore_get_stats(const struct nvstore *nv, struct nvstore_stats *out)
{
	if (out == NULL)
		return;
	if (nv == NULL) {
		mem_set(out, 0, sizeof(*out));
		return;
	}
	*out = nv->stats;
	out->current_slot = nv->current;
	out->capacity = nv->capacity;
	out->payload_bytes = nv->payload_len;
	out->blobs = nv->count;
	out->dirty = nv->dirty;
}

size_t nvstore_count(const struct nvstore *nv)
{
	return nv != NULL ? nv->count : 0;
}

int nvstore_get_at(const struct nvstore *nv, size_t index, const char **name, const void **data,
                   size_t *len)
{
	const struct nv_blob *b;

	if (nv == NULL)
		return -CSVSM_ENOENT;
	for (b = nv->blobs; b != NULL && index != 0; b = b->next)
		index--;
	if (b == NULL)
		return -CSVSM_ENOENT;
	if (name != NULL)
		*name = b->name;
	if (data != NULL)
		*data = b->data;
	if (len != NULL)
		*len = b->len;
	return 0;
}
