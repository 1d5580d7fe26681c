/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommuctl: acting on objects someone else holds (iommuctl-held(8)).
 *
 * A program that got an iommufd from "iommuctl apply SPEC -- COMMAND" (fd
 * IOMMUCTL_IOMMUFD, names in IOMMUCTL_OBJECTS) can read and change what is in
 * it: the names resolve to ids here, and the ioctls go through a session that
 * adopts the inherited fd (iommufd.h).
 */
#ifndef ICTL_HELD_H
#define ICTL_HELD_H

#include "iommufd.h"

/*
 * The value of name in a list "name=value name=value ..." (IOMMUCTL_OBJECTS,
 * IOMMUCTL_MAPPINGS): 0 and *v, -ENOENT when the name is not there, -EINVAL
 * when its value is not a number.
 */
int ictl_held_lookup(const char *list, const char *name, uint64_t *v);

/* A run of dirty pages: [start, last], pages of them. */
struct ictl_dirty_range {
	uint64_t start, last, pages;
};

struct ictl_dirty {
	uint64_t iova, length, page_size;
	uint64_t pages;			/* in [iova, iova + length) */
	uint64_t dirty;			/* of them, dirty */
	size_t n;
	struct ictl_dirty_range *v;	/* the dirty runs, by IOVA */
};

/*
 * The runs of set bits of bitmap (nbits bits, bit i: the page at base + i *
 * page_size) into out (its ranges appended).  Pure; -ENOMEM.
 */
int ictl_dirty_ranges(const uint64_t *bitmap, uint64_t nbits, uint64_t base, uint64_t page_size,
		      struct ictl_dirty *out);

enum {
	ICTL_DIRTY_ENABLE = 1 << 0,	/* turn dirty tracking on first */
	ICTL_DIRTY_NO_CLEAR = 1 << 1,	/* read without clearing (IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) */
};

/*
 * Read (and clear, unless ICTL_DIRTY_NO_CLEAR) the dirty bits of the paging
 * HWPT hwpt_id over [iova, iova + length) at page_size (a power of two, at
 * least 4 KiB; iova and length aligned to it; at most 2^30 pages).
 */
int ictl_dirty_read(struct ictl_iommufd *s, uint32_t hwpt_id, uint64_t iova, uint64_t length,
		    uint64_t page_size, unsigned int flags, struct ictl_dirty *out);
void ictl_dirty_clear(struct ictl_dirty *d);

/* --- the held set of a holder, published in the state directory ------------------- */

/*
 * "iommuctl apply SPEC --hold" (and "-- COMMAND") publishes what it holds in
 * the state directory ($IOMMUCTL_STATE_DIR, default /run/iommuctl) as
 * held-PID.state, so that "iommuctl held --pid PID" in another shell can take
 * a copy of the holder's iommufd (pidfd_getfd) and act on the same objects.
 * The format (iommuctl-held(8)), one record a line, fields by single spaces:
 *
 *   iommuctl-held 1
 *   pid 4242                          the holder
 *   start 1234567                     its start time (field 22 of /proc/PID/stat)
 *   iommufd 3                         the holder's fd number of its iommufd
 *   group 11                          a group the holder claimed (recover gives it back)
 *   object KIND NAME ID FD TYPE DEV   NAME "-" unnamed, FD "-" when it has none,
 *                                     TYPE (hex) its type: HWPT data, vIOMMU, vEVENTQ;
 *                                     DEV a (mock) device's device id, else "-"
 *   mapping NAME IOAS IOVA LENGTH [ACCESS UADDR]
 *                                     IOAS an id, IOVA and LENGTH in hex; ACCESS
 *                                     r, w or rw, UADDR (hex) the holder's address
 *                                     of the memory behind it, each "-" unknown
 *                                     (a file pinned through its fd, a copy)
 *   end
 */
#define ICTL_HELD_VERSION 1
#define ICTL_HELD_FILE_MAX (256 * 1024)	/* bytes of a state file */
#define ICTL_HELD_ITEMS_MAX 4096	/* objects, and mappings */
#define ICTL_HELD_GROUPS_MAX 16

struct ictl_held_obj {
	enum ictl_obj_kind kind;
	char name[ICTL_OBJ_NAME_MAX];	/* "" unnamed */
	uint32_t id;
	int fd;				/* the holder's fd (fault queue, vEVENTQ), or -1 */
	uint32_t type;			/* HWPT data type, vIOMMU, vEVENTQ or HW queue type */
	uint32_t dev_id;		/* a device or mock device: its device id; else 0 */
};

enum { ICTL_HELD_MAP_READ = 1, ICTL_HELD_MAP_WRITE = 2 };

struct ictl_held_map {
	char name[ICTL_OBJ_NAME_MAX];
	uint32_t ioas;
	uint64_t iova, length;
	/* made by another process (held map, held copy; held-PID.maps below): */
	char memory[16];		/* anon, memfd, hugetlb-2M, hugetlb-1G, file, copy; "" the holder's */
	int by;				/* the pid that made it; 0: the holder */
	unsigned int access;		/* ICTL_HELD_MAP_READ | _WRITE; 0: unknown */
	uint64_t uaddr;			/* the holder's view of the memory; 0: unknown */
};

struct ictl_held {
	int pid;
	uint64_t start;			/* the holder's start time, in clock ticks after boot */
	int iommufd;			/* the holder's fd number */
	size_t ngroups;
	unsigned int groups[ICTL_HELD_GROUPS_MAX];	/* claimed by the holder, to give back */
	size_t nobjs, nmaps;
	struct ictl_held_obj *objs;
	struct ictl_held_map *maps;
	char file[96];			/* where it was read from ("held-4242.state") */
};

void ictl_held_clear(struct ictl_held *h);
/* Add an object or a mapping (name may be NULL or ""); -ENOMEM, -E2BIG past the limit. */
int ictl_held_add_obj(struct ictl_held *h, enum ictl_obj_kind kind, const char *name,
		      uint32_t id, int fd, uint32_t type, uint32_t dev_id);
int ictl_held_add_map(struct ictl_held *h, const char *name, uint32_t ioas, uint64_t iova,
		      uint64_t length);
const struct ictl_held_obj *ictl_held_find_obj(const struct ictl_held *h, const char *name);
const struct ictl_held_map *ictl_held_find_map(const struct ictl_held *h, const char *name);

/* The text of h (the format above); malloc'd, NULL when out of memory. */
char *ictl_held_format(const struct ictl_held *h);
/*
 * Parse a state file's text (len bytes, changed in place) strictly: every
 * line, field and number checked, an unknown version refused.  -EINVAL with
 * "FILE:LINE: FIELD: what is wrong" (file names it) as a data error.
 */
int ictl_held_parse(struct ictl_ctx *ctx, const char *file, char *text, size_t len,
		    struct ictl_held *out);

/*
 * The start time (field 22 of /proc/PID/stat); -ESRCH when there is no such
 * process, or it is dead (a zombie: its fds are closed).
 */
int ictl_proc_start_time(struct ictl_ctx *ctx, int pid, uint64_t *start);

/*
 * Publish h as this process's held set (h->pid and h->start are set here): written
 * atomically in the state directory, which must be this user's and writable by no
 * one else.  ictl_held_unpublish() removes it (no error when it is not there).
 */
int ictl_held_publish(struct ictl_ctx *ctx, struct ictl_held *h);
void ictl_held_unpublish(struct ictl_ctx *ctx, int pid);

/*
 * Read the held set of pid (held-PID.state; a regular file of this user, not
 * a symlink, at most ICTL_HELD_FILE_MAX bytes): -ENOENT (a lib error) when
 * there is none.
 */
int ictl_held_read(struct ictl_ctx *ctx, int pid, struct ictl_held *out);
/* The same for the entry name of the open directory dfd. */
int ictl_held_read_at(struct ictl_ctx *ctx, int dfd, const char *name, struct ictl_held *out);

/*
 * Mappings other processes make in a holder's IOASes ("held map", "held copy")
 * and their unmaps ("held unmap").  Only the holder writes its state file, so
 * they go to held-PID.maps beside it, appended one line each under a lock:
 *
 *   iommuctl-held-maps 1
 *   map NAME IOAS IOVA LENGTH MEMORY PID   MEMORY: anon, memfd, hugetlb-2M,
 *                                          hugetlb-1G, file or copy; PID: who mapped
 *   unmap IOAS IOVA LENGTH PID             the mappings inside [IOVA, IOVA + LENGTH)
 *                                          of IOAS are gone (as IOMMU_IOAS_UNMAP)
 *
 * Reading a held set (ictl_held_read, ictl_held_read_at) applies them to it in
 * order; the holder's unpublish and recover remove the file with the state
 * file.  The kernel has no ioctl that lists what an IOAS maps
 * (IOMMU_IOAS_IOVA_RANGES gives where one may map), so this record is what
 * "held objects" shows.
 */
#define ICTL_HELD_NOTES_VERSION 1
/* Append a mapping (m->memory and m->by set) or an unmap to holder's notes. */
int ictl_held_note_map(struct ictl_ctx *ctx, int holder, const struct ictl_held_map *m);
int ictl_held_note_unmap(struct ictl_ctx *ctx, int holder, uint32_t ioas, uint64_t iova,
			 uint64_t length);
/* Apply the notes' text (len bytes) to h, strictly; -EINVAL "FILE:LINE: FIELD: ..." (a data error). */
int ictl_held_parse_notes(struct ictl_ctx *ctx, const char *file, const char *text, size_t len,
			  struct ictl_held *h);
/* Is s a name of a held set ([A-Za-z][A-Za-z0-9_.-]*, shorter than ICTL_OBJ_NAME_MAX)? */
bool ictl_held_name_ok(const char *s);
/* Is name a memory kind of a note (anon, memfd, hugetlb-2M, hugetlb-1G, file, copy)? */
bool ictl_held_memory_ok(const char *name);

/*
 * New memory mapped into a held IOAS ("held map"): length bytes of memory
 * (anon, memfd, hugetlb-2M, hugetlb-1G, or file: path from offset), for the
 * device to read and/or write, at *iova when fixed, else where the kernel
 * puts it (*iova).  anon, hugetlb and a file on a filesystem the kernel
 * cannot pin through the fd go through IOMMU_IOAS_MAP of this process's
 * memory, memfd and tmpfs/hugetlbfs files through IOMMU_IOAS_MAP_FILE (*how
 * says which).  This process's view of the memory is gone on return: what
 * keeps it is the kernel (pages pinned into the IOAS's domains, or the file
 * the IOAS holds a reference to); see iommuctl-held-map(8).
 */
struct ictl_held_mem {
	const char *memory;		/* anon, memfd, hugetlb-2M, hugetlb-1G or file */
	const char *file;		/* file: its path */
	uint64_t offset;		/* file: where in it */
	bool read, write;		/* what the device may do (IOMMU_IOAS_MAP_READABLE/WRITEABLE) */
};
int ictl_held_map_mem(struct ictl_ctx *ctx, struct ictl_iommufd *s, uint32_t ioas_id,
		      const struct ictl_held_mem *mem, uint64_t length, bool fixed, uint64_t *iova,
		      const char **how);

/* Is the holder of h still the process that wrote it (pid there, same start time)? */
bool ictl_held_alive(struct ictl_ctx *ctx, const struct ictl_held *h);

struct ictl_held_holder {
	int pid;
	bool alive;		/* false: the holder is gone (a stale state file) */
	int err;		/* the state file could not be read (then msg says why) */
	char msg[160];
	size_t nobjs, nmaps;
};
/* Every state file of the state directory, by pid; *out malloc'd (0 files: NULL). */
int ictl_held_holders(struct ictl_ctx *ctx, struct ictl_held_holder **out, size_t *n);
/*
 * The one live holder there is (no --pid given): 0 and *pid; -ENOENT when there is
 * none, -EINVAL when there are several (the context names their pids).
 */
int ictl_held_only_holder(struct ictl_ctx *ctx, int *pid);

/*
 * A copy of the holder's fd number fd (pidfd_open + pidfd_getfd; root, or
 * ptrace access), after checking the holder is the one of h and the fd is
 * what it should be: /dev/iommu for the iommufd, an iommufd event queue for
 * an object's fd (kind ICTL_OBJ_FAULT or ICTL_OBJ_VEVENTQ).  -ESRCH: the
 * holder is gone (the message says to run recover); -EPERM: not allowed.
 */
int ictl_held_getfd(struct ictl_ctx *ctx, const struct ictl_held *h, int fd,
		    enum ictl_obj_kind kind, int *out);

struct ictl_held_recovered {
	int pid;			/* the holder that is gone */
	size_t ngroups;
	unsigned int groups[ICTL_HELD_GROUPS_MAX];	/* it had claimed; given back */
	bool ok;			/* every group given back, the state file removed */
};
/*
 * For each state file whose holder is gone: give back the groups it claimed
 * (as iommuctl release does; one already given back is fine), then remove the
 * file.  Fills up to max entries, returns the count; a group that could not
 * be given back keeps its file (ok false, the context says why).  Damaged
 * files are left alone ('held list' shows them).
 */
int ictl_held_recover(struct ictl_ctx *ctx, const struct ictl_own_opts *o,
		      struct ictl_held_recovered *out, size_t max);

/* --- event queues: vEVENTQ records, IO page faults and their responses ------------ */

struct ictl_held_event {
	bool fault;			/* an IO page fault (else a vEVENT) */
	/* a vEVENT: its header, and the vendor's event data (len bytes; none when lost) */
	uint32_t flags;			/* ICTL_IOMMU_VEVENTQ_FLAG_LOST_EVENTS */
	uint32_t sequence;
	uint32_t len;
	uint8_t data[32];
	/* a fault */
	struct ictl_iommu_hwpt_pgfault pf;
};

/*
 * The bytes of one vEVENT's data for a vEVENTQ type (selftest: 4, the virtual
 * id; arm-smmuv3: 32, an event queue entry; tegra241-cmdqv: 16); 0 when the
 * type is not known.
 */
size_t ictl_vevent_data_len(uint32_t type);

/*
 * Read the records of an event queue's fd (kind ICTL_OBJ_FAULT or
 * ICTL_OBJ_VEVENTQ of vEVENTQ type type) into out: at least min of them, as
 * many as there are up to max, waiting (poll) at most timeout_ms for them.
 * Returns how many were read; fewer than min: the time ran out, and the
 * context says so (ETIME).
 */
int ictl_queue_read(struct ictl_ctx *ctx, int fd, enum ictl_obj_kind kind, uint32_t type,
		    size_t min, size_t max, int timeout_ms, struct ictl_held_event *out);
/*
 * Answer the fault group of cookie (ICTL_IOMMUFD_PAGE_RESP_SUCCESS or _INVALID;
 * anything else is refused before the write).
 */
int ictl_fault_respond(struct ictl_ctx *ctx, int fd, uint32_t cookie, uint32_t code);

/* --- invalidation (IOMMU_HWPT_INVALIDATE) with typed entries ------------------------ */

enum ictl_inval_type {
	ICTL_INVAL_SELFTEST,		/* a mock nested HWPT: "all" or "iotlb=N" (N <= 3) */
	ICTL_INVAL_SELFTEST_VIOMMU,	/* a mock vIOMMU: "vdev=V,cache=N" or "vdev=V,all" */
	ICTL_INVAL_VTD,			/* a VT-d stage 1: "addr=A,npages=N[,leaf]" or "all" */
	ICTL_INVAL_SMMUV3,		/* an SMMUv3 vIOMMU: "CMD0:CMD1", two 64-bit words */
	ICTL_INVAL_TYPE_COUNT
};

/* "selftest", "selftest-viommu", "intel-vtd", "arm-smmuv3"; by name: -EINVAL when none. */
const char *ictl_inval_type_name(enum ictl_inval_type t);
int ictl_inval_type_parse(const char *name, enum ictl_inval_type *out);
/*
 * The type that fits an object of the held set: a nested HWPT by its data type,
 * a vIOMMU by its type; -EOPNOTSUPP when there is none (a paging HWPT).
 */
int ictl_inval_type_for(enum ictl_obj_kind kind, uint32_t type, enum ictl_inval_type *out);

struct ictl_inval {
	enum ictl_inval_type type;
	uint32_t data_type;		/* IOMMU_HWPT_INVALIDATE's */
	uint32_t entry_len, n;
	void *entries;			/* n entries of entry_len bytes */
};

/*
 * The entries args[0..n) of type t, each checked (form, ranges, alignment)
 * before anything is sent; -EINVAL naming the entry and what is wrong.  At
 * most ICTL_INVAL_MAX entries.
 */
#define ICTL_INVAL_MAX 256
int ictl_inval_parse(struct ictl_ctx *ctx, enum ictl_inval_type t, char *const *args, size_t n,
		     struct ictl_inval *out);
void ictl_inval_clear(struct ictl_inval *inv);

#endif /* ICTL_HELD_H */
