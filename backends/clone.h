/* clone.h - making, starting and removing clones of a template's source (libvirt domain, LXC container) behind one ops table. */
#ifndef UKSMTOP_CLONE_H
#define UKSMTOP_CLONE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/sample.h"
#include "../core/template.h"

/* A clone is ours when its name starts with the prefix recorded in its mark
 * and the mark is there: libvirt <metadata> in CLONE_NS (KVM), the file
 * CLONE_MARK_FILE in the container's directory (LXC). */
#define CLONE_NS "urn:uksmtop:clone:1"
#define CLONE_NS_PREFIX "uksmtop"
#define CLONE_MARK_FILE "uksmtop.clone"

/* Per-clone memory when a stopped LXC source gives no figure: the study
 * measured 12 MB for a container running apache; this is a rounded-up guess. */
#define CLONE_LXC_ESTIMATE_KB (32 * 1024)

struct clone_opts {
	const char *connect_uri; /* libvirt, read-write; NULL = qemu:///system */
	const char *lxcpath;     /* liblxc; NULL or "" = LXC's own default */
};

/* What check() learns about a template's source. */
struct clone_facts {
	int64_t mem_kb;          /* per clone: KVM configured memory, LXC current use or limit */
	int mem_estimated;       /* mem_kb is CLONE_LXC_ESTIMATE_KB, not a figure of the source */
	char mem_basis[64];      /* where mem_kb came from, for messages */
	char src_address[64];    /* the source's static IPv4 (without /len), "" if none */
	int src_prefix_len;      /* its prefix length, or 24 */
};

/* One clone, from prepare() to the end of its run. */
struct clone_spec {
	int index;                     /* PREFIX<index> */
	char name[INST_NAME_MAX];
	char address[64];              /* IPv4 the probes use; "" until known */
	int address_static;            /* address came from the template, not discovery */
	char console_log[4096];        /* serial / console log file, "" if none */
	int merge_any;                 /* LXC: start with PR_SET_MEMORY_MERGE: 0 no, 1 must, 2 where the kernel can */
	int merge_verified;            /* after start: 1 ksm_merge_any: yes, 0 no, -1 not checked */
	void *priv;                    /* the backend's (KVM: the clone's XML) */
};

/* A clone found by list_ours(). */
struct clone_mark {
	char name[INST_NAME_MAX];
	char template_name[TEMPLATE_NAME_MAX];
	char prefix[TEMPLATE_NAME_MAX];
	char console_log[4096];        /* to delete with the clone, "" if none */
};

struct clone_ops {
	const char *name;              /* "libvirt", "lxc" */
	enum inst_type type;
	/* A handle, or NULL with a one-line reason. May block while libvirtd answers. */
	void *(*open)(const struct clone_opts *o, char *err, size_t errlen);
	void (*close)(void *h);
	/* The template's source exists, is not itself a clone, and can be cloned:
	 * 0, or -1 with "[template T] source = 'S': ..." (or another key) in err. */
	int (*check)(void *h, const struct template *t, struct clone_facts *f, char *err, size_t errlen);
	/* 1 when an instance of this type is called name, else 0. */
	int (*exists)(void *h, const char *name);
	/* Make the clone ready to start (LXC: the container, marked, with its own
	 * MAC and address; KVM: its XML). spec->index, name and address are set by
	 * the caller. 0 or -1 with err. A clone left half-made carries the mark. */
	int (*prepare)(void *h, const struct template *t, const struct clone_facts *f,
		       struct clone_spec *spec, char *err, size_t errlen);
	/* Start it; returns when the hypervisor / liblxc says it runs. Thread-safe
	 * for different specs. 0 or -1 with err. */
	int (*start)(void *h, struct clone_spec *spec, char *err, size_t errlen);
	/* 1 running, 0 not, -1 unknown. Thread-safe. */
	int (*running)(void *h, const struct clone_spec *spec);
	/* Discover spec->address (when the template gives none). 0 when found. Thread-safe. */
	int (*discover)(void *h, struct clone_spec *spec);
	/* Free what prepare() allocated (not the clone itself). */
	void (*release)(void *h, struct clone_spec *spec);
	/* Every clone of ours: malloc'd array. 0 or -1 with err. */
	int (*list_ours)(void *h, struct clone_mark **out, size_t *n, char *err, size_t errlen);
	/* Stop and remove one clone listed by list_ours(). 0 or -1 with err. */
	int (*remove)(void *h, const struct clone_mark *m, char *err, size_t errlen);
};

#ifdef HAVE_LIBVIRT
extern const struct clone_ops clone_libvirt_ops;
/* The clone's domain XML made from the source's (exposed for tests): name,
 * no UUID, fresh MACs, transient disks, its own console log (written to
 * console), the address on the kernel command line, our metadata.
 * malloc'd, or NULL with why in err. */
char *clone_libvirt_xml(const char *src_xml, const struct template *t, const char *name, int index,
			const char *address, char *console, size_t clen, char *err, size_t errlen);
#endif
#ifdef HAVE_LXC
extern const struct clone_ops clone_lxc_ops;
#endif

/* lxcpath, or LXC's default when it is NULL or "" (liblxc caches that value
 * per thread: call this on a long-lived thread, and pass the result on). */
void clone_lxcpath(const char *lxcpath, char *out, size_t len);

/* The ops for a type, or NULL when the build has no such backend. */
const struct clone_ops *clone_ops_for(enum inst_type type);

/* Helpers the two backends share (backends/clone.c). */

/* A random MAC under oui, e.g. "52:54:00" (QEMU) or "00:16:3e" (LXC). */
void clone_random_mac(const char *oui, char *buf, size_t len);
/* The IPv4 address base + k (k >= 0), into buf. 0, or -1 when it leaves base's /24. */
int clone_address_add(const char *base, int k, char *buf, size_t len);
/* Parse "key=value" lines of a mark file into m. 0 or -1. */
int clone_mark_parse(const char *text, struct clone_mark *m);
/* Does name start with prefix and have something after it? */
int clone_name_has_prefix(const char *name, const char *prefix);
/* Delete a clone's console log, but only an absolute path whose file name
 * starts with the clone's name: a mark can never make us delete anything else. */
void clone_unlink_log(const char *path, const char *name);

#endif
