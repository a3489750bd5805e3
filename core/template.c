/* template.c - parses and checks [template NAME] sections. */
#include "template.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

void template_defaults(struct template *t, const char *name)
{
	memset(t, 0, sizeof *t);
	util_strlcpy(t->name, name, sizeof t->name);
	t->type = INST_LXC;
	t->ready = READY_STATE;
	t->timeout_s = 120;
	snprintf(t->prefix, sizeof t->prefix, "uksm-%.40s-", name);
	t->merge = MERGE_AUTO;
}

static int template_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

static int template_set_ready(struct template *t, const char *v)
{
	long port;
	if (strcmp(v, "ping") == 0) {
		t->ready = READY_PING;
		return 0;
	}
	if (strcmp(v, "state") == 0) {
		t->ready = READY_STATE;
		return 0;
	}
	if (strncmp(v, "tcp:", 4) == 0 && util_parse_long(v + 4, &port) == 0 && port > 0 && port < 65536) {
		t->ready = READY_TCP;
		t->ready_port = (int)port;
		return 0;
	}
	if (strncmp(v, "console:", 8) == 0 && v[8] && strlen(v + 8) < sizeof t->ready_text) {
		t->ready = READY_CONSOLE;
		util_strlcpy(t->ready_text, v + 8, sizeof t->ready_text);
		return 0;
	}
	return -1;
}

int template_set(struct template *t, const char *key, const char *v, const char **what)
{
	double d;
	struct in_addr a;
	if (strcasecmp(key, "type") == 0) {
		*what = "kvm or lxc";
		if (strcmp(v, "kvm") == 0)
			t->type = INST_KVM;
		else if (strcmp(v, "lxc") == 0)
			t->type = INST_LXC;
		else
			return -1;
		t->type_set = 1;
		return 0;
	}
	if (strcasecmp(key, "source") == 0) {
		*what = "the name of a libvirt domain or LXC container";
		if (!template_name_ok(v) || strlen(v) >= sizeof t->source)
			return -1;
		util_strlcpy(t->source, v, sizeof t->source);
		return 0;
	}
	if (strcasecmp(key, "ready") == 0) {
		*what = "ping, tcp:PORT, state or console:TEXT";
		return template_set_ready(t, v);
	}
	if (strcasecmp(key, "timeout") == 0) {
		*what = "seconds, 1 to 3600";
		if (util_parse_double(v, &d) < 0 || d < 1 || d > 3600)
			return -1;
		t->timeout_s = d;
		return 0;
	}
	if (strcasecmp(key, "prefix") == 0) {
		*what = "letters, digits, '-', '_' or '.'";
		if (!template_name_ok(v) || strlen(v) >= sizeof t->prefix)
			return -1;
		util_strlcpy(t->prefix, v, sizeof t->prefix);
		return 0;
	}
	if (strcasecmp(key, "merge") == 0) {
		*what = "any or default";
		if (strcmp(v, "any") == 0)
			t->merge = MERGE_ANY;
		else if (strcmp(v, "default") == 0)
			t->merge = MERGE_DEFAULT;
		else
			return -1;
		return 0;
	}
	if (strcasecmp(key, "address") == 0) {
		*what = "an IPv4 address";
		if (inet_pton(AF_INET, v, &a) != 1)
			return -1;
		util_strlcpy(t->address, v, sizeof t->address);
		return 0;
	}
	*what = NULL; /* unknown key */
	return -1;
}

int template_check(const struct template *t, const char **key)
{
	if (!t->type_set) {
		*key = "type";
		return -1;
	}
	if (!t->source[0]) {
		*key = "source";
		return -1;
	}
	return 0;
}

const char *ready_kind_name(enum ready_kind k)
{
	switch (k) {
	case READY_PING: return "ping";
	case READY_TCP: return "tcp";
	case READY_CONSOLE: return "console";
	default: return "state";
	}
}

void template_ready_str(const struct template *t, char *buf, size_t len)
{
	switch (t->ready) {
	case READY_TCP:
		snprintf(buf, len, "tcp:%d", t->ready_port);
		break;
	case READY_CONSOLE:
		snprintf(buf, len, "console:%s", t->ready_text);
		break;
	default:
		snprintf(buf, len, "%s", ready_kind_name(t->ready));
		break;
	}
}
