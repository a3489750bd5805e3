/* clone.c - what the clone backends share: the ops lookup, fresh MACs, counted addresses, clone marks. */
#include "clone.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "../core/util.h"

#ifdef HAVE_LXC
#include <lxc/lxccontainer.h>
#endif

const struct clone_ops *clone_ops_for(enum inst_type type)
{
#ifdef HAVE_LIBVIRT
	if (type == INST_KVM)
		return &clone_libvirt_ops;
#endif
#ifdef HAVE_LXC
	if (type == INST_LXC)
		return &clone_lxc_ops;
#endif
	(void)type;
	return NULL;
}

void clone_lxcpath(const char *lxcpath, char *out, size_t len)
{
	const char *p = lxcpath && lxcpath[0] ? lxcpath : NULL;
#ifdef HAVE_LXC
	if (!p)
		p = lxc_get_global_config_item("lxc.lxcpath");
#endif
	util_strlcpy(out, p && p[0] ? p : "/var/lib/lxc", len);
}

void clone_random_mac(const char *oui, char *buf, size_t len)
{
	unsigned char r[3] = { 0, 0, 0 };
	/* getrandom without GRND_NONBLOCK blocks only before the pool is seeded at boot. */
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		static unsigned counter;
		unsigned v = (unsigned)getpid() * 2654435761u + ++counter * 40503u;
		r[0] = (unsigned char)v;
		r[1] = (unsigned char)(v >> 8);
		r[2] = (unsigned char)(v >> 16);
	}
	snprintf(buf, len, "%s:%02x:%02x:%02x", oui, r[0], r[1], r[2]);
}

int clone_address_add(const char *base, int k, char *buf, size_t len)
{
	struct in_addr a;
	if (k < 0 || inet_pton(AF_INET, base, &a) != 1)
		return -1;
	uint32_t h = ntohl(a.s_addr);
	uint32_t last = (h & 0xff) + (uint32_t)k;
	/* Stay inside the /24 and off its broadcast address. */
	if (last > 254)
		return -1;
	a.s_addr = htonl((h & 0xffffff00u) | last);
	return inet_ntop(AF_INET, &a, buf, (socklen_t)len) ? 0 : -1;
}

int clone_name_has_prefix(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	return n > 0 && strncmp(name, prefix, n) == 0 && name[n] != '\0';
}

static void clone_mark_set(struct clone_mark *m, const char *key, const char *val, size_t vlen)
{
	char *dst = NULL;
	size_t cap = 0;
	if (strcmp(key, "template") == 0) {
		dst = m->template_name;
		cap = sizeof m->template_name;
	} else if (strcmp(key, "prefix") == 0) {
		dst = m->prefix;
		cap = sizeof m->prefix;
	} else if (strcmp(key, "console") == 0) {
		dst = m->console_log;
		cap = sizeof m->console_log;
	}
	if (!dst || vlen >= cap)
		return;
	memcpy(dst, val, vlen);
	dst[vlen] = '\0';
}

int clone_mark_parse(const char *text, struct clone_mark *m)
{
	m->template_name[0] = m->prefix[0] = m->console_log[0] = '\0';
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		if (eq) {
			char key[32];
			size_t kn = (size_t)(eq - p);
			if (kn < sizeof key) {
				memcpy(key, p, kn);
				key[kn] = '\0';
				clone_mark_set(m, key, eq + 1, n - kn - 1);
			}
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	return m->prefix[0] ? 0 : -1;
}

void clone_unlink_log(const char *path, const char *name)
{
	const char *base = strrchr(path, '/');
	size_t n = strlen(name);
	if (path[0] != '/' || !base || strncmp(base + 1, name, n) != 0)
		return;
	/* "NAME.console.log" or "NAME-...", never another clone's "NAME0...". */
	if (base[1 + n] != '.' && base[1 + n] != '-')
		return;
	unlink(path);
}
