/* template.h - [template NAME] config sections: what to clone, how to tell it is ready. */
#ifndef UKSMTOP_TEMPLATE_H
#define UKSMTOP_TEMPLATE_H

#include <stddef.h>

#include "sample.h"

enum ready_kind { READY_PING = 0, READY_TCP, READY_STATE, READY_CONSOLE };

enum template_merge { MERGE_AUTO = -1, MERGE_DEFAULT = 0, MERGE_ANY = 1 };

#define TEMPLATE_NAME_MAX 64
#define TEMPLATE_MAX 16

struct template {
	char name[TEMPLATE_NAME_MAX];
	enum inst_type type;
	char source[INST_NAME_MAX];  /* libvirt domain or LXC container to clone */
	enum ready_kind ready;
	int ready_port;              /* tcp:PORT */
	char ready_text[128];        /* console:TEXT */
	double timeout_s;            /* per clone, from its start */
	char prefix[TEMPLATE_NAME_MAX]; /* clone names: PREFIX<n> */
	enum template_merge merge;   /* AUTO: any for LXC when the backend is KSM */
	char address[64];            /* KVM ping: the first clone's IPv4; later clones count up */
	int type_set;                /* the section named its type */
};

/* Parse one [template NAME] section's key = value pair into t. Returns 0, or
 * -1 with "expected ..." in what (the caller names file, section and key). */
int template_set(struct template *t, const char *key, const char *value, const char **what);
/* Defaults for a new template called name. */
void template_defaults(struct template *t, const char *name);
/* After all keys: a template must name its type and source. 0 or -1 with the
 * missing key in *key. */
int template_check(const struct template *t, const char **key);
const char *ready_kind_name(enum ready_kind k);
/* Render the probe back as written: "ping", "tcp:80", "state", "console:TEXT". */
void template_ready_str(const struct template *t, char *buf, size_t len);

#endif
