/* inst.h - instance backends (libvirt KVM domains, liblxc containers) behind one ops table. */
#ifndef UKSMTOP_INST_H
#define UKSMTOP_INST_H

#include <stddef.h>
#include <sys/types.h>

#include "../core/sample.h"

struct inst_opts {
	const char *connect_uri; /* libvirt; NULL = "qemu:///system" */
	const char *lxcpath;     /* liblxc; NULL = LXC's own default */
};

/* One instance as a backend sees it: the row (figures still VAL_NULL, except
 * what the backend itself knows: cgroup_mem_kb, vcpus, mem_cfg_kb) and its
 * process set (QEMU: one pid; LXC: every pid in the container's cgroup). */
struct inst_raw {
	struct instance inst;
	pid_t *pids;
	size_t n_pids;
};

void inst_raw_free_array(struct inst_raw *a, size_t n);

struct inst_backend_ops {
	const char *name;        /* "libvirt", "lxc" */
	enum inst_type type;
	/* Returns a handle or NULL with a one-line reason in err. A backend whose
	 * daemon is absent still returns a handle and reconnects in list(). */
	void *(*open)(const struct inst_opts *o, char *err, size_t errlen);
	/* List every instance, running or defined. Returns 0 and a malloc'd array,
	 * or -1 with a one-line reason in err (daemon gone: the backend retries
	 * with backoff on later calls, never blocks longer than ~1 s). */
	int (*list)(void *h, struct inst_raw **out, size_t *n, char *err, size_t errlen);
	void (*close)(void *h);
};

#ifdef HAVE_LIBVIRT
extern const struct inst_backend_ops inst_libvirt_ops;
#endif
#ifdef HAVE_LXC
extern const struct inst_backend_ops inst_lxc_ops;
#endif

#endif
