/* clone_libvirt.c - KVM clones as transient libvirt domains made from the source's definition: own name, UUID, MACs and serial log, disks transient, marked with uksmtop's <metadata>. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../core/util.h"
#include "clone.h"

#define CLVIRT_DEFAULT_URI "qemu:///system"

struct clvirt {
	virConnectPtr conn;
	char uri[1024];
};

/* What prepare() leaves for start() and the probes. */
struct clvirt_clone {
	char *xml;
	virDomainPtr dom;        /* after start */
};

/* libvirt prints every error to stderr by default; ours go through err. */
static void clvirt_silent(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

/* libvirt's last error of this thread, one line. */
static const char *clvirt_msg(char *buf, size_t len)
{
	const char *m = virGetLastErrorMessage();
	snprintf(buf, len, "%s", m && m[0] ? m : "unknown error");
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return buf;
}

static void *clvirt_open(const struct clone_opts *o, char *err, size_t errlen)
{
	const char *uri = o && o->connect_uri && o->connect_uri[0] ? o->connect_uri : CLVIRT_DEFAULT_URI;
	virSetErrorFunc(NULL, clvirt_silent);
	struct clvirt *b = calloc(1, sizeof *b);
	if (!b) {
		snprintf(err, errlen, "libvirt: out of memory");
		return NULL;
	}
	snprintf(b->uri, sizeof b->uri, "%s", uri);
	/* Read-write: the monitor's read-only connection cannot create domains. */
	b->conn = virConnectOpen(uri);
	if (!b->conn) {
		char m[512];
		snprintf(err, errlen, "libvirt: cannot connect to %s: %s", uri, clvirt_msg(m, sizeof m));
		free(b);
		return NULL;
	}
	return b;
}

static void clvirt_close(void *h)
{
	struct clvirt *b = h;
	if (!b)
		return;
	virConnectClose(b->conn);
	free(b);
}

/* ---- editing libvirt's own XML ----------------------------------------------------
 * virDomainGetXMLDesc writes one canonical form (elements in a fixed order,
 * attributes in single quotes), so the few edits a clone needs are made on
 * the text, without an XML library. */

/* Replace (*s)[at, at+del) with ins. 0, or -1 out of memory. */
static int xs_splice(char **s, size_t at, size_t del, const char *ins)
{
	size_t len = strlen(*s), n = strlen(ins);
	char *r = malloc(len - del + n + 1);
	if (!r)
		return -1;
	memcpy(r, *s, at);
	memcpy(r + at, ins, n);
	memcpy(r + at + n, *s + at + del, len - at - del + 1);
	free(*s);
	*s = r;
	return 0;
}

/* The value of attr in the start tag beginning at tag: [*vs, *ve) as offsets into s. */
static int xs_attr(const char *s, size_t tag, const char *attr, size_t *vs, size_t *ve)
{
	const char *end = strchr(s + tag, '>');
	size_t an = strlen(attr);
	if (!end)
		return -1;
	for (const char *p = s + tag + 1; p + an + 2 < end; p++) {
		if (p[-1] != ' ' || strncmp(p, attr, an) != 0 || p[an] != '=' || (p[an + 1] != '\'' && p[an + 1] != '"'))
			continue;
		const char *q = strchr(p + an + 2, p[an + 1]);
		if (!q || q > end)
			return -1;
		*vs = (size_t)(p + an + 2 - s);
		*ve = (size_t)(q - s);
		return 0;
	}
	return -1;
}

/* Does the start tag at tag have attr = val? */
static int xs_attr_is(const char *s, size_t tag, const char *attr, const char *val)
{
	size_t vs, ve;
	return xs_attr(s, tag, attr, &vs, &ve) == 0 && ve - vs == strlen(val) && strncmp(s + vs, val, ve - vs) == 0;
}

static void xs_escape(const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (; *in && o + 7 < len; in++) {
		const char *e = NULL;
		switch (*in) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '\'': e = "&apos;"; break;
		case '"': e = "&quot;"; break;
		}
		if (e) {
			memcpy(out + o, e, strlen(e));
			o += strlen(e);
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

static void xs_unescape(const char *in, size_t n, char *out, size_t len)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&apos;", '\'' }, { "&quot;", '"' },
	};
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < len;) {
		size_t k;
		for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
			size_t el = strlen(ents[k].ent);
			if (i + el <= n && strncmp(in + i, ents[k].ent, el) == 0) {
				out[o++] = ents[k].c;
				i += el;
				break;
			}
		}
		if (k == sizeof ents / sizeof ents[0])
			out[o++] = in[i++];
	}
	out[o] = '\0';
}

/* Everything one clone's XML is made from. */
struct clvirt_edit {
	const struct template *t;
	const char *name;
	const char *address;     /* "" when the template gives none */
	int index;
	char console[4096];      /* out: the clone's serial log, unescaped */
	char err[512];
};

/* The clone's own file next to the source's: SOURCE.console.log -> CLONE.console.log. */
static void clvirt_map_path(const struct clvirt_edit *e, const char *raw, size_t n, char *out, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%.*s", (int)n, raw);
	char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dir = slash ? path : ".";
	if (slash)
		*slash = '\0';
	size_t sn = strlen(e->t->source);
	if (strncmp(base, e->t->source, sn) == 0)
		snprintf(out, len, "%s/%s%s", dir, e->name, base + sn);
	else
		snprintf(out, len, "%s/%s-%s", dir, e->name, base);
}

static int clvirt_edit_name(char **x, struct clvirt_edit *e)
{
	char *p = strstr(*x, "<name>");
	char *q = p ? strstr(p, "</name>") : NULL;
	if (!q) {
		snprintf(e->err, sizeof e->err, "the domain XML has no <name>");
		return -1;
	}
	size_t at = (size_t)(p - *x) + 6;
	return xs_splice(x, at, (size_t)(q - *x) - at, e->name);
}

static int clvirt_edit_uuid(char **x)
{
	char *p = strstr(*x, "<uuid>");
	char *q = p ? strstr(p, "</uuid>") : NULL;
	if (!q)
		return 0; /* libvirt makes one */
	return xs_splice(x, (size_t)(p - *x), (size_t)(q + 7 - p), "");
}

static int clvirt_edit_metadata(char **x, struct clvirt_edit *e)
{
	char when[40], console[4200], el[6000];
	util_iso8601(util_now_wall(), when, sizeof when);
	xs_escape(e->console, console, sizeof console);
	snprintf(el, sizeof el,
		 "\n    <" CLONE_NS_PREFIX ":clone xmlns:" CLONE_NS_PREFIX "='" CLONE_NS "' template='%s' "
		 "source='%s' prefix='%s' index='%d' created='%s' console='%s'/>",
		 e->t->name, e->t->source, e->t->prefix, e->index, when, console);
	char *p = strstr(*x, "<metadata>");
	if (p)
		return xs_splice(x, (size_t)(p - *x) + 10, 0, el);
	p = strstr(*x, "</name>");
	char wrapped[6200];
	snprintf(wrapped, sizeof wrapped, "\n  <metadata>%s\n  </metadata>", el);
	return xs_splice(x, (size_t)(p - *x) + 7, 0, wrapped);
}

static int clvirt_edit_macs(char **x)
{
	size_t pos = 0;
	char *p;
	while ((p = strstr(*x + pos, "<mac address=")) != NULL) {
		size_t tag = (size_t)(p - *x), vs, ve;
		if (xs_attr(*x, tag, "address", &vs, &ve) < 0)
			return -1;
		char mac[24];
		clone_random_mac("52:54:00", mac, sizeof mac);
		if (xs_splice(x, vs, ve - vs, mac) < 0)
			return -1;
		pos = vs + strlen(mac);
	}
	return 0;
}

/* One <disk>: a disk the guest may write becomes <transient/>, so writes land
 * in an overlay libvirt makes and deletes; the source's image is only read. */
static int clvirt_edit_disk(char **x, size_t tag, size_t *end, struct clvirt_edit *e)
{
	char block[8192];
	snprintf(block, sizeof block, "%.*s", (int)(*end - tag), *x + tag);
	if (xs_attr_is(*x, tag, "device", "cdrom") || xs_attr_is(*x, tag, "device", "floppy") ||
	    strstr(block, "<readonly/>") || strstr(block, "<transient") || !strstr(block, "<source "))
		return 0;
	size_t ts, te;
	xs_attr(*x, tag, "type", &ts, &te);
	if (strstr(block, "<shareable/>")) {
		snprintf(e->err, sizeof e->err, "it has a shareable disk, which clones would write to");
		return -1;
	}
	if (!xs_attr_is(*x, tag, "type", "file") && !xs_attr_is(*x, tag, "type", "block")) {
		snprintf(e->err, sizeof e->err, "it has a disk of type '%.*s', which cannot be made transient "
			 "(only file and block disks can)", (int)(te - ts), *x + ts);
		return -1;
	}
	/* shareBacking: several clones read one image at once (libvirt 8.1 and later). */
	static const char tr[] = "  <transient shareBacking='yes'/>\n    ";
	if (xs_splice(x, *end, 0, tr) < 0)
		return -1;
	*end += strlen(tr);
	return 0;
}

static int clvirt_edit_disks(char **x, struct clvirt_edit *e)
{
	size_t pos = 0;
	char *p;
	while ((p = strstr(*x + pos, "<disk ")) != NULL) {
		size_t tag = (size_t)(p - *x);
		char *q = strstr(p, "</disk>");
		if (!q)
			break;
		size_t end = (size_t)(q - *x);
		if (clvirt_edit_disk(x, tag, &end, e) < 0)
			return -1;
		pos = end + 7;
	}
	return 0;
}

/* In every <elem> block, the attr of its child tag (a file path) becomes the
 * clone's own file: <source path=> of type='file' elements, <log file=> of any. */
static int clvirt_edit_paths(char **x, struct clvirt_edit *e, const char *elem, const char *child,
			     const char *attr)
{
	char open[32], close[32];
	snprintf(open, sizeof open, "<%s ", elem);
	snprintf(close, sizeof close, "</%s>", elem);
	size_t pos = 0;
	char *p;
	while ((p = strstr(*x + pos, open)) != NULL) {
		size_t tag = (size_t)(p - *x);
		char *q = strstr(p, close);
		if (!q)
			break;
		size_t end = (size_t)(q - *x);
		char *c = strstr(p, child);
		int is_file = strcmp(child, "<log ") == 0 || xs_attr_is(*x, tag, "type", "file");
		size_t vs, ve;
		if (c && (size_t)(c - *x) < end && is_file && xs_attr(*x, (size_t)(c - *x), attr, &vs, &ve) == 0) {
			char mapped[4200];
			clvirt_map_path(e, *x + vs, ve - vs, mapped, sizeof mapped);
			if (!e->console[0])
				xs_unescape(mapped, strlen(mapped), e->console, sizeof e->console);
			if (xs_splice(x, vs, ve - vs, mapped) < 0)
				return -1;
			end = end - (ve - vs) + strlen(mapped);
		}
		pos = end + strlen(close);
	}
	return 0;
}

static int clvirt_edit_chardevs(char **x, struct clvirt_edit *e)
{
	static const char *const elems[] = { "serial", "console", "channel", "parallel" };
	for (size_t i = 0; i < sizeof elems / sizeof elems[0]; i++) {
		if (clvirt_edit_paths(x, e, elems[i], "<source ", "path") < 0 ||
		    clvirt_edit_paths(x, e, elems[i], "<log ", "file") < 0)
			return -1;
	}
	if (e->t->ready == READY_CONSOLE && !e->console[0]) {
		snprintf(e->err, sizeof e->err, "ready = console needs a serial console written to a file "
			 "(<serial type='file'> or <log file=.../>), and the source has none");
		return -1;
	}
	return 0;
}

/* The guest's address on the kernel command line (uksm.ip=A/LEN, or the
 * kernel's ip=A:...) becomes the clone's, so clones of a guest that boots a
 * kernel directly get distinct static addresses. */
static int clvirt_edit_cmdline(char **x, struct clvirt_edit *e)
{
	if (!e->address[0])
		return 0;
	char *p = strstr(*x, "<cmdline>");
	char *q = p ? strstr(p, "</cmdline>") : NULL;
	if (!q)
		return 0;
	static const char *const keys[] = { "uksm.ip=", "ip=" };
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		size_t kn = strlen(keys[k]);
		for (char *w = p + 9; w < q; w++) {
			if ((w[-1] != ' ' && w[-1] != '>') || strncmp(w, keys[k], kn) != 0)
				continue;
			char *v = w + kn;
			size_t vn = strcspn(v, "/: <");
			if (vn == 0 || v + vn > q)
				continue;
			return xs_splice(x, (size_t)(v - *x), vn, e->address);
		}
	}
	return 0;
}

/* A fixed VNC/SPICE port would make the second clone fail: let libvirt pick. */
static int clvirt_edit_graphics(char **x)
{
	size_t pos = 0;
	char *p;
	while ((p = strstr(*x + pos, "<graphics ")) != NULL) {
		size_t tag = (size_t)(p - *x), vs, ve;
		pos = tag + 10;
		if (!xs_attr_is(*x, tag, "autoport", "no"))
			continue;
		if (xs_attr(*x, tag, "autoport", &vs, &ve) == 0 && xs_splice(x, vs, ve - vs, "yes") < 0)
			return -1;
		static const char *const ports[] = { "port", "tlsPort", "websocket" };
		for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
			if (xs_attr(*x, tag, ports[i], &vs, &ve) < 0)
				continue;
			/* drop ` port='5900'` whole: from the space before the name to the quote after */
			size_t from = vs - strlen(ports[i]) - 3;
			if (xs_splice(x, from, ve + 1 - from, "") < 0)
				return -1;
		}
	}
	return 0;
}

/* The clone's XML from the source's; NULL with e->err. */
static char *clvirt_build_xml(const char *src_xml, struct clvirt_edit *e)
{
	char *x = strdup(src_xml);
	if (!x) {
		snprintf(e->err, sizeof e->err, "out of memory");
		return NULL;
	}
	e->console[0] = '\0';
	e->err[0] = '\0';
	/* chardevs before the metadata, which records the console log path. */
	int rc = clvirt_edit_name(&x, e);
	if (rc == 0)
		rc = clvirt_edit_uuid(&x);
	if (rc == 0)
		rc = clvirt_edit_macs(&x);
	if (rc == 0)
		rc = clvirt_edit_disks(&x, e);
	if (rc == 0)
		rc = clvirt_edit_chardevs(&x, e);
	if (rc == 0)
		rc = clvirt_edit_cmdline(&x, e);
	if (rc == 0)
		rc = clvirt_edit_graphics(&x);
	if (rc == 0)
		rc = clvirt_edit_metadata(&x, e);
	if (rc < 0) {
		if (!e->err[0])
			snprintf(e->err, sizeof e->err, "out of memory");
		free(x);
		return NULL;
	}
	return x;
}

char *clone_libvirt_xml(const char *src_xml, const struct template *t, const char *name, int index,
			const char *address, char *console, size_t clen, char *err, size_t errlen)
{
	struct clvirt_edit e = { .t = t, .name = name, .index = index, .address = address ? address : "" };
	char *x = clvirt_build_xml(src_xml, &e);
	if (!x)
		snprintf(err, errlen, "%s", e.err);
	if (console)
		snprintf(console, clen, "%s", e.console);
	return x;
}

/* ---- the ops ------------------------------------------------------------------------ */

static char *clvirt_source_xml(struct clvirt *b, const struct template *t, virDomainPtr *dom, char *err,
			       size_t errlen)
{
	*dom = virDomainLookupByName(b->conn, t->source);
	if (!*dom) {
		snprintf(err, errlen, "[template %s] source = '%s': no such libvirt domain (on %s)", t->name,
			 t->source, b->uri);
		return NULL;
	}
	/* The definition (not the running state), with what a start needs (VNC passwords). */
	char *xml = virDomainGetXMLDesc(*dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	if (!xml) {
		char m[512];
		snprintf(err, errlen, "libvirt: cannot read the definition of %s: %s", t->source, clvirt_msg(m, sizeof m));
		virDomainFree(*dom);
		*dom = NULL;
	}
	return xml;
}

static int clvirt_check(void *h, const struct template *t, struct clone_facts *f, char *err, size_t errlen)
{
	struct clvirt *b = h;
	memset(f, 0, sizeof *f);
	f->src_prefix_len = 24;
	virDomainPtr dom;
	char *xml = clvirt_source_xml(b, t, &dom, err, errlen);
	if (!xml)
		return -1;
	int rc = 0;
	char *md = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, CLONE_NS, 0);
	if (md) {
		snprintf(err, errlen, "[template %s] source = '%s': that domain is itself a clone made by uksmtop "
			 "(--cleanup would remove it); use the domain it was made from", t->name, t->source);
		free(md);
		rc = -1;
	}
	unsigned long mem = virDomainGetMaxMemory(dom);
	f->mem_kb = mem > 0 ? (int64_t)mem : 0;
	snprintf(f->mem_basis, sizeof f->mem_basis, "configured memory");
	/* A trial build finds what cannot be cloned (shared disks, no console log). */
	struct clvirt_edit e = { .t = t, .name = "uksmtop-trial", .address = t->address, .index = 0 };
	char *trial = rc == 0 ? clvirt_build_xml(xml, &e) : NULL;
	if (rc == 0 && !trial) {
		snprintf(err, errlen, "[template %s] source = '%s': %s", t->name, t->source, e.err);
		rc = -1;
	}
	free(trial);
	free(xml);
	virDomainFree(dom);
	return rc;
}

static int clvirt_exists(void *h, const char *name)
{
	struct clvirt *b = h;
	virDomainPtr d = virDomainLookupByName(b->conn, name);
	if (!d)
		return 0;
	virDomainFree(d);
	return 1;
}

static int clvirt_prepare(void *h, const struct template *t, const struct clone_facts *f, struct clone_spec *spec,
			  char *err, size_t errlen)
{
	struct clvirt *b = h;
	(void)f;
	virDomainPtr src;
	char *xml = clvirt_source_xml(b, t, &src, err, errlen);
	if (!xml)
		return -1;
	virDomainFree(src);
	struct clvirt_edit e = { .t = t, .name = spec->name, .index = spec->index,
				 .address = spec->address_static ? spec->address : "" };
	struct clvirt_clone *cc = calloc(1, sizeof *cc);
	if (cc)
		cc->xml = clvirt_build_xml(xml, &e);
	free(xml);
	if (!cc || !cc->xml) {
		snprintf(err, errlen, "libvirt: cannot make the XML of %s: %s", spec->name, cc ? e.err : "out of memory");
		free(cc);
		return -1;
	}
	snprintf(spec->console_log, sizeof spec->console_log, "%s", e.console);
	/* A log left by an earlier clone of this name must not satisfy a console probe. */
	if (e.console[0])
		clone_unlink_log(e.console, spec->name);
	spec->priv = cc;
	return 0;
}

static int clvirt_start(void *h, struct clone_spec *spec, char *err, size_t errlen)
{
	struct clvirt *b = h;
	struct clvirt_clone *cc = spec->priv;
	if (!cc) {
		snprintf(err, errlen, "libvirt: %s was not prepared", spec->name);
		return -1;
	}
	/* Transient: gone from libvirt once it stops, and never written to its config dir. */
	cc->dom = virDomainCreateXML(b->conn, cc->xml, 0);
	if (!cc->dom) {
		char m[512];
		snprintf(err, errlen, "libvirt: cannot start %s: %s", spec->name, clvirt_msg(m, sizeof m));
		return -1;
	}
	return 0;
}

static int clvirt_running(void *h, const struct clone_spec *spec)
{
	(void)h;
	struct clvirt_clone *cc = spec->priv;
	int state, reason;
	if (!cc || !cc->dom || virDomainGetState(cc->dom, &state, &reason, 0) < 0)
		return -1;
	return state == VIR_DOMAIN_RUNNING;
}

static int clvirt_discover_src(virDomainPtr dom, unsigned int src, struct clone_spec *spec)
{
	virDomainInterfacePtr *ifs = NULL;
	int n = virDomainInterfaceAddresses(dom, &ifs, src, 0);
	int rc = -1;
	for (int i = 0; i < n; i++) {
		for (unsigned j = 0; rc < 0 && j < ifs[i]->naddrs; j++) {
			if (ifs[i]->addrs[j].type != VIR_IP_ADDR_TYPE_IPV4)
				continue;
			snprintf(spec->address, sizeof spec->address, "%s", ifs[i]->addrs[j].addr);
			rc = 0;
		}
		virDomainInterfaceFree(ifs[i]);
	}
	free(ifs);
	return rc;
}

/* libvirt knows a guest's address from its DHCP leases (libvirt networks) or
 * from the host's ARP table once the guest has spoken. */
static int clvirt_discover(void *h, struct clone_spec *spec)
{
	(void)h;
	struct clvirt_clone *cc = spec->priv;
	if (!cc || !cc->dom)
		return -1;
	if (clvirt_discover_src(cc->dom, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, spec) == 0)
		return 0;
	return clvirt_discover_src(cc->dom, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP, spec);
}

static void clvirt_release(void *h, struct clone_spec *spec)
{
	(void)h;
	struct clvirt_clone *cc = spec->priv;
	if (!cc)
		return;
	if (cc->dom)
		virDomainFree(cc->dom);
	free(cc->xml);
	free(cc);
	spec->priv = NULL;
}

/* The value of attr in our metadata element, unescaped. */
static void clvirt_md_attr(const char *md, const char *attr, char *out, size_t len)
{
	out[0] = '\0';
	size_t vs, ve;
	if (xs_attr(md, 1, attr, &vs, &ve) == 0)
		xs_unescape(md + vs, ve - vs, out, len);
}

/* Our mark on dom, or -1 when it has none (or a name outside its prefix). */
static int clvirt_read_mark(virDomainPtr dom, struct clone_mark *m)
{
	const char *name = virDomainGetName(dom);
	char *md = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, CLONE_NS, 0);
	if (!md || !name || md[0] != '<') {
		free(md);
		return -1;
	}
	memset(m, 0, sizeof *m);
	snprintf(m->name, sizeof m->name, "%s", name);
	clvirt_md_attr(md, "template", m->template_name, sizeof m->template_name);
	clvirt_md_attr(md, "prefix", m->prefix, sizeof m->prefix);
	clvirt_md_attr(md, "console", m->console_log, sizeof m->console_log);
	free(md);
	return clone_name_has_prefix(m->name, m->prefix) ? 0 : -1;
}

static int clvirt_list_ours(void *h, struct clone_mark **out, size_t *n, char *err, size_t errlen)
{
	struct clvirt *b = h;
	virDomainPtr *doms = NULL;
	*out = NULL;
	*n = 0;
	int k = virConnectListAllDomains(b->conn, &doms, 0);
	if (k < 0) {
		char m[512];
		snprintf(err, errlen, "libvirt: cannot list the domains: %s", clvirt_msg(m, sizeof m));
		return -1;
	}
	struct clone_mark *a = calloc(k > 0 ? (size_t)k : 1, sizeof *a);
	for (int i = 0; i < k; i++) {
		if (a && clvirt_read_mark(doms[i], &a[*n]) == 0)
			(*n)++;
		virDomainFree(doms[i]);
	}
	free(doms);
	if (!a) {
		snprintf(err, errlen, "libvirt: out of memory");
		return -1;
	}
	*out = a;
	return 0;
}

static int clvirt_remove(void *h, const struct clone_mark *m, char *err, size_t errlen)
{
	struct clvirt *b = h;
	char msg[512];
	virDomainPtr dom = virDomainLookupByName(b->conn, m->name);
	if (!dom)
		return 0; /* gone already */
	struct clone_mark again;
	/* Checked again at the last moment: only what still carries our mark goes. */
	if (clvirt_read_mark(dom, &again) < 0) {
		snprintf(err, errlen, "libvirt: %s: no longer marked as uksmtop's; left alone", m->name);
		virDomainFree(dom);
		return -1;
	}
	int rc = 0;
	if (virDomainIsActive(dom) == 1 && virDomainDestroy(dom) < 0) {
		snprintf(err, errlen, "libvirt: cannot stop %s: %s", m->name, clvirt_msg(msg, sizeof msg));
		rc = -1;
	}
	/* A clone is transient; one somebody defined meanwhile is undefined too. */
	if (rc == 0 && virDomainIsPersistent(dom) == 1 && virDomainUndefine(dom) < 0) {
		snprintf(err, errlen, "libvirt: cannot undefine %s: %s", m->name, clvirt_msg(msg, sizeof msg));
		rc = -1;
	}
	virDomainFree(dom);
	if (rc == 0 && again.console_log[0])
		clone_unlink_log(again.console_log, m->name);
	return rc;
}

const struct clone_ops clone_libvirt_ops = {
	.name = "libvirt",
	.type = INST_KVM,
	.open = clvirt_open,
	.close = clvirt_close,
	.check = clvirt_check,
	.exists = clvirt_exists,
	.prepare = clvirt_prepare,
	.start = clvirt_start,
	.running = clvirt_running,
	.discover = clvirt_discover,
	.release = clvirt_release,
	.list_ours = clvirt_list_ours,
	.remove = clvirt_remove,
};
